/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mkdir -p, written once for refd's data_dir and the bench's output folders.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "base/fs.h"

int fs_mkdir_p(const char *path, mode_t mode)
{
	char p[4096];
	size_t i, n = strlen(path);

	if (n >= sizeof(p))
		return ENAMETOOLONG;
	memcpy(p, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i])
			continue;
		p[i] = 0;
		if (mkdir(p, mode) && errno != EEXIST)
			return errno;
		p[i] = path[i];
	}
	return 0;
}
