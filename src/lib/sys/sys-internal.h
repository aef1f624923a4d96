/* SPDX-License-Identifier: Apache-2.0 */
/* libvouch-sys internals shared between its files and the unit tests; not installed. */
#ifndef VOUCH_SYS_INTERNAL_H
#define VOUCH_SYS_INTERNAL_H

#include "internal.h"

#endif
