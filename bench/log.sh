#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark for issue 5: the decision log. (1) appends per second on one core, hashing
# included, in batches with a commit (fsyncs, checkpoint) per batch, on tmpfs and on disk;
# `vouch log verify` against one pass of SHA-256 over the same bytes. (2) what logging costs an
# exec with vouchd enforcing: vouchd --no-log, vouchd logging as by default (first allow of
# each file), and vouchd with the policy's 'log all' (every exec recorded), interleaved rounds.
# Usage: bench/log.sh   (environment: ENTRIES=1000000 BATCH=65536 REPS=5 COUNT=5000 ROUNDS=5)
# Prints Markdown for "Decision log (issue 5)" in bench/RESULTS.md. Daemons run only in a
# private mount namespace over a fresh tmpfs.
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${ENTRIES:-1000000} batch=${BATCH:-65536} reps=${REPS:-5} count=${COUNT:-5000} rounds=${ROUNDS:-5}
for v in "$entries" "$batch" "$reps" "$count" "$rounds"; do
	case $v in '' | *[!0-9]*) echo "log.sh: ENTRIES, BATCH, REPS, COUNT, ROUNDS are integers" >&2; exit 2 ;; esac
done
[ "$entries" -le 20000000 ] && [ "$count" -le 1000000 ] || { echo "log.sh: ENTRIES <= 20000000, COUNT <= 1000000" >&2; exit 2; }

if [ -z "${VOUCH_BENCH_IN_NS:-}" ]; then
	scripts/build release >/dev/null
	W0=$(mktemp -d /var/tmp/vouch-log-bench.XXXXXX)
	trap 'rm -rf "$W0"' EXIT
	# shellcheck disable=SC2046
	cc -std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -Iinclude -o "$W0/log-bench" bench/log-bench.c \
		build-release/src/lib/libvouch-sys.a build-release/src/lib/libvouch-core.a $(pkg-config --cflags --libs libcrypto libsodium lmdb) -lpthread
	echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu:     $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1) ($(nproc) CPUs)"
	echo "kernel:  $(uname -sr)"
	echo
	for where in /dev/shm /var/tmp; do
		[ -d "$where" ] || continue
		d=$(mktemp -d "$where/vouch-log-bench.XXXXXX")
		echo "### $entries entries, commit every $batch, on $(df -PT "$d" | awk 'NR == 2 {print $2}') ($where)"
		echo
		taskset -c 0 "$W0/log-bench" "$d" "$entries" "$batch" "$reps" || { rm -rf "$d"; exit 1; }
		rm -rf "$d"
		echo
	done
	if [ "$(id -u)" -ne 0 ] || ! unshare -m --propagation private true 2>/dev/null; then
		echo "(exec latency with logging: SKIP, needs root and unshare -m)"
		exit 0
	fi
	VOUCH_BENCH_IN_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi

# ---- inside the private mount namespace: exec latency with and without logging ----
vouch=$PWD/build-release/src/tool/vouch vouchd=$PWD/build-release/src/daemon/vouchd
W=$(mktemp -d "${TMPDIR:-/tmp}/vouch-bench-log.XXXXXX")
S=$W/scratch rpid=''
die() { echo "log.sh: $*" >&2; exit 1; }
stop() {
	[ -n "$rpid" ] || return 0
	kill -TERM "$rpid" 2>/dev/null || true
	for _ in $(seq 100); do kill -0 "$rpid" 2>/dev/null || break; sleep 0.05; done
	kill -KILL "$rpid" 2>/dev/null || true
	wait "$rpid" 2>/dev/null || true
	rpid=''
}
cleanup() { stop; umount "$S" 2>/dev/null || true; cd / && rm -rf "$W"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir "$S" "$W/bin"
mount -t tmpfs -o size=64m,mode=0755 vouch-bench-log "$S" || die "cannot mount the scratch tmpfs"
[ "$(stat -f -c %T "$S")" = tmpfs ] && [ "$(stat -c %d "$S")" != "$(stat -c %d /)" ] || die "$S is not a fresh tmpfs"
cc -std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -o "$W/bin/exec-loop" bench/exec-loop.c || die "cannot build exec-loop"
# shellcheck disable=SC2016
printf '%s\n' 'void _start(void) { __asm__ volatile("mov $60, %eax; xor %edi, %edi; syscall"); }' |
	cc -O2 -static -nostdlib -o "$S/nop" -x c - || die "cannot build the no-libc program"
cp /bin/date "$S/untrusted"
for mode in first all; do
	(
		cd "$W"
		[ -f owner.pub ] || "$vouch" keygen -W -p owner.pub -s owner.sec >/dev/null
		"$vouch" manifest create -o app.manifest "$S/nop"
		"$vouch" sign -s owner.sec app.manifest
		printf 'mode enforce\nlog %s\nsigner owner %s\nmanifest app.manifest signer owner\n' \
			"$mode" "$(sed -n 2p owner.pub)" >policy.txt
		"$vouch" policy compile policy.txt -s owner.sec -o "p-$mode.bundle" >/dev/null
	) || die "cannot make the policies"
done
# start KIND: nolog, first or all; a fresh state (and log) each time.
start() {
	local args=() pol=first
	rm -rf "$W/st"
	case $1 in nolog) args=(--no-log) ;; all) pol=all ;; esac
	"$vouchd" --foreground --state "$W/st" --watch "$S" --policy "$W/p-$pol.bundle" \
		--key "$W/owner.pub" "${args[@]}" >"$W/out" 2>>"$W/$1.log" &
	rpid=$!
	for _ in $(seq 200); do grep -q '^ready$' "$W/out" 2>/dev/null && break; sleep 0.05; done
	grep -q '^ready$' "$W/out" || die "vouchd ($1) did not become ready"
	rc=0; timeout 10 "$S/untrusted" 2>/dev/null || rc=$?
	[ "$rc" -eq 126 ] || die "vouchd ($1) is not enforcing"
}
median() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
kinds=(nolog first all)
declare -A lat ent
for ((r = 0; r < rounds; r++)); do
	for ((i = 0; i < 3; i++)); do
		k=${kinds[$(((i + r) % 3))]}
		start "$k"
		timeout 60 "$W/bin/exec-loop" "$S/nop" 200 >/dev/null || die "warm-up failed"
		timeout -k 5 $((count / 50 + 60)) "$W/bin/exec-loop" "$S/nop" "$count" >"$W/loop.out" || die "exec-loop failed"
		read -r _ _ _ _ x <"$W/loop.out"
		lat[$k]+="$x "
		if [ "$k" != nolog ]; then
			"$vouch" status --json --state "$W/st" >"$W/status.json"
			n=$(sed -n 's/.*"log_entries": *\([0-9]*\).*/\1/p' "$W/status.json")
			ent[$k]+="${n:-0} "
		fi
		stop
	done
	echo "  round $((r + 1))/$rounds" >&2
done
m_no=$(median <<<"${lat[nolog]}") m_first=$(median <<<"${lat[first]}") m_all=$(median <<<"${lat[all]}")
echo "### exec latency with vouchd enforcing (nop x $count, $rounds interleaved rounds, medians)"
echo
echo "| vouchd | us per exec | entries logged per run (median) |"
echo "|---|---|---|"
echo "| --no-log | $m_no | 0 |"
echo "| log first (default) | $m_first | $(median <<<"${ent[first]}") |"
echo "| log all (every exec) | $m_all | $(median <<<"${ent[all]}") |"
echo
awk -v a="$m_no" -v b="$m_first" -v c="$m_all" 'BEGIN {
	printf "logging as by default adds %.1f us an exec (%.2fx); recording every exec adds %.1f us (%.2fx)\n", b - a, b / a, c - a, c / a }'
