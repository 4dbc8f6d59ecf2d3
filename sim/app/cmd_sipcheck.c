/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rtcbench sipcheck FILE... [--json]: a quick linter for captured SIP
 * messages. Each file holds one message (as a datagram would); prints
 * "FILE: ok" or "FILE: invalid: REASON", or with --json one JSON array of
 * {"file","ok","reason","kind"}. Exit 0 only when every file is ok, 1 when
 * one is invalid, 2 on bad usage or an unreadable file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "app/cmd.h"
#include "base/mem.h"
#include "sip/sip.h"

#define MAX_FILE (1u << 20)

static int read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *d;
	size_t n;
	int err = 0;

	if (!f)
		return errno;
	errno = 0;
	d = mem_alloc(MAX_FILE + 1);
	if (!d) {
		err = ENOMEM;
		goto out;
	}
	n = fread(d, 1, MAX_FILE + 1, f);
	if (ferror(f)) {
		err = errno ? errno : EIO;	/* EISDIR for a folder */
		goto out;
	}
	if (n > MAX_FILE) {
		err = EFBIG;
		goto out;
	}
	*data = d;
	*len = n;
	d = NULL;
out:
	mem_free(d);
	fclose(f);
	return err;
}

static void usage(void)
{
	fprintf(stderr, "usage: rtcbench sipcheck FILE... [--json]\n");
}

int cmd_sipcheck(int argc, char **argv)
{
	static struct sip_msg msg;	/* 7 KB: not on the stack */
	json_t *arr = NULL;
	bool json = false;
	int i, nfiles = 0, rc = 0;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage();
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "rtcbench sipcheck: unknown option "
					"'%s'\n", argv[i]);
			return 2;
		} else {
			nfiles++;
		}
	}
	if (!nfiles) {
		usage();
		return 2;
	}
	if (json)
		arr = json_array();
	for (i = 0; i < argc; i++) {
		uint8_t *data = NULL;
		size_t len = 0;
		int err;

		if (argv[i][0] == '-' && argv[i][1])
			continue;
		if ((err = read_file(argv[i], &data, &len))) {
			fprintf(stderr, "rtcbench sipcheck: %s: %s\n", argv[i],
				strerror(err));
			rc = 2;
			continue;
		}
		err = sip_msg_decode(&msg, data, len);
		if (err && rc == 0)
			rc = 1;
		if (json) {
			json_t *o = json_object();

			json_object_set_new(o, "file", json_string(argv[i]));
			json_object_set_new(o, "ok", json_boolean(!err));
			if (err)
				json_object_set_new(o, "reason",
						    json_string(msg.err));
			else
				json_object_set_new(o, "kind",
					json_string(msg.is_req ? "request" :
								 "response"));
			json_array_append_new(arr, o);
		} else if (err) {
			printf("%s: invalid: %s\n", argv[i], msg.err);
		} else {
			printf("%s: ok\n", argv[i]);
		}
		mem_free(data);
	}
	if (json) {
		char *s = json_dumps(arr, JSON_INDENT(2));

		if (s) {
			printf("%s\n", s);
			free(s);
		}
		json_decref(arr);
	}
	return rc;
}
