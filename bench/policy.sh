#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark for issue 3, in one run: a manifest of every code file dpkg installed, a policy
# compiled over it, installed, and `vouch check` throughput against sha256sum (and
# `vouch hash`, to show what the decision itself adds) on the same files.
# Usage: bench/policy.sh   (env: RUNS=5 FILES=2000)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5} nfiles=${FILES:-2000}
scripts/build release >/dev/null
vouch=$PWD/build-release/src/tool/vouch
work=$(mktemp -d /var/tmp/vouch-bench-policy.XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"

now() { date +%s.%N; }
# median of the numbers on stdin
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
# timed CMD...: seconds of wall time for one run, output discarded
timed() { local t0 t1; t0=$(now); "$@" >/dev/null 2>&1 || true; t1=$(now); echo "$t1 - $t0" | bc -l; }

"$vouch" keygen -W -p owner.pub -s owner.sec >/dev/null

echo "== manifest of the whole package set (vouch manifest from-dpkg)"
cat /var/lib/dpkg/info/*.md5sums >/dev/null 2>&1 || true
t0=$(now)
"$vouch" manifest from-dpkg -o all.manifest --json >fromdpkg.json 2>fromdpkg.err || true
t1=$(now)
t_dpkg=$(echo "$t1 - $t0" | bc -l)
[ -s all.manifest ] || { echo "bench/policy.sh: from-dpkg wrote no manifest" >&2; exit 1; }
lines=$(wc -l <all.manifest)
mbytes=$(awk '{s += $2} END {printf "%.0f", s / 1e6}' all.manifest)
printf 'from-dpkg: %.1f s (warm cache), %d code files, %s MB hashed; summary: %s\n' \
	"$t_dpkg" "$lines" "$mbytes" "$(cat fromdpkg.json)"
"$vouch" sign -s owner.sec all.manifest

cat >policy.txt <<EOF
mode enforce
signer owner $(sed -n 2p owner.pub)
manifest all.manifest signer owner
EOF

echo "== policy compile over that manifest ($runs runs)"
compile=$(for _ in $(seq "$runs"); do timed "$vouch" policy compile policy.txt -s owner.sec -o p.bundle; done | median)
"$vouch" policy compile policy.txt -s owner.sec -o p.bundle >/dev/null
install=$(for _ in $(seq "$runs"); do rm -rf st; timed "$vouch" policy install -p owner.pub --state st p.bundle; done | median)
"$vouch" policy install -p owner.pub --state st --allow-rollback p.bundle >/dev/null
printf 'compile: %.3f s median for %d manifest lines (bundle %d bytes); install: %.3f s\n' \
	"$compile" "$lines" "$(stat -c %s p.bundle)" "$install"

echo "== policy compile over a synthetic manifest of ${big:=${BIG:-1000000}} entries"
openssl rand -hex $((32 * big)) | fold -w 64 | awk '{printf "%s %d /synthetic/%d\n", $1, NR, NR}' |
	LC_ALL=C sort >big.manifest
"$vouch" sign -s owner.sec big.manifest
sed 's/^manifest all.manifest .*/manifest big.manifest signer owner/' policy.txt >big.txt
bigc=$(for _ in $(seq 3); do timed "$vouch" policy compile big.txt -s owner.sec -o big.bundle; done | median)
"$vouch" policy compile big.txt -s owner.sec -o big.bundle >/dev/null
bigi=$(for _ in $(seq 3); do rm -rf bst; timed "$vouch" policy install -p owner.pub --state bst big.bundle; done | median)
printf 'compile: %.2f s median of 3 for %d entries (manifest %d MB, bundle %d MB); install: %.2f s\n' \
	"$bigc" "$big" "$(($(stat -c %s big.manifest) / 1000000))" "$(($(stat -c %s big.bundle) / 1000000))" "$bigi"
rm -rf big.manifest big.bundle bst

echo "== vouch check against sha256sum on the same $nfiles files ($runs runs, interleaved)"
# Regular files the manifest lists (code files: what check is asked about), readable now.
cut -d' ' -f3- all.manifest | grep -v '\\' | while IFS= read -r f; do
	[ -f "$f" ] && [ -r "$f" ] && printf '%s\0' "$f"
done | head -z -n "$nfiles" >files.list || true # head closing early is expected
count=$(tr -cd '\0' <files.list | wc -c)
total=$(xargs -0 stat -c %s <files.list | awk '{s += $1} END {print s}')
xargs -0 cat <files.list >/dev/null # warm the page cache: the CPU work is measured
: >t.check; : >t.sum; : >t.hash
for _ in $(seq "$runs"); do
	timed xargs -0 "$vouch" check --state st <files.list >>t.check
	timed xargs -0 sha256sum <files.list >>t.sum
	timed xargs -0 "$vouch" hash <files.list >>t.hash
done
c=$(median <t.check) s=$(median <t.sum) h=$(median <t.hash)
denied=$(xargs -0 "$vouch" check --state st <files.list 2>/dev/null | grep -c ': deny' || true)
printf 'files: %d, %.1f MB, page cache warm; denied by the policy: %d (must be 0)\n' \
	"$count" "$(echo "$total / 1000000" | bc -l)" "$denied"
printf '| command | wall s (median of %d) | files/s | MB/s |\n|---|---:|---:|---:|\n' "$runs"
for row in "vouch check --state:$c" "sha256sum:$s" "vouch hash:$h"; do
	name=${row%%:*} t=${row##*:}
	printf '| %s | %.3f | %.0f | %.0f |\n' "$name" "$t" "$(echo "$count / $t" | bc -l)" \
		"$(echo "$total / 1000000 / $t" | bc -l)"
done
printf '\nratio vouch check / sha256sum (throughput): %.2f\n' "$(echo "$s / $c" | bc -l)"
printf 'ratio vouch check / vouch hash (throughput): %.2f\n' "$(echo "$h / $c" | bc -l)"
