/* SPDX-License-Identifier: Apache-2.0 */
/* The kernel's text about its own settings that vouch doctor reads: sysctls, parameters (no I/O).
 */
#ifndef VOUCH_KERNEL_H
#define VOUCH_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Each parser takes @len bytes at @text (not NUL-terminated; what was read of
 * the file) and accepts only the kernel's own spelling. The command line and a
 * build configuration are root's and the boot loader's text, not the kernel's:
 * they are read as the kernel reads them. Pure, thread-safe.
 */

/*
 * vouch_kernel_int() - a sysctl's value as /proc/sys shows a single integer:
 * an optional '-', decimal digits (no '+', no leading zeros, no "-0", no
 * spaces), then "\n" or the end of @text. @v: receives it. Return: 0, or -EINVAL (@v is then 0),
 * also for a number outside int64_t.
 */
int vouch_kernel_int(const char *text, size_t len, int64_t *v);

/*
 * vouch_kernel_bool() - a boolean module parameter as /sys/module/M/parameters
 * shows one: "Y" or "N", then "\n" or the end. Return: 0 with *@v set, or -EINVAL.
 */
int vouch_kernel_bool(const char *text, size_t len, bool *v);

/* The kernel lockdown levels (/sys/kernel/security/lockdown), weakest first. */
enum vouch_lockdown {
	VOUCH_LOCKDOWN_NONE,
	VOUCH_LOCKDOWN_INTEGRITY,
	VOUCH_LOCKDOWN_CONFIDENTIALITY,
};

/*
 * vouch_kernel_lockdown() - the level selected in the lockdown file: words
 * separated by one space, each of them "none", "integrity" or
 * "confidentiality", exactly one in brackets ("none [integrity]
 * confidentiality"), then "\n" or the end.
 * Return: 0 with *@level set, or -EINVAL.
 */
int vouch_kernel_lockdown(const char *text, size_t len, enum vouch_lockdown *level);

/*
 * vouch_kernel_release() - the version at the start of a kernel release
 * (uname -r: "6.1.0-27-amd64", "6.12.9+bpo-amd64", "2.6.60"): MAJOR.MINOR in
 * decimal, each at most 65535, then the end or anything but a digit.
 * Return: 0 with *@major and *@minor set, or -EINVAL.
 */
int vouch_kernel_release(const char *text, size_t len, unsigned *major, unsigned *minor);

/*
 * vouch_kernel_cmdline() - the value of boot parameter @name on a kernel
 * command line (/proc/cmdline), as the kernel takes it: words separated by
 * white space, a double quote keeping spaces in a word and dropped around
 * a value; '-' and '_' in names the same; the words after a lone "--" are
 * init's, not the kernel's; of several, the last. A word without '=' gives
 * no value and is not counted.
 * @val: receives the value, NUL-terminated, in @cap bytes.
 * Return: 0; -ENOENT if @name is not given a value; -ENAMETOOLONG if the
 * value does not fit (@val is then "").
 */
int vouch_kernel_cmdline(const char *text, size_t len, const char *name, char *val, size_t cap);

/*
 * vouch_kernel_config() - the value of option @name ("CONFIG_PROC_MEM_NO_FORCE")
 * in a kernel build configuration (/boot/config-RELEASE): the line that begins
 * "@name=" (the value is the rest of it; of several, the last).
 * @val: as for vouch_kernel_cmdline().
 * Return: 0; -ENOENT if no line sets it ("# @name is not set" included);
 * -ENAMETOOLONG.
 */
int vouch_kernel_config(const char *text, size_t len, const char *name, char *val, size_t cap);

#endif
