/* SPDX-License-Identifier: Apache-2.0 */
/* The decision log on disk: a C2SP tlog-tiles directory with signed checkpoints. */
#ifndef VOUCH_LOG_H
#define VOUCH_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "note.h"
#include "proof.h"
#include "tiles.h"

/*
 * A log directory, served as-is by any static web server:
 *   checkpoint                    C2SP checkpoint, signed note by the device key
 *   tile/L/N[.p/W]                hash tiles (C2SP tlog-tiles)
 *   tile/entries/N[.p/W]          entry bundles: per entry u16 big-endian length, bytes
 *   pruned                        "entries N\ntiles M\n": bundles below N and level-0
 *                                 tiles below M were removed by retention (vouch's own)
 * Every file but checkpoint and pruned is written once and never changed; a
 * partial tile is removed once a newer checkpoint covers a wider one.
 */

struct vouch_log;

/*
 * vouch_log_open() - open (or create) the log in @dir for appending.
 * @key: the device key; the checkpoint must carry its signature and name the
 * key's name as origin. Borrowed, not copied (the key is held once): it must
 * outlive the handle, until vouch_log_close(). Checkpoints are signed through
 * its signer, from whichever thread commits.
 * @max_bytes: retention: after each commit, the oldest full entry bundles (then
 * level-0 tiles) are removed while the directory holds more; 0: keep all.
 * The state is rebuilt from the checkpoint and the tiles it covers and checked
 * against its root. Anything written after the last checkpoint is ignored.
 * Return: 0; VOUCH_E_LOG (the tiles do not give the checkpoint's root);
 * VOUCH_E_NOTE/VOUCH_E_CHECKPOINT/VOUCH_E_WRONGKEY/VOUCH_E_BADSIG (the
 * checkpoint); -errno; VOUCH_E_CRYPTO.
 */
int vouch_log_open(struct vouch_log **out, const char *dir, const struct vouch_note_skey *key,
                   uint64_t max_bytes);
void vouch_log_close(struct vouch_log *log);

/*
 * vouch_log_append() - add one entry in memory; it is on disk after the next
 * successful vouch_log_commit().
 * @index: receives its index, may be NULL.
 * Return: 0; VOUCH_E_TOOBIG (longer than VOUCH_TLOG_ENTRY_MAX); -ENOMEM;
 * VOUCH_E_CRYPTO; -EIO after a failed commit (reopen the log).
 */
int vouch_log_append(struct vouch_log *log, const void *entry, size_t len, uint64_t *index);

/*
 * vouch_log_commit() - make every appended entry durable, then publish a new
 * checkpoint: tiles and bundles are written and fsynced before the checkpoint
 * that covers them is renamed into place. Does nothing if nothing is pending.
 * After a failure the handle refuses further work (-EIO) until reopened; the
 * directory still holds the previous checkpoint and what it covers.
 * Return: 0, -errno, VOUCH_E_CRYPTO.
 */
int vouch_log_commit(struct vouch_log *log);

/*
 * vouch_log_retain_from() - retention never removes an entry at or above @index
 * (the size a witness has seen); VOUCH_LOG_RETAIN_ALL_SEEN, the default, lets
 * retention go by size alone. The log may then grow past max_bytes.
 */
#define VOUCH_LOG_RETAIN_ALL_SEEN UINT64_MAX
void vouch_log_retain_from(struct vouch_log *log, uint64_t index);

/* Entries appended (committed or not), and entries covered by the last checkpoint. */
uint64_t vouch_log_size(const struct vouch_log *log);
uint64_t vouch_log_committed(const struct vouch_log *log);

/* Reading a log directory (read-only, no key needed unless checking signatures). */
struct vouch_log_reader;

/* The pruned record is parsed and checked by vouch_log_pruned_parse() and
 * vouch_log_pruned_check() (tiles.h). */

/*
 * vouch_log_reader_open() - read the pruned record, then the checkpoint in @dir.
 * @key: if not NULL, the checkpoint must carry a valid signature by it.
 * A reader is one thread's at a time; readers of one directory are independent.
 * Return: 0 or as vouch_log_open() for the checkpoint; -ENOENT if there is none
 * (or no @dir); VOUCH_E_LOG if the pruned record is malformed or contradicts the
 * checkpoint (vouch_log_pruned_check()): it is never trusted.
 */
int vouch_log_reader_open(struct vouch_log_reader **out, const char *dir,
                          const struct vouch_note_vkey *key);
void vouch_log_reader_close(struct vouch_log_reader *r);
/* The checkpoint read (its parsed body), and the signed note as it was on disk. */
const struct vouch_checkpoint *vouch_log_reader_checkpoint(const struct vouch_log_reader *r);
const char *vouch_log_reader_note(const struct vouch_log_reader *r, size_t *len);
/* Entry bundles below this index were removed by retention (their entries are gone). */
uint64_t vouch_log_reader_pruned(const struct vouch_log_reader *r);

/*
 * vouch_log_reader_entry() - entry @index (below the checkpoint's size).
 * @data/@len: point into the reader's buffer, valid until the next call.
 * Return: 0; VOUCH_E_NOTFOUND (pruned); VOUCH_E_LOG (bundle malformed);
 * -ENOENT (bundle missing); -errno.
 */
int vouch_log_reader_entry(struct vouch_log_reader *r, uint64_t index, const char **data,
                           size_t *len);

/*
 * vouch_log_reader_entry_checked() - vouch_log_reader_entry(), but only if
 * the entry's bundle matches its level-0 tile and that tile leads to the
 * checkpoint's root (the root's signature is checked if the reader has a key).
 * Cost: the first entry of a bundle hashes the bundle and folds its tile (and
 * the first call, the tree's right edge); the others of that bundle, nothing.
 * Return: as vouch_log_reader_entry(); VOUCH_E_LOG if they do not match;
 * -ENOENT if a tile it needs is missing.
 */
int vouch_log_reader_entry_checked(struct vouch_log_reader *r, uint64_t index, const char **data,
                                   size_t *len);

/* Proofs against the reader's checkpoint; see vouch_tlog_prove_inclusion(). */
int vouch_log_reader_prove(struct vouch_log_reader *r, uint64_t index,
                           uint8_t proof[VOUCH_TLOG_PROOF_MAX][VOUCH_TLOG_HASH], unsigned *n);
int vouch_log_reader_consistency(struct vouch_log_reader *r, uint64_t old,
                                 uint8_t proof[VOUCH_TLOG_PROOF_MAX][VOUCH_TLOG_HASH], unsigned *n,
                                 uint8_t old_root[static VOUCH_TLOG_HASH]);

/*
 * vouch_log_reader_proof_text() - entry @index's inclusion proof as C2SP
 * tlog-proof@v1 text: the entry in "extra", the index, the proof hashes, a
 * blank line and the signed checkpoint (vouch_proof_format()).
 * vouch_log_reader_consistency_text() - the same shape for a consistency proof
 * from the tree of @old entries: VOUCH_CONSISTENCY_HEADER, "old N", hashes,
 * blank line, checkpoint.
 * @out: malloc'd text, owned by the caller. Return: 0 or as the proof functions.
 */
int vouch_log_reader_proof_text(struct vouch_log_reader *r, uint64_t index, char **out,
                                size_t *len);
int vouch_log_reader_consistency_text(struct vouch_log_reader *r, uint64_t old, char **out,
                                      size_t *len);

/* What vouch_log_verify() checked. */
struct vouch_log_report {
	uint64_t size;      /* the checkpoint's */
	uint64_t entries;   /* entries read and hashed */
	uint64_t pruned;    /* entries removed by retention (gone, as the record says) */
	uint64_t tiles;     /* tiles read and checked */
	uint64_t bad_index; /* with VOUCH_E_LOG: the first entry or node that disagrees */
	char what[256];     /* with an error: which file, in words */
};

/*
 * vouch_log_verify() - rebuild the tree from the entries: every entry's hash
 * against its level-0 tile, every tile against the level above, and the root
 * against the checkpoint, whose signature the reader has checked. Bundles and
 * tiles the pruned record calls removed are skipped only if they are gone.
 * Return: 0; VOUCH_E_LOG with @rep->what; -errno (with @rep->what naming the file).
 */
int vouch_log_verify(struct vouch_log_reader *r, struct vouch_log_report *rep);

#endif
