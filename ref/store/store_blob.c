/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Files (POLICY.md P11) and voicemail (P14): a metadata row in the
 * database and the bytes in one file per row, data_dir/files/<id> and
 * data_dir/voicemail/<id>.wav. The blob is written and fsynced inside the
 * row's transaction, so a committed row always has its blob; a crash can
 * leave a blob without a row, which the sweep (run under the write lock,
 * when no writer can be half-way) wipes. Deleting a blob overwrites it
 * with zeros before unlinking, so its bytes do not linger in a file under
 * data_dir (a file system may still keep old blocks: out of our reach).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "store/store_int.h"

int store_blob_path(const struct store *s, int vm, int64_t id, char *path,
		    size_t sz)
{
	int n = vm ? snprintf(path, sz, "%s/%lld.wav", s->vm_dir,
			      (long long)id)
		   : snprintf(path, sz, "%s/%lld", s->files_dir,
			      (long long)id);

	return n < 0 || (size_t)n >= sz ? EOVERFLOW : 0;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int store_blob_wipe(const char *path)
{
	static const uint8_t zero[65536];
	struct stat sb;
	off_t left;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : errno;
	if (fstat(fd, &sb) == 0) {
		for (left = sb.st_size; left > 0 && !err;) {
			size_t n = left > (off_t)sizeof(zero) ? sizeof(zero)
				   : (size_t)left;

			err = write_all(fd, zero, n);
			left -= (off_t)n;
		}
		if (!err && fsync(fd))
			err = errno;
	}
	close(fd);
	if (unlink(path) && errno != ENOENT && !err)
		err = errno;
	return err;
}

static int blob_write(const char *path, const uint8_t *data, size_t len)
{
	int fd, err;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	err = write_all(fd, data, len);
	if (!err && fsync(fd))
		err = errno;
	close(fd);
	if (err)
		(void)store_blob_wipe(path);
	return err;
}

static int blob_read(const char *path, struct buf *out)
{
	uint8_t tmp[65536];
	int fd, err = 0;
	ssize_t n;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		err = buf_put(out, tmp, (size_t)n);
		if (err)
			break;
	}
	close(fd);
	return err;
}

/* Insert the row (bound by the caller), write the blob, one transaction. */
static int row_and_blob(struct store *s, sqlite3_stmt *st, int vm,
			const uint8_t *data, size_t len, int64_t *id_out)
{
	char path[4096];
	int64_t id = 0;
	int err;

	err = store_tx_begin(s);
	if (err)
		return err;
	err = store_step_done(s, st);
	if (!err) {
		id = sqlite3_last_insert_rowid(s->db);
		err = store_blob_path(s, vm, id, path, sizeof(path));
	}
	if (!err)
		err = blob_write(path, data, len);
	err = store_tx_end(s, err);
	if (err && id)
		(void)store_blob_wipe(path);
	if (!err && id_out)
		*id_out = id;
	return err;
}

/* ---- files ------------------------------------------------------------ */

int store_file_add(struct store *s, const struct store_file *f,
		   const uint8_t *data, size_t len, int64_t *id_out)
{
	sqlite3_stmt *st;

	if (!s || !f || !f->owner.len || (!data && len))
		return EINVAL;
	st = store_st(s, ST_FILE_ADD);
	sqlite3_bind_int64(st, 1, f->time_us);
	store_bind_pl(st, 2, &f->owner);
	store_bind_pl(st, 3, &f->recipient);
	store_bind_pl(st, 4, &f->name);
	store_bind_pl(st, 5, &f->content_type);
	sqlite3_bind_int64(st, 6, (int64_t)len);
	sqlite3_bind_int(st, 7, store_body_is_pgp(&f->content_type, data,
						  len));
	return row_and_blob(s, st, 0, data, len, id_out);
}

struct file_ctx {
	store_file_fn *fn;
	void *arg;
	int n;
};

static int file_row(void *ctx, sqlite3_stmt *st)
{
	struct file_ctx *c = ctx;
	struct store_file f;

	f.id = sqlite3_column_int64(st, 0);
	f.time_us = sqlite3_column_int64(st, 1);
	f.owner = store_col_pl(st, 2);
	f.recipient = store_col_pl(st, 3);
	f.name = store_col_pl(st, 4);
	f.content_type = store_col_pl(st, 5);
	f.size = (uint64_t)sqlite3_column_int64(st, 6);
	f.encrypted = sqlite3_column_int(st, 7);
	c->n++;
	return c->fn ? c->fn(c->arg, &f) : 0;
}

int store_file_get(struct store *s, int64_t id, store_file_fn *fn,
		   void *arg)
{
	struct file_ctx c = { fn, arg, 0 };
	sqlite3_stmt *st;
	int err;

	if (!s)
		return EINVAL;
	st = store_st(s, ST_FILE_GET);
	sqlite3_bind_int64(st, 1, id);
	err = store_each(s, st, file_row, &c);
	return err ? err : (c.n ? 0 : ENOENT);
}

int store_file_list(struct store *s, const struct pl *user,
		    store_file_fn *fn, void *arg)
{
	struct file_ctx c = { fn, arg, 0 };
	sqlite3_stmt *st;

	if (!s || !fn)
		return EINVAL;
	st = store_st(s, ST_FILE_LIST);
	store_bind_pl(st, 1, user);
	return store_each(s, st, file_row, &c);
}

int store_file_read(struct store *s, int64_t id, struct buf *out)
{
	char path[4096];
	int err;

	if (!s || !out)
		return EINVAL;
	err = store_file_get(s, id, NULL, NULL);
	if (!err)
		err = store_blob_path(s, 0, id, path, sizeof(path));
	return err ? err : blob_read(path, out);
}

int store_file_delete(struct store *s, int64_t id, const struct pl *user)
{
	sqlite3_stmt *st;
	char path[4096];
	int err;

	if (!s)
		return EINVAL;
	if ((err = store_mark_dirty(s)))
		return err;
	st = store_st(s, ST_FILE_DEL);
	sqlite3_bind_int64(st, 1, id);
	store_bind_pl(st, 2, user);
	err = store_step_done(s, st);
	if (!err && sqlite3_changes(s->db) == 0)
		err = ENOENT;
	if (!err)
		err = store_blob_path(s, 0, id, path, sizeof(path));
	return err ? err : store_blob_wipe(path);
}

int store_file_usage(struct store *s, uint64_t *bytes)
{
	sqlite3_stmt *st;
	int rc, err = 0;

	if (!s || !bytes)
		return EINVAL;
	st = store_st(s, ST_FILE_USAGE);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*bytes = (uint64_t)sqlite3_column_int64(st, 0);
	else
		err = store_fail(s, rc, "usage");
	sqlite3_reset(st);
	return err;
}

/* ---- voicemail -------------------------------------------------------- */

int store_vm_add(struct store *s, const struct store_vm *v,
		 const uint8_t *wav, size_t len, int64_t *id_out)
{
	sqlite3_stmt *st;

	if (!s || !v || !v->owner.len || (!wav && len))
		return EINVAL;
	st = store_st(s, ST_VM_ADD);
	sqlite3_bind_int64(st, 1, v->time_us);
	store_bind_pl(st, 2, &v->owner);
	store_bind_pl(st, 3, &v->caller);
	sqlite3_bind_int64(st, 4, v->duration_ms);
	sqlite3_bind_int64(st, 5, (int64_t)len);
	sqlite3_bind_int(st, 6, !!v->heard);
	return row_and_blob(s, st, 1, wav, len, id_out);
}

struct vm_ctx {
	store_vm_fn *fn;
	void *arg;
	int n;
};

static int vm_row(void *ctx, sqlite3_stmt *st)
{
	struct vm_ctx *c = ctx;
	struct store_vm v;

	v.id = sqlite3_column_int64(st, 0);
	v.time_us = sqlite3_column_int64(st, 1);
	v.owner = store_col_pl(st, 2);
	v.caller = store_col_pl(st, 3);
	v.duration_ms = sqlite3_column_int64(st, 4);
	v.size = (uint64_t)sqlite3_column_int64(st, 5);
	v.heard = sqlite3_column_int(st, 6);
	c->n++;
	return c->fn ? c->fn(c->arg, &v) : 0;
}

int store_vm_list(struct store *s, const struct pl *owner, store_vm_fn *fn,
		  void *arg)
{
	struct vm_ctx c = { fn, arg, 0 };
	sqlite3_stmt *st;

	if (!s || !fn)
		return EINVAL;
	st = store_st(s, ST_VM_LIST);
	store_bind_pl(st, 1, owner);
	return store_each(s, st, vm_row, &c);
}

int store_vm_path(struct store *s, int64_t id, char *path, size_t sz)
{
	struct vm_ctx c = { NULL, NULL, 0 };
	sqlite3_stmt *st;
	int err;

	if (!s || !path)
		return EINVAL;
	st = store_st(s, ST_VM_GET);
	sqlite3_bind_int64(st, 1, id);
	err = store_each(s, st, vm_row, &c);
	if (!err && !c.n)
		err = ENOENT;
	return err ? err : store_blob_path(s, 1, id, path, sz);
}

int store_vm_read(struct store *s, int64_t id, struct buf *out)
{
	char path[4096];
	int err;

	if (!out)
		return EINVAL;
	err = store_vm_path(s, id, path, sizeof(path));
	return err ? err : blob_read(path, out);
}

int store_vm_delete(struct store *s, int64_t id, const struct pl *owner)
{
	sqlite3_stmt *st;
	char path[4096];
	int err;

	if (!s)
		return EINVAL;
	if ((err = store_mark_dirty(s)))
		return err;
	st = store_st(s, ST_VM_DEL);
	sqlite3_bind_int64(st, 1, id);
	store_bind_pl(st, 2, owner);
	err = store_step_done(s, st);
	if (!err && sqlite3_changes(s->db) == 0)
		err = ENOENT;
	if (!err)
		err = store_blob_path(s, 1, id, path, sizeof(path));
	return err ? err : store_blob_wipe(path);
}

/* ---- orphan sweep ----------------------------------------------------- */

/* "123" (files) or "123.wav" (voicemail) -> id; 0 when not ours. */
static int64_t blob_id(const char *name, int vm)
{
	char *end;
	long long v;

	if (name[0] < '0' || name[0] > '9')
		return 0;
	v = strtoll(name, &end, 10);
	if (vm ? strcmp(end, ".wav") : *end != '\0')
		return 0;
	return v > 0 ? (int64_t)v : 0;
}

static int sweep_dir(struct store *s, int vm)
{
	const char *dir = vm ? s->vm_dir : s->files_dir;
	enum store_stmt q = vm ? ST_VM_EXISTS : ST_FILE_EXISTS;
	struct dirent *de;
	char path[4096];
	DIR *d;
	int err = 0;

	d = opendir(dir);
	if (!d)
		return errno;
	while (!err && (de = readdir(d))) {
		sqlite3_stmt *st;
		int64_t id;
		int rc;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		/* Anything in a blob folder that is not a live row's blob
		 * (a crash leftover, a stray temp file) is wiped. */
		id = blob_id(de->d_name, vm);
		if (id) {
			st = store_st(s, q);
			sqlite3_bind_int64(st, 1, id);
			rc = sqlite3_step(st);
			sqlite3_reset(st);
			if (rc == SQLITE_ROW)
				continue;
			if (rc != SQLITE_DONE) {
				err = store_fail(s, rc, "sweep");
				break;
			}
		}
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) <
		    (int)sizeof(path))
			err = store_blob_wipe(path);
	}
	closedir(d);
	return err;
}

int store_blob_sweep(struct store *s)
{
	int err;

	if (s->in_batch)
		return 0;	/* our own batch may own fresh blobs */
	/* The write lock: no writer of any process is between writing a
	 * blob and committing its row while we look. */
	err = store_tx_begin(s);
	if (err)
		return err;
	err = sweep_dir(s, 0);
	if (!err)
		err = sweep_dir(s, 1);
	return store_tx_end(s, err);
}
