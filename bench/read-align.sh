#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Why `vouch hash` trails OpenSSL here: kernel copy time of read() against the buffer's page offset.
# Usage: bench/read-align.sh   (environment: RUNS=3, SIZE_MIB=1024, CHUNKS="8192 65536 262144")
# SHA-256s one file through read() into buffers that start OFFSET bytes into a page, and prints
# the median user and sys CPU seconds per offset and chunk size. glibc's malloc() of a block
# above its mmap threshold (128 KiB) returns page offset 16, which is what libvouch reads into.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
size_mib=${SIZE_MIB:-1024}
chunks=${CHUNKS:-"8192 65536 262144"}
offsets="0 8 16 24 32 48 64 144 4080"

scratch=$(mktemp -d /dev/shm/vouch-align.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
cc -O2 -o "$scratch/read-align" bench/read-align.c -lcrypto
head -c $((size_mib * 1024 * 1024)) /dev/zero |
	openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f \
		-iv 00000000000000000000000000000000 >"$scratch/data.bin" 2>/dev/null

median() { sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
echo "$size_mib MiB on $(df -PT "$scratch" | awk 'NR == 2 {print $2}'), $runs runs each (interleaved), medians"
echo "| chunk | page offset | user s | sys s |"
echo "|---:|---:|---:|---:|"
declare -A user sys
for ((r = 0; r < runs; r++)); do
	for c in $chunks; do
		for o in $offsets; do
			read -r _ _ _ u s < <("$scratch/read-align" "$scratch/data.bin" "$c" "$o")
			user[$c.$o]+="$u " sys[$c.$o]+="$s "
		done
	done
done
for c in $chunks; do
	for o in $offsets; do
		echo "| $c | $o | $(tr ' ' '\n' <<<"${user[$c.$o]}" | awk 'NF' | median) |" \
			"$(tr ' ' '\n' <<<"${sys[$c.$o]}" | awk 'NF' | median) |"
	done
done
