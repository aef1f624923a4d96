/* SPDX-License-Identifier: Apache-2.0 */
/* vouchd's verdicts: which may be remembered (only about files only root can change), and where. */
#include "daemon.h"

/*
 * The invariant (see vouchd(8), "Files users can change"): a verdict stands only
 * for the bytes that will run or be mapped. Bytes only root can change stay put
 * (root is trusted), so their verdict is kept by the file's identity and change
 * state; bytes anyone else can change, or a FUSE server gives, can change without
 * the change time moving, so no verdict about them outlives its moment.
 */
bool verdict_changeable(const struct stat *st, bool served)
{
	return served || st->st_uid != 0 || (st->st_mode & (S_IWGRP | S_IWOTH));
}

bool verdict_get(struct cache *c, uint32_t gen, const struct job *j, struct cache_val *v)
{
	return !j->changeable && cache_get(c, &j->key, gen, v);
}

void verdict_keep(struct cache *c, uint32_t gen, const struct job *j, bool writers,
                  const struct cache_val *v)
{
	if (!j->changeable && !writers)
		cache_put(c, &j->key, gen, v);
}
