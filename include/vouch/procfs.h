/* SPDX-License-Identifier: Apache-2.0 */
/* The two facts vouchd reads from /proc text: a process's terminal and a thread's real uid (no I/O). */
#ifndef VOUCH_PROCFS_H
#define VOUCH_PROCFS_H

#include <stddef.h>
#include <stdint.h>

/*
 * The kernel writes these files, but a process chooses its own command name
 * (prctl PR_SET_NAME, or the name of the file it ran): up to 15 bytes of
 * anything but NUL, ')' and spaces included. The parsers never let that name
 * stand for a field. Pure, thread-safe; @text need not be NUL-terminated and
 * may be cut short (what was read of the file), as long as it holds the field.
 */

/*
 * vouch_proc_stat_tty() - the tty_nr field (the seventh) of /proc/PID/stat:
 * "PID (COMM) STATE PPID PGRP SESSION TTY_NR ...". COMM ends at the last ')'
 * of @text; the fields after it are single-space separated, STATE one
 * character, PPID, PGRP and SESSION decimal, TTY_NR decimal with an optional
 * '-' (the kernel prints the encoded device as a signed int).
 * @tty: receives the kernel's encoding of the terminal's device (major in
 * bits 8-19, minor in bits 0-7 and 20-31); 0: no controlling terminal.
 * Return: 0, or -EINVAL if @text is not such a line (@tty is then 0).
 */
int vouch_proc_stat_tty(const char *text, size_t len, uint32_t *tty);

/*
 * vouch_proc_status_ruid() - the real uid in /proc/PID/status: the first
 * number of the one line that begins "Uid:" ("Uid:\tREAL\tEFFECTIVE\t...").
 * Text with two such lines is refused: the kernel writes one, and escapes
 * line breaks in the command name on the line before.
 * @uid: receives it. Return: 0, or -EINVAL (@uid is then 0).
 */
int vouch_proc_status_ruid(const char *text, size_t len, uint32_t *uid);

#endif
