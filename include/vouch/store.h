/* SPDX-License-Identifier: Apache-2.0 */
/* The trust store: the compiled trust set in LMDB, mapped read-only, replaced atomically. */
#ifndef VOUCH_STORE_H
#define VOUCH_STORE_H

#include <limits.h>
#include <stdint.h>

#include "bundle.h"
#include "decide.h"

/*
 * The store file: an LMDB environment (one file, no lock file) whose main
 * database holds "format" (u32), "count" (u64 N), "policy" (as
 * vouch_cpolicy_serialize()), "bits" (u32 B), "table" (the N sorted 48-byte
 * bundle entries) and "dir" (2^B + 1 u32: where each B-bit hash prefix starts
 * in the table), all big-endian; then a seal of VOUCH_STORE_SEAL_LEN bytes:
 * "VOUCHSTO" | u64 big-endian data length D | SHA-256 of the file's first D
 * bytes, where D is the file size less the seal. See src/lib/store.c.
 */
#define VOUCH_STORE_FORMAT   1
#define VOUCH_STORE_SEAL_LEN 48

struct vouch_store;
struct vouch_store_reader;

/*
 * vouch_store_install() - build the store for a parsed (and verified) bundle at
 * @path: written to a temporary file in the same directory, synced, then renamed
 * over @path, and the directory synced. A reader that has the old store open
 * keeps seeing the old set; one that opens after the rename sees the new; a
 * crash at any point leaves the old store intact.
 * The file is created mode 0644 (the policy is readable by everyone). A
 * temporary file left by an installer that died is removed by the next install.
 * The bundle's entries are checked again (sorted, records valid for its policy).
 * Return: 0; -errno; VOUCH_E_STORE (LMDB failure); VOUCH_E_BUNDLE; -ENOMEM.
 */
int vouch_store_install(const char *path, const struct vouch_bundle *b);

/*
 * vouch_store_stage() - the first half of vouch_store_install(): the store written and
 * synced under a temporary name beside @path, returned in @tmp, for a caller that
 * renames it into place together with other files (vouch_file_commit(), or discard).
 * Return: as vouch_store_install().
 */
int vouch_store_stage(const char *path, const struct vouch_bundle *b, char tmp[static PATH_MAX]);

/*
 * vouch_store_open() - map the store at @path read-only (no copy: memory does
 * not grow with the store). The handle is shared by threads; each thread
 * looks up through its own reader. Reads the whole file once, in fixed-size
 * chunks, to check its seal before LMDB maps it, then checks the format
 * version, the policy, and every entry and directory slot (so a lookup needs
 * no checks): O(N), about 0.1-0.2 s per million entries (bench/RESULTS.md).
 * Return: 0; -errno (-ENOENT: no store installed; -EISDIR: a directory); -ENOMEM;
 * VOUCH_E_NOTREGULAR (a FIFO, socket or device: refused, never waited on); VOUCH_E_STORE
 * (damaged, truncated, not a store, or another format version).
 */
int vouch_store_open(struct vouch_store **out, const char *path);
/* The compiled policy stored beside the trust set; owned by @s. */
const struct vouch_cpolicy *vouch_store_policy(const struct vouch_store *s);
/* Number of entries in the trust set. */
uint64_t vouch_store_count(const struct vouch_store *s);
/* vouch_store_close() - unmap; every reader of @s must be destroyed first. NULL is a no-op. */
void vouch_store_close(struct vouch_store *s);

/*
 * vouch_store_reader_create() - a lookup handle for the calling thread. It
 * holds a long-lived read transaction on the immutable store.
 * Return: 0; -ENOMEM; VOUCH_E_STORE.
 */
int vouch_store_reader_create(struct vouch_store *s, struct vouch_store_reader **out);
/*
 * vouch_store_lookup() - the record for @sha256. No allocation, no system call:
 * one directory slot and, on average, one table entry read from the map.
 * Return: 0 with @rec set; VOUCH_E_NOTFOUND.
 */
int vouch_store_lookup(struct vouch_store_reader *r, const uint8_t sha256[static 32],
                       struct vouch_trust_rec *rec);
/* vouch_store_reader_destroy() - end the reader's transaction. NULL is a no-op. */
void vouch_store_reader_destroy(struct vouch_store_reader *r);

#endif
