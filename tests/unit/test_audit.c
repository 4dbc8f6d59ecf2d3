/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of sim/audit scanning: every encoding is found inside real
 * encoder output (OpenSSL base64 at all three alignments), files and
 * directory trees, and pcap captures including a canary split over two
 * TCP segments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <pcap/pcap.h>
#include "base/mem.h"
#include "audit/audit.h"
#include "tmpdir_testutil.h"

static const char CAN[] = "CANARY-p7-Zq9 x=1&y";

static void test_audit_base64_alignments(void **state)
{
	struct audit *a;
	size_t pre, idx;
	uint8_t in[64];
	unsigned char out[128];

	(void)state;
	assert_int_equal(audit_new(&a), 0);
	assert_int_equal(audit_canary_add(a, CAN, strlen(CAN), &idx), 0);
	for (pre = 0; pre < 6; pre++) {
		size_t n = 0;
		int len;

		memset(in, 0xA5, sizeof(in));
		memcpy(in + pre, CAN, strlen(CAN));
		n = pre + strlen(CAN) + 2;
		len = EVP_EncodeBlock(out, in, (int)n);
		audit_hits_clear(a);
		assert_int_equal(audit_scan_mem(a, AUDIT_SRC_STORE, "m", out,
						(size_t)len), 0);
		assert_int_equal(audit_found(a, idx, AUDIT_SRC_STORE), 1);
		assert_int_equal(audit_first(a, idx, AUDIT_SRC_STORE)->enc,
				 AUDIT_ENC_B64_0 + pre % 3);
	}
	audit_free(a);
}

static void test_audit_other_encodings(void **state)
{
	static const char *const forms[] = {
		"xx43414e4152592d70372d5a713920783d312679",
		"43414E4152592D70372D5A713920783D312679",
		"CANARY-p7-Zq9 x=3D1&y",
		"CANARY-p7-Zq9%20x%3D1%26y",
	};
	static const enum audit_enc want[] = {
		AUDIT_ENC_HEX_LO, AUDIT_ENC_HEX_UP, AUDIT_ENC_QP, AUDIT_ENC_URL,
	};
	struct audit *a;
	uint8_t u16[64];
	size_t i, idx;

	(void)state;
	assert_int_equal(audit_new(&a), 0);
	assert_int_equal(audit_canary_add(a, CAN, strlen(CAN), &idx), 0);
	assert_int_equal(audit_canary_add(a, "short", 5, NULL), EINVAL);
	for (i = 0; i < 4; i++) {
		audit_hits_clear(a);
		assert_int_equal(audit_scan_mem(a, AUDIT_SRC_STORE, "m",
						(const uint8_t *)forms[i],
						strlen(forms[i])), 0);
		assert_int_equal(audit_hit_count(a), 1);
		assert_int_equal(audit_hit_get(a, 0)->enc, want[i]);
	}
	for (i = 0; i < strlen(CAN); i++) {
		u16[2 * i + 1] = (uint8_t)CAN[i];
		u16[2 * i] = 0;
	}
	audit_hits_clear(a);
	assert_int_equal(audit_scan_mem(a, AUDIT_SRC_STORE, "m", u16,
					2 * strlen(CAN)), 0);
	assert_int_equal(audit_hit_get(a, 0)->enc, AUDIT_ENC_UTF16BE);
	/* A near miss is not a hit. */
	audit_hits_clear(a);
	assert_int_equal(audit_scan_mem(a, AUDIT_SRC_STORE, "m",
					(const uint8_t *)"CANARY-p7-Zq9 x=1&z",
					19), 0);
	assert_int_equal(audit_hit_count(a), 0);
	audit_free(a);
}

static void write_file(const char *path, const void *d, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(d, 1, n, f), n);
	fclose(f);
}

static void test_audit_dir_many_canaries(void **state)
{
	struct audit *a;
	char path[256], c[32];
	uint64_t files = 0, bytes = 0;
	uint8_t *big;
	size_t i, idx[100];

	(void)state;
	assert_int_equal(audit_new(&a), 0);
	for (i = 0; i < 100; i++) {
		snprintf(c, sizeof(c), "canary-%03zu-xyz", i);
		assert_int_equal(audit_canary_add(a, c, strlen(c), &idx[i]), 0);
	}
	snprintf(path, sizeof(path), "%s/sub", tmpdir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/sub/platform.db-wal", tmpdir);
	/* 3 MiB of noise with canary 42 across the 1 MiB chunk border. */
	big = calloc(1, 3u << 20);
	memcpy(big + (1u << 20) - 5, "canary-042-xyz", 14);
	write_file(path, big, 3u << 20);
	free(big);
	snprintf(path, sizeof(path), "%s/log.txt", tmpdir);
	write_file(path, "a Y2FuYXJ5LTA3Ny14eX b", 22);
	snprintf(path, sizeof(path), "%s/link", tmpdir);
	assert_int_equal(symlink("/etc", path), 0);
	assert_int_equal(audit_scan_dir(a, tmpdir, &files, &bytes), 0);
	assert_int_equal(files, 2);
	assert_int_equal(audit_found(a, idx[42], AUDIT_SRC_STORE), 1);
	assert_int_equal(audit_first(a, idx[42], AUDIT_SRC_STORE)->offset,
			 (1u << 20) - 5);
	assert_int_equal(audit_found(a, idx[77], AUDIT_SRC_STORE), 1);
	assert_int_equal(audit_hit_count(a), 2);
	assert_int_equal(audit_scan_dir(a, "/nonexistent-dir", NULL, NULL),
			 ENOENT);
	audit_free(a);
}

static void put_pkt(pcap_dumper_t *d, const uint8_t *payload, size_t n,
		    int tcp, uint32_t seq)
{
	uint8_t pkt[256] = { 0 };
	struct pcap_pkthdr h = { { 1, 0 }, 0, 0 };
	size_t th = tcp ? 20 : 8;

	pkt[0] = 0x45;
	pkt[2] = (uint8_t)((20 + th + n) >> 8);
	pkt[3] = (uint8_t)(20 + th + n);
	pkt[8] = 64;
	pkt[9] = tcp ? 6 : 17;
	pkt[12] = 127, pkt[15] = 1, pkt[16] = 127, pkt[19] = 1;
	pkt[20] = 0x13, pkt[21] = 0xc4, pkt[22] = 0x13, pkt[23] = 0xc5;
	if (tcp) {
		pkt[24] = (uint8_t)(seq >> 24), pkt[27] = (uint8_t)seq;
		pkt[32] = 0x50;
	}
	memcpy(pkt + 20 + th, payload, n);
	h.caplen = h.len = (bpf_u_int32)(20 + th + n);
	pcap_dump((u_char *)d, &h, pkt);
}

static void test_audit_pcap_tcp_split(void **state)
{
	struct audit *a;
	pcap_t *pc = pcap_open_dead(DLT_RAW, 65535);
	pcap_dumper_t *d;
	char path[256], err[256];
	uint64_t pkts = 0;
	size_t i1, i2;

	(void)state;
	snprintf(path, sizeof(path), "%s/c.pcap", tmpdir);
	d = pcap_dump_open(pc, path);
	assert_non_null(d);
	put_pkt(d, (const uint8_t *)"MESSAGE body SECRET-", 20, 1, 1);
	put_pkt(d, (const uint8_t *)"CHAT-42 end", 11, 1, 21);
	put_pkt(d, (const uint8_t *)"rtp RTP-CANARY-9", 16, 0, 0);
	pcap_dump_close(d);
	pcap_close(pc);
	assert_int_equal(audit_new(&a), 0);
	assert_int_equal(audit_canary_add(a, "SECRET-CHAT-42", 14, &i1), 0);
	assert_int_equal(audit_canary_add(a, "RTP-CANARY-9", 12, &i2), 0);
	assert_int_equal(audit_scan_pcap(a, path, &pkts, err, sizeof(err)), 0);
	assert_int_equal(pkts, 3);
	assert_int_equal(audit_found(a, i1, AUDIT_SRC_WIRE), 1);
	assert_int_equal(audit_first(a, i1, AUDIT_SRC_WIRE)->offset, 2);
	assert_int_equal(audit_found(a, i2, AUDIT_SRC_WIRE), 1);
	assert_int_equal(audit_found(a, i2, AUDIT_SRC_STORE), 0);
	write_file(path, "not a pcap", 10);
	assert_int_equal(audit_scan_pcap(a, path, NULL, err, sizeof(err)),
			 EBADMSG);
	audit_free(a);
}

static void test_audit_oom(void **state)
{
	struct audit *a;
	int64_t n;
	int rc;

	(void)state;
	for (n = 0;; n++) {
		assert_int_equal(audit_new(&a), 0);
		assert_int_equal(audit_canary_add(a, CAN, strlen(CAN), NULL),
				 0);
		mem_fail_at(n, 1);
		rc = audit_scan_mem(a, AUDIT_SRC_STORE, "m",
				    (const uint8_t *)CAN, strlen(CAN));
		mem_fail_at(-1, 0);
		audit_free(a);
		assert_int_equal(mem_blocks(), blocks_at_start);
		if (!rc)
			break;
		assert_int_equal(rc, ENOMEM);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_audit_base64_alignments, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_audit_other_encodings, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_audit_dir_many_canaries, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_audit_pcap_tcp_split, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_audit_oom, tmp_setup,
						tmp_teardown),
	};

	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
