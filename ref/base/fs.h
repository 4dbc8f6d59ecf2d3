/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * File-system helpers shared by the daemon and the bench tools.
 */
#ifndef BASE_FS_H
#define BASE_FS_H

#include <sys/types.h>

/* mkdir -p with mode for every level created; 0 or errno
 * (ENAMETOOLONG past 4095 bytes). */
int fs_mkdir_p(const char *path, mode_t mode);

#endif
