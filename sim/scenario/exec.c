/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Child processes for the live backend (refctl, openssl): fork/exec with a
 * deadline, stdout collected into a buffer, the last stderr line kept for
 * the error message. A child past its deadline is killed: a platform that
 * does not answer fails the step, it never hangs the run.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "base/buf.h"
#include "scenario/run_int.h"

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Keep the last non-empty line of what the child wrote on stderr. */
static void last_line(struct buf *e, char *err, size_t errsz)
{
	char *s = e->len ? (char *)e->data : (char *)"", *end, *st;

	end = s + e->len;
	while (end > s && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	st = end;
	while (st > s && st[-1] != '\n')
		st--;
	snprintf(err, errsz, "%.*s", (int)(end - st), st);
}

int scn_exec(char *const argv[], unsigned timeout_ms, struct buf *out,
	     char *err, size_t errsz)
{
	int po[2], pe[2], status = 0, rc = -1;
	struct buf eb;
	uint64_t deadline = mono_ms() + timeout_ms;
	pid_t pid;
	int open_fds = 2;

	buf_init(&eb);
	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC)) {
		snprintf(err, errsz, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errsz, "fork: %s", strerror(errno));
		close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execvp(argv[0], argv);
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	while (open_fds) {
		struct pollfd pf[2] = { { po[0], POLLIN, 0 },
					{ pe[0], POLLIN, 0 } };
		uint64_t now = mono_ms();
		char b[4096];
		int i;

		if (now >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			snprintf(err, errsz, "%s timed out after %u ms",
				 argv[0], timeout_ms);
			goto out;
		}
		if (poll(pf, 2, (int)(deadline - now)) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			ssize_t n;

			if (pf[i].fd < 0 || !(pf[i].revents &
					      (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(pf[i].fd, b, sizeof(b));
			if (n <= 0) {
				close(pf[i].fd);
				if (i == 0)
					po[0] = -1;
				else
					pe[0] = -1;
				open_fds--;
				continue;
			}
			if (i == 0 && out)
				buf_put(out, b, (size_t)n);
			else if (i == 1 && eb.len < 65536)
				buf_put(&eb, b, (size_t)n);
		}
	}
	if (waitpid(pid, &status, 0) < 0) {
		snprintf(err, errsz, "waitpid: %s", strerror(errno));
		goto out;
	}
	last_line(&eb, err, errsz);
	if (WIFEXITED(status))
		rc = WEXITSTATUS(status);
	else
		snprintf(err, errsz, "%s killed by signal %d", argv[0],
			 WTERMSIG(status));
out:
	if (po[0] >= 0)
		close(po[0]);
	if (pe[0] >= 0)
		close(pe[0]);
	buf_fini(&eb);
	return rc;
}
