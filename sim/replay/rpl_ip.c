/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4 and IPv6, with fragment reassembly (RFC 791, RFC 8200 4.5). A
 * reassembly is keyed by (addresses, id, protocol); fragments land in a
 * buffer with a bitmap of the 8-byte blocks received, so duplicated or
 * overlapping fragments cannot make a hole look filled. Unfinished
 * reassemblies are dropped after 30 s of capture time or when more than
 * MAX_FRAGS are open (oldest first), and counted. IPv6 extension headers
 * (hop-by-hop, routing, destination options, AH) are skipped.
 */
#include <string.h>
#include "base/mem.h"
#include "replay/rpl_int.h"

#define MAX_FRAGS 4096
#define FRAG_MAX_LEN 65535u

struct rpl_frag {
	struct rpl_ent ent;
	uint8_t af, proto;
	uint8_t src[16], dst[16];
	uint32_t id;
	uint32_t total;		/* payload length once the last fragment came */
	uint32_t blocks;	/* distinct 8-byte blocks received */
	uint8_t map[FRAG_MAX_LEN / 8 / 8 + 1];
	struct buf data;
};

static void frag_free(struct rpl *r, struct rpl_frag *f)
{
	rpl_tab_del(&r->frags, &f->ent);
	buf_fini(&f->data);
	mem_free(f);
}

void rpl_frag_sweep(struct rpl *r, uint64_t older_than_us)
{
	struct rpl_ent *e;

	while ((e = rpl_tab_oldest(&r->frags)) &&
	       e->last_us < older_than_us) {
		r->st.ip_frag_dropped++;
		frag_free(r, (struct rpl_frag *)e);
	}
}

void rpl_frag_free_all(struct rpl *r)
{
	struct rpl_ent *e;

	while ((e = rpl_tab_oldest(&r->frags))) {
		r->st.ip_frag_dropped++;
		frag_free(r, (struct rpl_frag *)e);
	}
}

static struct rpl_frag *frag_get(struct rpl *r, uint8_t af, uint8_t proto,
				 const uint8_t *src, const uint8_t *dst,
				 uint32_t id)
{
	size_t alen = af == 4 ? 4 : 16;
	uint32_t h = rpl_hash(src, alen, RPL_HASH_INIT);
	struct rpl_ent *e;
	struct rpl_frag *f;

	h = rpl_hash(dst, alen, h);
	h = rpl_hash(&id, sizeof(id), h) ^ proto;
	for (e = rpl_tab_bucket(&r->frags, h); e; e = e->hnext) {
		f = (struct rpl_frag *)e;
		if (e->hash == h && f->af == af && f->proto == proto &&
		    f->id == id && !memcmp(f->src, src, alen) &&
		    !memcmp(f->dst, dst, alen))
			return f;
	}
	if (r->frags.n >= MAX_FRAGS)
		rpl_frag_sweep(r, rpl_tab_oldest(&r->frags)->last_us + 1);
	f = mem_zalloc(sizeof(*f));
	if (!f)
		return NULL;
	f->af = af;
	f->proto = proto;
	f->id = id;
	memcpy(f->src, src, alen);
	memcpy(f->dst, dst, alen);
	buf_init(&f->data);
	if (rpl_tab_add(&r->frags, &f->ent, h, r->now_us)) {
		mem_free(f);
		return NULL;
	}
	return f;
}

/*
 * Add one fragment; returns the frag when it is now complete (the caller
 * dissects f->data then frees it), else NULL.
 */
static struct rpl_frag *frag_add(struct rpl *r, struct rpl_frag *f,
				 uint32_t off, bool more, const uint8_t *p,
				 size_t n)
{
	uint32_t end = off + (uint32_t)n, b;

	r->st.ip_fragments++;
	rpl_tab_touch(&r->frags, &f->ent, r->now_us);
	if (end > FRAG_MAX_LEN || (more && (n % 8 || !n)) ||
	    (f->total && end > f->total) || (!more && end < f->data.len)) {
		r->st.ip_frag_dropped++;
		frag_free(r, f);
		return NULL;
	}
	if (!more)
		f->total = end;
	if (end > f->data.len) {
		size_t old = f->data.len;

		if (buf_reserve(&f->data, end - old)) {
			frag_free(r, f);
			return NULL;
		}
		memset(f->data.data + old, 0, end - old);
		f->data.len = end;
	}
	memcpy(f->data.data + off, p, n);
	for (b = off / 8; b < (end + 7) / 8; b++) {
		if (!(f->map[b / 8] & (1u << (b % 8)))) {
			f->map[b / 8] |= (uint8_t)(1u << (b % 8));
			f->blocks++;
		}
	}
	if (f->total && f->blocks == (f->total + 7) / 8)
		return f;
	return NULL;
}

static void set_ep(struct rpl_ep *ep, uint8_t af, const uint8_t *a)
{
	memset(ep, 0, sizeof(*ep));
	ep->af = af;
	memcpy(ep->addr, a, af == 4 ? 4 : 16);
}

static void ip4(struct rpl *r, const uint8_t *p, size_t n)
{
	size_t hl, tl;
	uint16_t fo;
	struct rpl_ep src, dst;
	struct rpl_frag *f;

	if (n < 20 || (hl = (size_t)(p[0] & 15) * 4) < 20 || hl > n) {
		r->st.frames_undecoded++;
		return;
	}
	tl = rpl_be16(p + 2);
	if (tl == 0 || tl > n)	/* TSO captures say 0; short caplen */
		tl = n;
	if (tl < hl) {
		r->st.frames_undecoded++;
		return;
	}
	set_ep(&src, 4, p + 12);
	set_ep(&dst, 4, p + 16);
	fo = rpl_be16(p + 6);
	if (fo & 0x3fff) {	/* MF set or non-zero offset */
		f = frag_get(r, 4, p[9], p + 12, p + 16, rpl_be16(p + 4));
		if (!f)
			return;
		f = frag_add(r, f, (uint32_t)(fo & 0x1fff) * 8,
			     fo & 0x2000, p + hl, tl - hl);
		if (!f)
			return;
		r->st.ip_reassembled++;
		rpl_l4_input(r, f->proto, &src, &dst, f->data.data,
			     f->data.len);
		frag_free(r, f);
		return;
	}
	rpl_l4_input(r, p[9], &src, &dst, p + hl, tl - hl);
}

static void ip6_next(struct rpl *r, uint8_t nh, const struct rpl_ep *src,
		     const struct rpl_ep *dst, const uint8_t *p, size_t n,
		     int frag_ok)
{
	struct rpl_frag *f;
	size_t l;
	int hops = 0;

	for (;;) {
		if (++hops > 16)
			goto bad;
		switch (nh) {
		case 0: case 43: case 60:	/* hop-by-hop, routing, dst */
			if (n < 8 || (l = ((size_t)p[1] + 1) * 8) > n)
				goto bad;
			nh = p[0];
			p += l;
			n -= l;
			continue;
		case 51:			/* AH */
			if (n < 8 || (l = ((size_t)p[1] + 2) * 4) > n)
				goto bad;
			nh = p[0];
			p += l;
			n -= l;
			continue;
		case 44: {			/* fragment */
			uint16_t of;

			if (n < 8 || !frag_ok)
				goto bad;
			of = rpl_be16(p + 2);
			if (!(of & 0xfff8) && !(of & 1)) {
				/* atomic fragment (RFC 6946) */
				nh = p[0];
				p += 8;
				n -= 8;
				continue;
			}
			f = frag_get(r, 6, p[0], src->addr, dst->addr,
				     rpl_be32(p + 4));
			if (!f)
				return;
			f = frag_add(r, f, of & 0xfff8, of & 1, p + 8, n - 8);
			if (!f)
				return;
			r->st.ip_reassembled++;
			ip6_next(r, f->proto, src, dst, f->data.data,
				 f->data.len, 0);
			frag_free(r, f);
			return;
		}
		case 59:			/* no next header */
			return;
		default:
			rpl_l4_input(r, nh, src, dst, p, n);
			return;
		}
	}
bad:
	r->st.frames_undecoded++;
}

static void ip6(struct rpl *r, const uint8_t *p, size_t n)
{
	struct rpl_ep src, dst;
	size_t pl;

	if (n < 40) {
		r->st.frames_undecoded++;
		return;
	}
	pl = rpl_be16(p + 4);
	if (pl == 0 || pl > n - 40)	/* jumbogram or short caplen */
		pl = n - 40;
	set_ep(&src, 6, p + 8);
	set_ep(&dst, 6, p + 24);
	ip6_next(r, p[6], &src, &dst, p + 40, pl, 1);
}

void rpl_ip_input(struct rpl *r, const uint8_t *p, size_t n)
{
	if (n < 1) {
		r->st.frames_undecoded++;
		return;
	}
	switch (p[0] >> 4) {
	case 4:
		ip4(r, p, n);
		return;
	case 6:
		ip6(r, p, n);
		return;
	default:
		r->st.frames_undecoded++;
	}
}
