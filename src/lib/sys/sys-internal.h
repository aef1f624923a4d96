/* SPDX-License-Identifier: Apache-2.0 */
/* libvouch-sys internals shared between its files and the unit tests; not installed. */
#ifndef VOUCH_SYS_INTERNAL_H
#define VOUCH_SYS_INTERNAL_H

#include "internal.h"

/* fsync the directory holding @path, after a rename or link in it. Return: 0 or -errno. */
int vouch_fsync_dir(const char *path);

#endif
