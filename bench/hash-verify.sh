#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark for issue 2: `vouch hash` against `openssl dgst -sha256` and `sha256sum`, and
# `vouch verify` against `minisign -V`, on one 1 GiB file, runs interleaved, medians reported.
# Usage: bench/hash-verify.sh
#   environment: RUNS (default 7, at least 5), SIZE_MIB (default 1024), BENCH_DIR (scratch
#   parent; default /dev/shm when it has room), VOUCH (a vouch binary to measure instead of
#   building and using build-release/src/tool/vouch)
# Needs only Debian packages: openssl, coreutils, minisign (scripts/deps bench installs them).
# Prints the machine, the tool versions and Markdown tables for bench/RESULTS.md. Wall time
# is the figure the targets are judged on; CPU time (user + sys) is printed beside it
# because, unlike wall time, it does not grow when other work shares the CPUs.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-7}
size_mib=${SIZE_MIB:-1024}
case $runs$size_mib in *[!0-9]*) echo "hash-verify: RUNS and SIZE_MIB are integers" >&2; exit 2 ;; esac
[ "$runs" -ge 5 ] || { echo "hash-verify: RUNS must be at least 5" >&2; exit 2; }
bytes=$((size_mib * 1024 * 1024))

for tool in openssl sha256sum b2sum minisign awk; do
	command -v "$tool" >/dev/null || { echo "hash-verify: $tool missing (scripts/deps bench)" >&2; exit 2; }
done
if [ -n "${VOUCH:-}" ]; then
	vouch=$(command -v "$VOUCH") || { echo "hash-verify: VOUCH=$VOUCH not found" >&2; exit 2; }
else
	scripts/build release >/dev/null
	vouch=$PWD/build-release/src/tool/vouch
fi

# On tmpfs the file is memory, so neither the disk nor the page cache is measured.
need_kib=$((bytes / 1024 + 65536))
if [ -n "${BENCH_DIR:-}" ]; then
	parent=$BENCH_DIR
elif [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 {print $4}')" -gt "$need_kib" ] 2>/dev/null; then
	parent=/dev/shm
else
	parent=${TMPDIR:-/tmp}
fi
scratch=$(mktemp -d "$parent/vouch-bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
file=$scratch/data.bin
fs=$(df -PT "$scratch" | awk 'NR == 2 {print $2}')

# Random-looking, reproducible data: AES-128-CTR keystream (fast to make, not compressible).
head -c "$bytes" /dev/zero |
	openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f \
		-iv 00000000000000000000000000000000 >"$file" 2>/dev/null
[ "$(stat -c %s "$file")" -eq "$bytes" ] || { echo "hash-verify: could not make $file" >&2; exit 2; }
[ "$fs" = tmpfs ] || cat "$file" >/dev/null # pre-read into the page cache

# One prehashed minisign signature, made by minisign with an unencrypted key.
minisign -G -W -f -p "$scratch/bench.pub" -s "$scratch/bench.key" >/dev/null
minisign -S -s "$scratch/bench.key" -m "$file" -x "$file.minisig" -t "vouch benchmark" >/dev/null

# The tools must agree before their speed means anything.
want=$(sha256sum "$file" | awk '{print $1}')
got_vouch=$("$vouch" hash "$file" | awk '{print $1}')
got_openssl=$(openssl dgst -sha256 -r "$file" | awk '{print $1}')
if [ "$got_vouch" != "$want" ] || [ "$got_openssl" != "$want" ]; then
	echo "hash-verify: digests differ: sha256sum $want, vouch $got_vouch, openssl $got_openssl" >&2
	exit 1
fi
"$vouch" verify -q -p "$scratch/bench.pub" -x "$file.minisig" "$file"
minisign -V -q -p "$scratch/bench.pub" -x "$file.minisig" -m "$file"

names=(vouch-hash openssl-sha256 sha256sum vouch-verify minisign-verify openssl-blake2b512 b2sum)
run() {
	case $1 in
	vouch-hash) "$vouch" hash "$file" ;;
	openssl-sha256) openssl dgst -sha256 "$file" ;;
	sha256sum) sha256sum "$file" ;;
	vouch-verify) "$vouch" verify -q -p "$scratch/bench.pub" -x "$file.minisig" "$file" ;;
	minisign-verify) minisign -V -q -p "$scratch/bench.pub" -x "$file.minisig" -m "$file" ;;
	openssl-blake2b512) openssl dgst -blake2b512 "$file" ;;
	b2sum) b2sum "$file" ;;
	esac
}

declare -A times cpus
TIMEFORMAT='%3R %3U %3S'
echo "measuring: ${#names[@]} commands x $runs runs on $size_mib MiB ($fs at $parent)" >&2
for ((r = 0; r < runs; r++)); do
	# Interleaved, and each round starts at a different command, so drift in the
	# machine's speed (other load, clock changes) spreads over all of them alike.
	for ((i = 0; i < ${#names[@]}; i++)); do
		n=${names[$(((i + r) % ${#names[@]}))]}
		# bash's time keyword: wall, user and sys seconds of the command.
		t=$({ time run "$n" >/dev/null 2>"$scratch/err" || echo FAILED; } 2>&1) || true
		case $t in *FAILED*) echo "hash-verify: $n failed:" >&2; cat "$scratch/err" >&2; exit 1 ;; esac
		read -r real user sys <<<"$t"
		times[$n]+="$real "
		cpus[$n]+="$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}') "
	done
	echo "  round $((r + 1))/$runs done" >&2
done

# stats "SECONDS..." -> "median min max"
stats() {
	tr ' ' '\n' <<<"$1" | awk 'NF' | sort -g |
		awk '{v[NR] = $1} END {
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.3f %.3f %.3f\n", m, v[1], v[NR] }'
}
declare -A med lo hi cmed clo chi
for n in "${names[@]}"; do
	read -r med[$n] lo[$n] hi[$n] < <(stats "${times[$n]}")
	read -r cmed[$n] clo[$n] chi[$n] < <(stats "${cpus[$n]}")
done
mbs() { awk -v b="$bytes" -v s="$1" 'BEGIN {printf "%.0f", b / 1e6 / s}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
shani=$(grep -qw sha_ni /proc/cpuinfo && echo yes || echo no)
echo
echo "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu:       $cpu ($(nproc) CPUs online; sha_ni: $shani)"
echo "kernel:    $(uname -sr)"
echo "load:      $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min, at the end)"
echo "openssl:   $(openssl version)"
echo "minisign:  $(minisign -v 2>&1)"
echo "vouch:     $("$vouch" --version) ($vouch)"
echo "libsodium: $(dpkg-query -W -f='${Version}' libsodium23 2>/dev/null || echo unknown)"
echo "coreutils: $(sha256sum --version | head -n 1)"
echo "file:      $size_mib MiB on $fs ($scratch); $runs runs each, interleaved; median (min-max)"
echo
echo "| command | wall s, median (min-max) | MB/s (wall) | CPU s, median (min-max) | MB/s (CPU) |"
echo "|---|---:|---:|---:|---:|"
for n in "${names[@]}"; do
	case $n in
	vouch-hash) c="vouch hash" ;;
	openssl-sha256) c="openssl dgst -sha256" ;;
	sha256sum) c="sha256sum" ;;
	vouch-verify) c="vouch verify (prehashed ED sig)" ;;
	minisign-verify) c="minisign -V (same sig)" ;;
	openssl-blake2b512) c="openssl dgst -blake2b512 (reference)" ;;
	b2sum) c="b2sum (reference)" ;;
	esac
	echo "| $c | ${med[$n]} (${lo[$n]}-${hi[$n]}) | $(mbs "${med[$n]}") |" \
		"${cmed[$n]} (${clo[$n]}-${chi[$n]}) | $(mbs "${cmed[$n]}") |"
done
verdict() { awk -v x="$1" -v t="$2" 'BEGIN {print (x >= t ? "met" : "MISSED")}'; }
# line LABEL A B TARGET: the ratio A/B of medians, wall and CPU, and the verdict on wall time.
line() {
	local w c t=-
	w=$(ratio "${med[$2]}" "${med[$3]}")
	c=$(ratio "${cmed[$2]}" "${cmed[$3]}")
	[ -z "${4:-}" ] || t=">= $4: $(verdict "$w" "$4")"
	echo "| $1 | $w | $c | $t |"
}
echo
echo "| ratio | wall | CPU | target (judged on wall) |"
echo "|---|---:|---:|---|"
line "vouch hash / openssl dgst -sha256 (throughput)" openssl-sha256 vouch-hash 0.90
line "vouch hash / sha256sum (throughput)" sha256sum vouch-hash
line "minisign -V time / vouch verify time" minisign-verify vouch-verify 1.00
line "vouch verify / openssl dgst -blake2b512 (throughput)" openssl-blake2b512 vouch-verify
line "vouch verify / b2sum (throughput)" b2sum vouch-verify
