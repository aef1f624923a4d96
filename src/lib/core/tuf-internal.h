/* SPDX-License-Identifier: Apache-2.0 */
/* TUF internals shared between the core's tuf-*.c files and the unit tests; not installed. */
#ifndef VOUCH_TUF_INTERNAL_H
#define VOUCH_TUF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* A malloc'd copy of the string @s (strdup(), which the core's allow-list leaves out). */
char *vouch_tuf_strdup(const char *s);

#endif
