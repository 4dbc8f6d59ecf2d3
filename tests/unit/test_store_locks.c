/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SQLite's locks in a process that opens the store twice (refd: the SIP
 * loop's connection, then the XCAP and push threads' own). POSIX record
 * locks belong to the process and any close() of the database file
 * drops all of them, whichever connection took them; SQLite then still
 * believes it holds its shared lock. Another process (refctl) closing
 * its connection would take the exclusive lock, think it is the last
 * one, checkpoint and unlink the -wal and -shm files under refd's feet:
 * refd's later writes went to an unlinked WAL, invisible to everyone
 * until refd exited (and two WALs can corrupt the database). This suite
 * checks the WAL survives that sequence and every write stays visible,
 * and that refd's read window (store_read_begin) is a snapshot that any
 * write of its own ends first: a write on a stale snapshot would fail
 * (SQLITE_BUSY_SNAPSHOT) once another process has written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "base/mem.h"
#include "store/store.h"
#include "test_store_util.h"

static int count_cb(void *arg, const struct store_account *a)
{
	(void)a;
	(*(int *)arg)++;
	return 0;
}

static void add(struct store *s, const char *user)
{
	struct store_account a;

	memset(&a, 0, sizeof(a));
	a.user = pl_from_str(user);
	a.domain = pl_from_str("example.test");
	a.ha1_md5 = pl_from_str("0123456789abcdef0123456789abcdef");
	a.ha1_sha256 = pl_from_str("0123456789abcdef0123456789abcdef"
				   "0123456789abcdef0123456789abcdef");
	a.pwhash = pl_from_str("$argon2id$v=19$m=65536,t=2,p=1$test");
	assert_int_equal(store_account_add(s, &a, NULL), 0);
}

/*
 * In another process: open, add user, close (the refctl of a scenario).
 * A fresh program (this one, re-executed), not a bare fork: a forked
 * child inherits SQLite's in-memory lock bookkeeping and would not see
 * the problem.
 */
static void child_write(const char *dir, const char *user)
{
	pid_t pid = fork();
	int st = 0;

	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/proc/self/exe", "test_store_locks", "--child", dir,
		      user, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_store_locks_second_open(void **state)
{
	int64_t blocks = mem_blocks();
	struct store *s1, *s2, *s3;
	char dir[64], wal[128];
	int n = 0;

	(void)state;
	tdir_make(dir, sizeof(dir), "locks");
	snprintf(wal, sizeof(wal), "%s/platform.db-wal", dir);
	assert_int_equal(store_open(&s1, dir, NULL, NULL, 0), 0);
	add(s1, "first");
	/* the second connection of this process (XCAP thread) */
	assert_int_equal(store_open(&s2, dir, NULL, NULL, 0), 0);
	/* refctl in another process, while both are open */
	child_write(dir, "fromchild");
	assert_int_equal(access(wal, F_OK), 0);
	/* a write of ours after it: on disk, seen by a third process */
	add(s2, "second");
	child_write(dir, "again");
	assert_int_equal(access(wal, F_OK), 0);
	assert_int_equal(store_open(&s3, dir, NULL, NULL, 0), 0);
	assert_int_equal(store_account_list(s3, count_cb, &n), 0);
	assert_int_equal(n, 4);
	store_close(s3);
	store_close(s2);
	store_close(s1);
	tdir_remove(dir);
	assert_int_equal(mem_blocks(), blocks);
}

static int ha1(struct store *s, const char *user)
{
	struct pl u = pl_from_str(user), d = pl_from_str("example.test");
	char hex[80];

	return store_account_ha1(s, &u, &d, STORE_HA1_MD5, hex, sizeof(hex));
}

static void test_store_locks_read_window(void **state)
{
	int64_t blocks = mem_blocks();
	struct store *s;
	char dir[64];

	(void)state;
	tdir_make(dir, sizeof(dir), "rwin");
	assert_int_equal(store_open(&s, dir, NULL, NULL, 0), 0);
	add(s, "first");
	assert_int_equal(store_read_begin(s), 0);
	assert_int_equal(store_read_begin(s), 0);	/* already open */
	assert_int_equal(ha1(s, "first"), 0);
	/* refctl adds an account while the window is open: not seen yet */
	child_write(dir, "fromchild");
	assert_int_not_equal(ha1(s, "fromchild"), 0);
	/* our own write ends the window first and succeeds */
	add(s, "mine");
	assert_int_equal(ha1(s, "fromchild"), 0);
	assert_int_equal(store_read_end(s), 0);		/* already ended */
	/* a new window sees everything; a batch ends it too */
	assert_int_equal(store_read_begin(s), 0);
	assert_int_equal(ha1(s, "mine"), 0);
	child_write(dir, "later");
	assert_int_equal(store_batch_begin(s), 0);
	add(s, "inbatch");
	assert_int_equal(ha1(s, "later"), 0);
	assert_int_equal(store_batch_commit(s), 0);
	/* and a window is simply closed */
	assert_int_equal(store_read_begin(s), 0);
	assert_int_equal(ha1(s, "inbatch"), 0);
	assert_int_equal(store_read_end(s), 0);
	store_close(s);
	tdir_remove(dir);
	assert_int_equal(mem_blocks(), blocks);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_locks_second_open),
		cmocka_unit_test(test_store_locks_read_window),
	};

	if (argc == 4 && !strcmp(argv[1], "--child")) {
		struct store *s;

		if (store_open(&s, argv[2], NULL, NULL, 0))
			return 1;
		add(s, argv[3]);
		store_close(s);
		return 0;
	}
	return cmocka_run_group_tests_name("store_locks", tests, NULL, NULL);
}
