#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark for issue 3: the LMDB trust store. Installs a store of ENTRIES random hashes,
# opens it, times LOOKUPS lookups from one thread (half present, half absent) against binary
# search over the mapped bundle, and reports the process's RssAnon/RssFile/VmHWM.
# Usage: bench/store.sh     (environment: ENTRIES=1000000 LOOKUPS=10000000 REPS=5 BENCH_DIR=<dir>)
# Needs the build dependencies only (libcrypto, libsodium, lmdb). Prints Markdown tables for
# the section "Trust store (issue 3)" of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

entries=${ENTRIES:-1000000}
lookups=${LOOKUPS:-10000000}
reps=${REPS:-5}
case $entries$lookups$reps in *[!0-9]*) echo "store.sh: ENTRIES, LOOKUPS, REPS are integers" >&2; exit 2 ;; esac

scripts/build release >/dev/null
# On a disk, not tmpfs, by default: the install's fsyncs are part of what is measured.
parent=${BENCH_DIR:-/var/tmp}
scratch=$(mktemp -d "$parent/vouch-store-bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
fs=$(df -PT "$scratch" | awk 'NR == 2 {print $2}')

# Built like the tool: against the release build's libvouch.
# shellcheck disable=SC2046
cc -std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -Iinclude -o "$scratch/store-bench" bench/store-bench.c \
	build-release/src/lib/libvouch-sys.a build-release/src/lib/libvouch-core.a $(pkg-config --cflags --libs libcrypto libsodium lmdb) -lpthread

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu:     $cpu ($(nproc) CPUs online; L3 $(getconf LEVEL3_CACHE_SIZE 2>/dev/null || echo ?) bytes)"
echo "kernel:  $(uname -sr)"
echo "lmdb:    $(dpkg-query -W -f='${Version}' liblmdb0 2>/dev/null || echo unknown)"
echo "store:   $fs ($scratch), build-release (debugoptimized) libvouch, bench cc -O2"
echo
"$scratch/store-bench" "$scratch" "$entries" "$lookups" "$reps"
echo
echo "load:    $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, at the end)"
