#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark for issue 4: what vouchd costs an exec, against no daemon and against the floor
# of any fanotify enforcer (bench/fan-floor.c: the same marks, every event allowed unread);
# the first exec of a 256 MiB binary (vouchd hashes it) against openssl; PROCS processes
# exec'ing at once; and the time from SIGKILL of vouchd to "ready" of a new one, during which
# nothing is enforced.
# Usage: bench/vouchd.sh   (as root)
#   environment: COUNT=10000 (execs per timed loop of the small program), TRUE_COUNT=2500
#   (of /bin/true), ROUNDS=5 (interleaved; medians), PROCS=2 (processes of the burst),
#   BIG_MIB=256, BIG_ROUNDS=5, RESTARTS=9, VOUCHD (a vouchd binary to measure instead of
#   build-release's), BEFORE=264ca90 (the commit whose vouchd section 5 compares against:
#   the one before the review's holes were closed; BEFORE=none skips section 5)
# Safety: everything runs in a private mount namespace (the script re-executes itself under
# unshare -m) and only a tmpfs mounted there is ever marked. The helpers and vouchd's state
# stay off it, so no listener waits on itself. Every loop is bounded, every wait timed out.
# Needs root, unshare, cc, openssl, taskset (scripts/deps bench). Prints the machine and
# Markdown tables for the section "Issue 4: vouchd" of bench/RESULTS.md.
set -euo pipefail
export LC_ALL=C # a '.' decimal point for EPOCHREALTIME and awk
cd "$(dirname "$0")/.."

count=${COUNT:-10000} true_count=${TRUE_COUNT:-2500} rounds=${ROUNDS:-5} procs=${PROCS:-2}
big_mib=${BIG_MIB:-256} big_rounds=${BIG_ROUNDS:-5} restarts=${RESTARTS:-9}
for v in "$count" "$true_count" "$rounds" "$procs" "$big_mib" "$big_rounds" "$restarts"; do
	case $v in
	'' | *[!0-9]*) echo "vouchd.sh: COUNT, TRUE_COUNT, ROUNDS, PROCS, BIG_MIB, BIG_ROUNDS, RESTARTS are integers" >&2; exit 2 ;;
	esac
	[ "$v" -ge 1 ] || { echo "vouchd.sh: every count must be at least 1" >&2; exit 2; }
done
[ "$procs" -le 64 ] && [ "$count" -le 10000000 ] && [ "$big_mib" -le 4096 ] ||
	{ echo "vouchd.sh: PROCS <= 64, COUNT <= 10000000, BIG_MIB <= 4096" >&2; exit 2; }

if [ -z "${VOUCH_BENCH_IN_NS:-}" ]; then
	if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null ||
		! unshare -m --propagation private true 2>/dev/null; then
		echo "vouchd.sh: SKIP: needs root and unshare -m (a private mount namespace for the scratch tmpfs)"
		exit 0
	fi
	for tool in cc openssl awk timeout mkfifo taskset; do
		command -v "$tool" >/dev/null || { echo "vouchd.sh: $tool missing (scripts/deps bench)" >&2; exit 2; }
	done
	scripts/build release >/dev/null
	VOUCH_BENCH_IN_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi

# ---- inside the private mount namespace from here on ----
vouch=$PWD/build-release/src/tool/vouch
vouchd=$(readlink -f "${VOUCHD:-build-release/src/daemon/vouchd}")
W=$(mktemp -d "${TMPDIR:-/tmp}/vouch-bench-vouchd.XXXXXX")
S=$W/scratch
rpid='' rfd='' wpid=''

die() { echo "vouchd.sh: $*" >&2; exit 1; }
# alive PID: the process exists and is not a zombie (kill -0 is true for a zombie).
alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [ "$st" != Z ]; }
# stop: SIGTERM the responder this script started (by its pid), a bounded wait, then SIGKILL.
stop() {
	[ -n "$rpid" ] || return 0
	kill -TERM "$rpid" 2>/dev/null || true
	for _ in $(seq 100); do alive "$rpid" || break; sleep 0.05; done
	kill -KILL "$rpid" 2>/dev/null || true
	wait "$rpid" 2>/dev/null || true
	[ -z "$rfd" ] || exec {rfd}<&-
	rpid='' rfd=''
}
cleanup() {
	[ -z "$wpid" ] || { kill -KILL "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null; } || true
	stop
	umount "$S" 2>/dev/null || true
	cd / && rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$S" "$W/bin"
mount -t tmpfs -o size=$((2 * big_mib + 64))m,mode=0755 vouch-bench "$S" || die "cannot mount the scratch tmpfs"
# Never a host filesystem: the scratch directory must be a tmpfs of its own.
if [ "$(stat -f -c %T "$S")" != tmpfs ] || [ "$(stat -c %d "$S")" = "$(stat -c %d /)" ]; then
	die "$S is not a fresh tmpfs"
fi

# The helpers live off the scratch filesystem, so starting them is never gated.
for p in fan-floor exec-loop open-loop; do
	cc -std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -o "$W/bin/$p" "bench/$p.c" || die "cannot build $p"
done
# The small program: no libc, no loader, exits 0 at once; an exec and nothing else.
# shellcheck disable=SC2016 # the dollar is assembly, not shell
printf '%s\n' 'void _start(void) { __asm__ volatile("mov $60, %eax; xor %edi, %edi; syscall"); }' |
	cc -O2 -static -nostdlib -o "$W/bin/nop" -x c - || die "cannot build the no-libc program"
floor=$W/bin/fan-floor loop=$W/bin/exec-loop oloop=$W/bin/open-loop
mkfifo "$W/ready"

# start KIND: none, floor or vouchd; waits (10 s at most) for its "ready" through a fifo.
start() {
	local cmd line=''
	case $1 in
	none) return 0 ;;
	floor) cmd=("$floor" "$S") ;;
	vouchd) cmd=("$vouchd" --foreground --state "$W/st" --watch "$S") ;;
	before) cmd=("$vouchd_before" --foreground --state "$W/st-before" --watch "$S") ;;
	esac
	"${cmd[@]}" >"$W/ready" 2>>"$W/$1.log" &
	rpid=$!
	exec {rfd}<"$W/ready"
	read -r -t 10 -u "$rfd" line || true
	[ "$line" = ready ] || { tail -n 5 "$W/$1.log" >&2; die "$1 did not become ready"; }
}
# pin CPU: move every thread of the running responder to CPU (a no-op without one).
pin() { [ -z "$rpid" ] || taskset -a -p -c "$1" "$rpid" >/dev/null; }
# cpu_ns: CPU time of every thread of the running responder so far (0 without one).
cpu_ns() {
	[ -n "$rpid" ] || { echo 0; return; }
	cat /proc/"$rpid"/task/*/schedstat 2>/dev/null | awk '{s += $1} END {printf "%.0f\n", s}' ||
		die "the responder (pid $rpid) is gone"
}
# enforcing: vouchd refuses the untrusted program (timeout's 126: could not run it) and runs
# the trusted ones. Checked after every start: a daemon that does not enforce is not measured.
enforcing() {
	local p rc
	for p in untrusted untrusted-nop; do
		rc=0
		timeout 10 "$S/$p" 2>/dev/null || rc=$?
		[ "$rc" -eq 126 ] || die "vouchd is not enforcing: $p exited $rc, not 126"
	done
	timeout 10 "$S/nop" && timeout 10 "$S/true" || die "vouchd refused a trusted program"
}
# loop [taskset -c N] PROGRAM COUNT [PROCS]: exec-loop, bounded in time (20 ms an exec); its
# line of figures goes to $W/loop.out, and every exec is counted in $execs.
execs=0
loop() {
	local pre=()
	[ "$1" != taskset ] || { pre=("$1" "$2" "$3"); shift 3; }
	execs=$((execs + $2 * ${3:-1}))
	timeout -k 5 $(($2 * ${3:-1} / 50 + 60)) "${pre[@]}" "$loop" "$@" >"$W/loop.out" ||
		die "exec-loop $* failed"
}
us() { echo "${EPOCHREALTIME/./}"; }
median() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# range [FORMAT]: "min-max" of the numbers on stdin (%.1f).
range() { tr ' ' '\n' | awk 'NF' | sort -g | awk -v f="${1:-%.1f}" 'NR == 1 {lo = $1} {hi = $1} END {printf f "-" f, lo, hi}'; }
calc() { awk "BEGIN {printf \"$1\", $2}"; }
# div A B: A / B to two places, or n/a when B is not above zero (an added cost lost in noise).
div() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else printf "n/a"}'; }

# ---- the software: two small trusted programs, a big trusted one, an untrusted one ----
cp "$W/bin/nop" "$S/nop"
cp /bin/true "$S/true"
# The same programs, one byte more: they run (ELF ignores trailing bytes) but are not trusted.
cp /bin/true "$S/untrusted" && printf 'x' >>"$S/untrusted"
cp "$W/bin/nop" "$S/untrusted-nop" && printf 'x' >>"$S/untrusted-nop"
big_bytes=$((big_mib * 1024 * 1024))
{
	cat /bin/true
	head -c "$big_bytes" /dev/zero | openssl enc -aes-128-ctr -nosalt \
		-K 000102030405060708090a0b0c0d0e0f -iv 00000000000000000000000000000000 2>/dev/null
} >"$S/big"
chmod 755 "$S/big"
: >"$W/empty"
for p in nop true untrusted untrusted-nop big; do timeout 10 "$S/$p" || die "$p does not run without a daemon"; done
(
	cd "$W"
	"$vouch" keygen -W -p owner.pub -s owner.sec >/dev/null
	"$vouch" manifest create -o app.manifest "$S/nop" "$S/true" "$S/big"
	"$vouch" sign -s owner.sec app.manifest
	printf 'mode enforce\nsigner owner %s\nmanifest app.manifest signer owner\n' \
		"$(sed -n 2p owner.pub)" >policy.txt
	"$vouch" policy compile policy.txt -s owner.sec -o p.bundle >/dev/null
	"$vouch" policy install -p owner.pub --state "$W/st" p.bundle >/dev/null
) || die "cannot make the policy"
start vouchd
enforcing
stop

ncpu=$(nproc)
split=$((ncpu > 1))
load0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "measuring: $rounds rounds x {none, floor, vouchd}: nop x $count, nop x $count over $procs processes," \
	"/bin/true x $true_count, pinned nop x $((count / 2)) (one CPU$([ $split = 1 ] && echo ', two CPUs'))" >&2

# ---- 1 and 3: exec latency and the burst, interleaved ----
kinds=(none floor vouchd)
# Per kind, space-separated per-round figures: lat (nop, us), tru (/bin/true, us), one (nop,
# both on CPU 0), two (nop on CPU 0, responder on CPU 1), cpu (responder CPU us per exec),
# r1 and rp (execs/s with 1 and PROCS processes).
declare -A lat tru one two cpu r1 rp
for ((r = 0; r < rounds; r++)); do
	msg=''
	for ((i = 0; i < 3; i++)); do
		k=${kinds[$(((i + r) % 3))]}
		start "$k"
		[ "$k" != vouchd ] || enforcing
		execs=0
		loop "$S/nop" 200 # warm: page cache, vouchd's verdict cache
		loop "$S/true" 20
		c0=$(cpu_ns)
		loop "$S/nop" "$count"
		read -r _ _ _ eps x <"$W/loop.out"
		c1=$(cpu_ns)
		lat[$k]+="$x " r1[$k]+="$eps " msg+=" $k $x"
		cpu[$k]+="$(calc %.2f "($c1 - $c0) / 1e3 / $count") "
		loop "$S/nop" $(((count + procs - 1) / procs)) "$procs"
		read -r _ _ _ eps _ <"$W/loop.out"
		rp[$k]+="$eps "
		loop "$S/true" "$true_count"
		read -r _ _ _ _ x <"$W/loop.out"
		tru[$k]+="$x "
		pin 0
		loop taskset -c 0 "$S/nop" $((count / 2 + 1))
		read -r _ _ _ _ x <"$W/loop.out"
		one[$k]+="$x "
		if [ "$split" = 1 ]; then
			pin 1
			loop taskset -c 0 "$S/nop" $((count / 2 + 1))
			read -r _ _ _ _ x <"$W/loop.out"
			two[$k]+="$x "
		fi
		stop
		# The responder must have seen two events (exec, then open) for every exec.
		case $k in
		floor) n=$(sed -n 's/^fan-floor: \([0-9]*\) events$/\1/p' "$W/floor.log" | tail -n 1) ;;
		vouchd) n=$(sed -n 's/^vouchd: stopping: \([0-9]*\) events.*/\1/p' "$W/vouchd.log" | tail -n 1) ;;
		none) n=$((2 * execs)) ;;
		esac
		[ "${n:-0}" -ge $((2 * execs)) ] || die "$k saw ${n:-no} events for $execs execs"
	done
	echo "  round $((r + 1))/$rounds (nop us/exec):$msg" >&2
done

# ---- 2: the first exec of a big binary (vouchd hashes it) against openssl ----
# A fresh vouchd each round has an empty cache. openssl runs with no daemon, so its open of
# the file is not gated; on tmpfs the file is in memory for both.
echo "measuring: $big_rounds rounds of the first exec of a $big_mib MiB binary" >&2
bfirst='' bcached='' ossl=''
for ((r = 0; r < big_rounds; r++)); do
	start vouchd
	enforcing
	loop "$S/big" 1
	read -r _ _ x _ _ <"$W/loop.out"
	loop "$S/big" 5
	read -r _ _ _ _ y <"$W/loop.out"
	stop
	t0=$(us)
	openssl dgst -sha256 "$S/big" >/dev/null
	t1=$(us)
	openssl dgst -sha256 "$W/empty" >/dev/null
	t2=$(us)
	bfirst+="$x " bcached+="$(calc %.6f "$y / 1e6") " ossl+="$(((t1 - t0) - (t2 - t1))) "
done
[ "$("$vouch" hash "$S/big" | cut -c1-64)" = "$(openssl dgst -sha256 -r "$S/big" | cut -c1-64)" ] ||
	die "vouch hash and openssl disagree on $S/big"

# ---- 4: SIGKILL and start again; the window with nothing enforced (fan-floor: reference) ----
# restart KIND [WATCH]: SIGKILL the running KIND, start it again; records kill to reaped, start
# to ready and kill to ready. With WATCH, an untrusted program is run back to back from just
# before the kill (exec-loop -w) to see how long it actually gets through.
declare -A win gone up
watched=''
restart() {
	local t0 t1 t2 rc
	if [ -n "${2:-}" ]; then
		timeout -k 2 10 "$loop" -w 1 "$S/untrusted-nop" >"$W/watch.out" &
		wpid=$!
		sleep 0.1
	fi
	t0=$(us)
	kill -KILL "$rpid"
	wait "$rpid" 2>/dev/null || true
	t1=$(us)
	exec {rfd}<&-
	rpid='' rfd=''
	start "$1"
	t2=$(us)
	if [ -n "$wpid" ]; then
		# exec-loop -w stops by itself after 1 s; a run it waits on is answered by now.
		rc=0
		wait "$wpid" || rc=$?
		wpid=''
		[ "$rc" -eq 0 ] || die "exec-loop -w failed"
		read -r _ ran x <"$W/watch.out"
		[ "$ran" -gt 0 ] || x=0
		watched+="$(calc %.0f "$x * 1e6") "
		return
	fi
	win[$1]+="$((t2 - t0)) " gone[$1]+="$((t1 - t0)) " up[$1]+="$((t2 - t1)) "
}
echo "measuring: $restarts restarts after SIGKILL, vouchd and fan-floor" >&2
for ((r = 0; r < restarts; r++)); do
	start vouchd
	sleep 0.2
	restart vouchd
	enforcing
	sleep 0.2
	restart vouchd watch
	enforcing
	stop
	start floor
	sleep 0.2
	restart floor
	stop
done

# ---- 5: what closing the review's holes costs: the vouchd before, and this one, same run ----
# A program users can change is hashed at every exec now (under a read lease), and a file
# users can change is looked at on every open (with RWF_NOWAIT on the reader where the
# filesystem allows it, as ext4 does; tmpfs does not, so a worker reads it there); root's
# files are remembered as before.
before_rev=${BEFORE:-264ca90}
holes=''
if [ "$before_rev" != none ]; then
	echo "measuring: the vouchd of $before_rev against this one" >&2
	mkdir "$W/before-src"
	git archive "$before_rev" | tar -x -C "$W/before-src" || die "cannot read $before_rev"
	(cd "$W/before-src" && meson setup b -Dtests=false -Dbuildtype=debugoptimized >/dev/null &&
		ninja -C b src/daemon/vouchd >/dev/null) || die "cannot build the vouchd of $before_rev"
	vouchd_before=$W/before-src/b/src/daemon/vouchd
	mkdir "$W/st-before"
	cp "$W/st/trust.mdb" "$W/st/policy.bundle" "$W/st-before/"
	# The same files, owned by root and by a user (65534), on the tmpfs and on ext4.
	truncate -s 64M "$W/ext4.img"
	mkfs.ext4 -q -F "$W/ext4.img" || die "mkfs.ext4"
	mkdir "$S/ext4"
	mount -o loop "$W/ext4.img" "$S/ext4" || die "cannot mount the ext4 image"
	head -c 4096 /dev/zero | tr '\0' 't' >"$S/text"
	for d in "$S" "$S/ext4"; do
		cp "$S/text" "$d/root-text"
		cp "$S/text" "$d/user-text"
		cp "$S/nop" "$d/user-nop"
		chown 65534:65534 "$d/user-text" "$d/user-nop"
	done
	cp "$S/nop" "$S/ext4/nop"
	hcount=$((count / 2))
	ops=(exec-root exec-user open-root open-user open-root-ext4 open-user-ext4)
	declare -A hv
	for ((r = 0; r < rounds; r++)); do
		for k in none before vouchd; do
			start "$k"
			[ "$k" = none ] || enforcing
			"$oloop" "$S/user-text" 100 >/dev/null && "$oloop" "$S/ext4/user-text" 100 >/dev/null &&
				"$oloop" "$S/root-text" 100 >/dev/null && "$oloop" "$S/ext4/root-text" 100 >/dev/null ||
				die "open-loop failed under $k"
			loop "$S/user-nop" 50
			loop "$S/nop" "$hcount"
			read -r _ _ _ _ x <"$W/loop.out"
			hv[exec-root.$k]+="$x "
			loop "$S/user-nop" "$hcount"
			read -r _ _ _ _ x <"$W/loop.out"
			hv[exec-user.$k]+="$x "
			for o in root user; do
				read -r _ _ x < <(timeout 120 "$oloop" "$S/$o-text" "$count") || die "open-loop"
				hv[open-$o.$k]+="$x "
				read -r _ _ x < <(timeout 120 "$oloop" "$S/ext4/$o-text" "$count") || die "open-loop"
				hv[open-$o-ext4.$k]+="$x "
			done
			stop
		done
		echo "  holes round $((r + 1))/$rounds" >&2
	done
	umount "$S/ext4"
	holes=1
fi

# ---- report ----
# added NONE KIND: median over rounds of (KIND - none) in the same round, us per exec.
added() {
	local a b i out=''
	read -ra b <<<"$1"
	read -ra a <<<"$2"
	for i in "${!a[@]}"; do out+="$(calc %.3f "${a[$i]} - ${b[$i]}") "; done
	calc %.1f "$(median <<<"$out")"
}
declare -A add
for k in floor vouchd; do
	add[lat.$k]=$(added "${lat[none]}" "${lat[$k]}")
	add[tru.$k]=$(added "${tru[none]}" "${tru[$k]}")
	add[one.$k]=$(added "${one[none]}" "${one[$k]}")
	[ "$split" = 0 ] || add[two.$k]=$(added "${two[none]}" "${two[$k]}")
done
med() { calc "${2:-%.1f}" "$(median <<<"$1")"; }
cell() { echo "$(med "$1") ($(range <<<"$1"))"; }
verdict() {
	[ "$1" != n/a ] || { echo "not measurable"; return; }
	awk -v x="$1" -v op="$2" -v t="$3" 'BEGIN {ok = op == "<=" ? x <= t : x >= t; print ok ? "met" : "MISSED"}'
}
names=([0]="none (no mark)" [1]="floor (fan-floor)" [2]="vouchd (enforce, cache hot)")

echo
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu:     $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1) ($ncpu CPUs online)"
echo "kernel:  $(uname -sr)"
echo "load:    $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (1/5/15 min)"
echo "vouchd:  $("$vouchd" --version) ($vouchd); helpers cc -O2"
echo "openssl: $(openssl version)"
echo "runs:    $rounds rounds of {none, floor, vouchd}, interleaved, each its own start; medians (min-max);"
echo "         'added' is the median over rounds of (responder - none) in the same round"
echo
echo "| responder | nop: us/exec | added | /bin/true: us/exec | added | responder CPU us/exec |"
echo "|---|---:|---:|---:|---:|---:|"
for i in 0 1 2; do
	k=${kinds[$i]}
	echo "| ${names[$i]} | $(cell "${lat[$k]}") | ${add[lat.$k]:--} | $(cell "${tru[$k]}") |" \
		"${add[tru.$k]:--} | $(med "${cpu[$k]}" %.2f) |"
done
echo
echo "| responder | nop, all on CPU 0: us/exec | added |$([ $split = 1 ] && echo ' nop on CPU 0, responder on CPU 1 | added |')"
echo "|---|---:|---:|$([ $split = 1 ] && echo '---:|---:|')"
for i in 0 1 2; do
	k=${kinds[$i]}
	echo "| ${names[$i]} | $(cell "${one[$k]}") | ${add[one.$k]:--} |$([ $split = 1 ] &&
		echo " $(cell "${two[$k]}") | ${add[two.$k]:--} |")"
done
echo
echo "| burst (nop) | execs/s, 1 process | execs/s, $procs processes | $procs / 1 |"
echo "|---|---:|---:|---:|"
for i in 0 1 2; do
	k=${kinds[$i]}
	echo "| ${names[$i]} | $(med "${r1[$k]}" %.0f) | $(med "${rp[$k]}" %.0f) |" \
		"$(div "$(median <<<"${rp[$k]}")" "$(median <<<"${r1[$k]}")") |"
done
mfirst=$(median <<<"$bfirst") mcached=$(median <<<"$bcached") mossl=$(median <<<"$ossl")
vmbs=$(awk -v b="$big_bytes" -v t="$(calc %.6f "$mfirst - $mcached")" 'BEGIN {printf "%.0f", (t > 0 ? b / 1e6 / t : 0)}')
ombs=$(awk -v b="$big_bytes" -v t="$mossl" 'BEGIN {printf "%.0f", (t > 0 ? b / t : 0)}')
echo
echo "| first exec of a $big_mib MiB trusted binary (tmpfs) | s, median (min-max) | MB/s |"
echo "|---|---:|---:|"
echo "| first exec under a fresh vouchd (uncached) | $(med "$bfirst" %.4f) ($(range %.4f <<<"$bfirst")) | |"
echo "| the next execs (cached) | $(med "$bcached" %.4f) | |"
echo "| vouchd's part: first - cached | $(calc %.4f "$mfirst - $mcached") | $vmbs |"
echo "| openssl dgst -sha256, minus its run on an empty file | $(calc %.4f "$mossl / 1e6") | $ombs |"
echo
# ms LIST: median of microseconds, in ms, and their range.
ms() { echo "$(calc %.2f "$(median <<<"$1") / 1e3") ($(awk '{for (i = 1; i <= NF; i++) printf "%.2f ", $i / 1e3}' <<<"$1" | range %.2f))"; }
echo "| SIGKILL, then start again ($restarts times) | kill to reaped, ms | start to ready, ms | **kill to ready, ms** | an untrusted program got through for, ms |"
echo "|---|---:|---:|---:|---:|"
echo "| vouchd | $(ms "${gone[vouchd]}") | $(ms "${up[vouchd]}") | **$(ms "${win[vouchd]}")** | $(ms "$watched") |"
echo "| floor (reference) | $(ms "${gone[floor]}") | $(ms "${up[floor]}") | **$(ms "${win[floor]}")** | - |"
ratio=$(div "${add[lat.vouchd]}" "${add[lat.floor]}")
hratio=$(div "$vmbs" "$ombs")
echo
echo "| ratio | figure | target |"
echo "|---|---:|---|"
echo "| vouchd added / floor added, nop | $ratio | <= 1.5: $(verdict "$ratio" "<=" 1.5) |"
echo "| the same, /bin/true (added cost within the noise: see the ranges) | $(div "${add[tru.vouchd]}" "${add[tru.floor]}") | - |"
echo "| the same, all on CPU 0 | $(div "${add[one.vouchd]}" "${add[one.floor]}") | - |"
[ "$split" = 0 ] ||
	echo "| the same, responder on another CPU | $(div "${add[two.vouchd]}" "${add[two.floor]}") | - |"
echo "| responder CPU per exec, vouchd / floor (nop) | $(div "$(median <<<"${cpu[vouchd]}")" "$(median <<<"${cpu[floor]}")") | - |"
echo "| vouchd first-exec hashing / openssl (throughput) | $hratio | >= 0.9: $(verdict "$hratio" ">=" 0.9) |"
if [ -n "$holes" ]; then
	hname=([0]="exec of root's trusted program (cached)" [1]="exec of a user's copy of it (hashed under a lease now)"
		[2]="open of root's 4 KiB text file, tmpfs" [3]="open of a user's 4 KiB text file, tmpfs"
		[4]="open of root's 4 KiB text file, ext4" [5]="open of a user's 4 KiB text file, ext4 (RWF_NOWAIT)")
	echo
	echo "Closing the review's holes (issue 12): the vouchd of $before_rev (before) and this one (now), interleaved"
	echo
	echo "| operation | none: us | before: us | now: us | added before | added now | now / before (added) |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for i in "${!ops[@]}"; do
		o=${ops[$i]}
		ab=$(added "${hv[$o.none]}" "${hv[$o.before]}")
		an=$(added "${hv[$o.none]}" "${hv[$o.vouchd]}")
		echo "| ${hname[$i]} | $(cell "${hv[$o.none]}") | $(cell "${hv[$o.before]}") | $(cell "${hv[$o.vouchd]}") |" \
			"$ab | $an | $(div "$an" "$ab") |"
	done
fi
