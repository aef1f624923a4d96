#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark for issue 6: vouchd and fapolicyd side by side, on the same filesystem, the same
# trusted files and the same work, in one run, as ratios.
#
# Usage: bench/fapolicyd.sh   (as root; prints Markdown for bench/RESULTS.md on stdout)
#   environment: ROUNDS=5 (exec and python rounds), COUNT=20000 (execs of the small program a
#   round), PY_COUNT=200 (python3 -c pass a round), BUILD_ROUNDS=5, COLD_ROUNDS=5,
#   BENCH_CACHE=build-bench (where the Debian image is kept), MIRROR (Debian mirror)
#
# What it does, all from this one command:
#  - installs what it needs (scripts/deps bench) and builds vouch (release);
#  - makes, once, a minimal Debian 12 root with debootstrap in a loop-mounted ext4 image
#    (BENCH_CACHE/debian12.img; reused while its recipe line matches), with build-essential,
#    python3, fapolicyd 1.1.7 (Debian's package, installed into the image and never onto
#    this machine; its service is left disabled, and the image is never booted) and the
#    source of Debian's gawk (apt-get source) to build;
#  - runs every daemon only inside a private mount namespace, on the image alone: vouchd and
#    the floor (bench/fan-floor.c) mark the image's filesystem, fapolicyd runs chrooted into
#    the image, where the only ext4 mount it can see is the image (watch_fs = ext4,
#    allow_filesystem_mark = 0: mount marks), with its config, rules and database on a
#    tmpfs made here and bind-mounted over the image's. Its marks are read back from
#    /proc/PID/fdinfo and anything but the image's mount stops the run;
#  - gives both the same trust set, every file of the image (vouch: a signed manifest of the
#    image; fapolicyd: a trust file of path, size and SHA-256 of every file), and checks
#    after every start that each denies the one untrusted program, so a daemon that is not
#    enforcing is never measured. fapolicyd is measured with integrity = sha256 and none.
# Workloads, inside the image (chroot): (1) exec latency of a small trusted static program,
# unpinned and (1b) with the program and the daemon's threads all on CPU 0; (2) python3 -c
# pass (many shared libraries and modules); (3) a real build: make -j2 of gawk's library,
# program and extensions, in a copy of its tree on the image (configured when the image was
# made: configure runs the test programs it compiles, and both enforcers rightly deny those;
# nothing built is run while a daemon runs); (4) cold start: the first exec of the largest
# program (cc1plus) after dropping the page cache, under a freshly started daemon that has
# to hash it; (5) each daemon's peak RSS (VmHWM) over all of its runs.
# Safety: never marks / or a host mount; every loop is bounded and every wait timed out;
# only the processes this script started are stopped, by their pids.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-5} count=${COUNT:-20000} py=${PY_COUNT:-200}
brounds=${BUILD_ROUNDS:-5} crounds=${COLD_ROUNDS:-5}
for v in "$rounds" "$count" "$py" "$brounds" "$crounds"; do
	case $v in
	'' | *[!0-9]*) echo "fapolicyd.sh: ROUNDS, COUNT, PY_COUNT, BUILD_ROUNDS, COLD_ROUNDS are integers" >&2; exit 2 ;;
	esac
done
[ "$rounds" -le 50 ] && [ "$count" -le 1000000 ] && [ "$py" -le 10000 ] && [ "$brounds" -le 20 ] &&
	[ "$crounds" -le 50 ] || { echo "fapolicyd.sh: a count is too large" >&2; exit 2; }
[ "$rounds" -ge 1 ] && [ "$count" -ge 2 ] && [ "$py" -ge 1 ] && [ "$brounds" -ge 1 ] && [ "$crounds" -ge 1 ] ||
	{ echo "fapolicyd.sh: every count must be at least 1 (COUNT at least 2)" >&2; exit 2; }
cache=$(mkdir -p "${BENCH_CACHE:-build-bench}" && cd "${BENCH_CACHE:-build-bench}" && pwd)
mirror=${MIRROR:-http://deb.debian.org/debian}
img=$cache/debian12.img
# The recipe of the image: a change here makes a new image.
recipe="debian12 minbase build-essential,python3,fapolicyd gawk-source-configured 2"

die() { echo "fapolicyd.sh: $*" >&2; exit 1; }

# ---- on the host: dependencies, vouch, the image; then into a private mount namespace ----
if [ -z "${VOUCH_BENCH_STAGE:-}" ]; then
	[ "$(id -u)" -eq 0 ] || die "needs root (loop mounts, fanotify, chroot)"
	unshare -m --propagation private true 2>/dev/null || die "needs unshare -m (a private mount namespace)"
	scripts/deps bench
	scripts/build release >/dev/null
	if [ "$(cat "$img.ok" 2>/dev/null)" != "$recipe" ]; then
		echo "making the Debian 12 image (once; cached in $img)" >&2
		VOUCH_BENCH_STAGE=image unshare -m --propagation private bash "$0" "$@" ||
			die "could not make the image"
	fi
	VOUCH_BENCH_STAGE=run exec unshare -m --propagation private bash "$0" "$@"
fi

# ---- image stage (in a private mount namespace) ----
if [ "$VOUCH_BENCH_STAGE" = image ]; then
	rm -f "$img" "$img.ok" "$img.new"
	M=$(mktemp -d "${TMPDIR:-/tmp}/vouch-bench-image.XXXXXX")
	# (set -e holds in the trap too: every command there must succeed, or the stage fails)
	trap 'umount -R "$M" 2>/dev/null || true; rmdir "$M" || true; rm -f "$img.new"' EXIT
	truncate -s 6G "$img.new"
	mkfs.ext4 -q -F -L vouch-bench "$img.new"
	mount -o loop "$img.new" "$M"
	timeout 3600 debootstrap --variant=minbase --include=build-essential,python3,fapolicyd \
		bookworm "$M" "$mirror" >"$cache/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$cache/debootstrap.log" >&2; die "debootstrap failed (log: $cache/debootstrap.log)"; }
	# fapolicyd is installed but not enabled: its postinst may have linked the unit in.
	rm -f "$M"/etc/systemd/system/*.wants/fapolicyd.service
	! ls "$M"/etc/systemd/system/*.wants/fapolicyd.service 2>/dev/null || die "fapolicyd is enabled in the image"
	# gawk's source, from Debian (deb-src), unpacked without Debian's patches: a plain
	# upstream tree that builds with ./configure && make.
	echo "deb-src $mirror bookworm main" >"$M/etc/apt/sources.list.d/vouch-bench-src.list"
	mount -t proc proc "$M/proc"
	timeout 1800 chroot "$M" sh -ec 'apt-get update -qq
		mkdir -p /src && cd /src && apt-get source -qq --download-only gawk
		dpkg-source --skip-patches -x gawk_*.dsc gawk >/dev/null
		cd gawk && ./configure -q' >>"$cache/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$cache/debootstrap.log" >&2; die "cannot fetch gawk's source (log: $cache/debootstrap.log)"; }
	umount "$M/proc"
	rm -f "$M/etc/apt/sources.list.d/vouch-bench-src.list"
	chroot "$M" apt-get clean
	chroot "$M" dpkg-query -W fapolicyd gcc-12 python3 >"$cache/versions.txt"
	[ -f "$M/src/gawk/Makefile" ] && [ -x "$M/usr/sbin/fapolicyd" ] || die "the image is incomplete"
	umount "$M"
	mv "$img.new" "$img"
	echo "$recipe" >"$img.ok"
	exit 0
fi

# ---- run stage (in a private mount namespace) from here on ----
vouch=$PWD/build-release/src/tool/vouch vouchd=$PWD/build-release/src/daemon/vouchd
W=$(mktemp -d "${TMPDIR:-/tmp}/vouch-bench-fapolicyd.XXXXXX")
R=$W/root   # the image, mounted: the only filesystem any daemon here marks
F=$W/fapfs  # a tmpfs for fapolicyd's config, database and run directory
rpid='' rkind='' rfd=''
# alive PID: the process exists and is not a zombie.
alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [ "$st" != Z ]; }
stop() {
	[ -n "$rpid" ] || return 0
	kill -TERM "$rpid" 2>/dev/null || true
	for _ in $(seq 200); do alive "$rpid" || break; sleep 0.05; done
	kill -KILL "$rpid" 2>/dev/null || true
	wait "$rpid" 2>/dev/null || true
	[ -z "$rfd" ] || exec {rfd}<&-
	case $rkind in
	fap-*)
		umount "$R/etc/fapolicyd" "$R/var/lib/fapolicyd" 2>/dev/null || true
		rm -rf "$R/run/fapolicyd" "$R/run/fapolicyd.pid"
		;;
	esac
	rpid='' rkind='' rfd=''
}
cleanup() {
	stop
	umount -R "$R" 2>/dev/null || true
	umount "$F" 2>/dev/null || true
	cd / && rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$R" "$F" "$W/bin"
mount -o loop,noatime "$img" "$R" || die "cannot mount $img"
[ "$(stat -f -c %T "$R")" = ext2/ext3 ] && [ "$(stat -c %d "$R")" != "$(stat -c %d /)" ] ||
	die "$R is not the image's own ext4"
imgdev=$(stat -c %d "$R")
mount -t tmpfs -o size=64m,mode=0755 vouch-bench-fap "$F" || die "cannot mount a tmpfs"
mount -t proc proc "$R/proc"
mount --bind /dev "$R/dev"

# The helpers: off the image (the floor), and in it (the probe and the small program).
cc -std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -o "$W/bin/fan-floor" bench/fan-floor.c || die "cannot build fan-floor"
mkdir -p "$R/opt/bench"
cc -std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -o "$R/opt/bench/exec-loop" bench/exec-loop.c || die "cannot build exec-loop"
# shellcheck disable=SC2016 # the dollar is assembly, not shell
printf '%s\n' 'void _start(void) { __asm__ volatile("mov $60, %eax; xor %edi, %edi; syscall"); }' |
	cc -O2 -static -nostdlib -o "$R/opt/bench/nop" -x c - || die "cannot build the no-libc program"
rm -f "$R/opt/bench/untrusted"
# The largest program in the image, for the cold start.
big=$(cd "$R" && find usr/lib/gcc usr/bin -xdev -type f -size +1M -printf '%s /%p\n' | sort -n | tail -n 1 | cut -d' ' -f2)
[ -n "$big" ] || die "no large program in the image"
bigsize=$(stat -c %s "$R$big")

# ---- the trust set: every file of the image, for both ----
echo "trust set: hashing every file of the image" >&2
(
	cd "$W"
	"$vouch" keygen -W -p owner.pub -s owner.sec >/dev/null
	"$vouch" manifest create -x --base "$R" -o image.manifest "$R" --json >manifest.json
	"$vouch" sign -s owner.sec image.manifest
	printf 'mode enforce\nsigner owner %s\nmanifest image.manifest signer owner\n' \
		"$(sed -n 2p owner.pub)" >policy.txt
	"$vouch" policy compile policy.txt -s owner.sec -o image.bundle >/dev/null
	"$vouch" policy install -p owner.pub --state "$W/st" image.bundle >/dev/null
) || die "cannot make vouch's policy"
mkdir -p "$F/etc"
# fapolicyd's trust file: "path size sha256" for every regular file (paths with white space
# cannot be written in it; there are none in a Debian base system, and they are counted).
python3 - "$R" "$F/etc/fapolicyd.trust" >"$W/trust.count" <<'EOF'
import hashlib, os, sys
root, out = sys.argv[1], sys.argv[2]
dev = os.stat(root).st_dev
n = skipped = 0
with open(out + ".tmp", "w") as f:
    f.write("# every file of the benchmark's image\n")
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if os.lstat(os.path.join(d, x)).st_dev == dev]
        for name in files:
            p = os.path.join(d, name)
            st = os.lstat(p)
            if not os.path.isfile(p) or os.path.islink(p) or st.st_dev != dev:
                continue
            rel = "/" + os.path.relpath(p, root)
            if any(c.isspace() for c in rel):
                skipped += 1
                continue
            h = hashlib.sha256()
            with open(p, "rb") as g:
                for b in iter(lambda: g.read(1 << 20), b""):
                    h.update(b)
            f.write(f"{rel} {st.st_size} {h.hexdigest()}\n")
            n += 1
os.rename(out + ".tmp", out)
print(n, skipped)
EOF
read -r ntrust nskipped <"$W/trust.count"
nmanifest=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["files"])' "$W/manifest.json" 2>/dev/null ||
	grep -c . "$W/image.manifest")
# The untrusted program: the small one, one byte longer (it runs; neither trusts it).
cp "$R/opt/bench/nop" "$R/opt/bench/untrusted" && printf 'x' >>"$R/opt/bench/untrusted"

# fapolicyd's rules: Debian's sample rules of the "known-libs" policy (README-rules), without
# the two groups for RPM systems (20-dracut, 21-updaters: they let root's trusted programs
# open and run anything, and dracut and rpm are not on Debian).
rules=(10-languages 30-patterns 40-bad-elf 41-shared-obj 42-trusted-elf 70-trusted-lang 72-shell
	90-deny-execute 95-allow-open)
for r in "${rules[@]}"; do cat "$R/usr/share/fapolicyd/sample-rules/$r.rules"; done >"$F/etc/compiled.rules"
mkdir -p "$F/etc/rules.d" "$F/etc/trust.d"
cp "$F/etc/compiled.rules" "$F/etc/rules.d/50-bench.rules"
fapuid=$(awk -F: '$1 == "fapolicyd" {print $3 ":" $4}' "$R/etc/passwd")
[ -n "$fapuid" ] || die "no fapolicyd user in the image"
# fapolicyd drops to its own user keeping CAP_SYS_RESOURCE among others; where the bounding
# set lacks it (some container sandboxes), that fails, and it has to stay root.
fapuser=fapolicyd
if [ $(((16#$(awk '$1 == "CapBnd:" {print $2}' /proc/self/status) >> 24) & 1)) = 0 ]; then
	fapuser=root
	echo "note: no CAP_SYS_RESOURCE in the bounding set: fapolicyd runs as root (uid = root)" >&2
fi
# fapconf INTEGRITY: Debian's fapolicyd.conf, but only ext4 watched (in the chroot, the image
# is the one ext4 mount), trust from the file only, no report written into the image.
fapconf() {
	sed -e "s/^uid = .*/uid = $fapuser/" -e "s/^gid = .*/gid = $fapuser/" -e "s/^integrity = .*/integrity = $1/" -e 's/^watch_fs = .*/watch_fs = ext4/' \
		-e 's/^trust = .*/trust = file/' -e 's/^do_stat_report = .*/do_stat_report = 0/' \
		-e 's/^allow_filesystem_mark = .*/allow_filesystem_mark = 0/' \
		"$R/etc/fapolicyd/fapolicyd.conf" >"$F/etc/fapolicyd.conf"
	grep -q "^integrity = $1$" "$F/etc/fapolicyd.conf" && grep -q '^allow_filesystem_mark = 0$' "$F/etc/fapolicyd.conf" ||
		die "cannot write fapolicyd.conf"
}
mkfifo "$W/ready"

# marks_ok PID: every fanotify mark of PID is on the image: its mount (mnt_id) or its
# filesystem (sdev); at least one. Otherwise the daemon is stopped and the run ends.
imgmnt=$(awk -v r="$R" '$5 == r {print $1}' /proc/self/mountinfo | tail -n 1)
marks_ok() {
	local f n=0 bad=0 line v
	for f in /proc/"$1"/fdinfo/*; do
		while read -r line; do
			case $line in
			'fanotify mnt_id:'*)
				v=${line#fanotify mnt_id:} v=${v%% *}
				[ "$((16#$v))" = "$imgmnt" ] || bad=1
				n=$((n + 1)) ;;
			'fanotify sdev:'*)
				v=${line#fanotify sdev:} v=${v%% *}
				# the kernel's dev_t (major << 20 | minor) against stat's (major << 8 | minor)
				[ "$(((16#$v >> 20) << 8 | (16#$v & 255)))" = "$imgdev" ] || bad=1
				n=$((n + 1)) ;;
			'fanotify ino:'*) bad=1 ;;
			esac
		done <"$f" 2>/dev/null || true
	done
	[ "$n" -gt 0 ] && [ "$bad" = 0 ]
}
# start KIND: none, floor, vouchd, fap-sha256 or fap-none; bounded waits for "ready".
start() {
	local line='' i
	rkind=$1
	case $1 in
	none) return 0 ;;
	floor | vouchd)
		if [ "$1" = floor ]; then
			"$W/bin/fan-floor" "$R" >"$W/ready" 2>>"$W/floor.log" &
		else
			"$vouchd" --foreground --state "$W/st" --watch "$R" >"$W/ready" 2>>"$W/vouchd.log" &
		fi
		rpid=$!
		exec {rfd}<"$W/ready"
		read -r -t 30 -u "$rfd" line || true
		[ "$line" = ready ] || { tail -n 5 "$W/$1.log" >&2; die "$1 did not become ready"; }
		;;
	fap-*)
		fapconf "${1#fap-}"
		# Its config and a fresh database, bind-mounted for this run only (vouchd would mark
		# the tmpfs under the image, fapolicyd does not: tmpfs is not in its watch_fs).
		rm -rf "${F:?}/lib" && mkdir "$F/lib" && chown "$fapuid" "$F/lib"
		mount --bind "$F/etc" "$R/etc/fapolicyd"
		mount --bind "$F/lib" "$R/var/lib/fapolicyd"
		mkdir -p "$R/run/fapolicyd" && chown "$fapuid" "$R/run/fapolicyd"
		: >"$W/fap.log"
		chroot "$R" /usr/sbin/fapolicyd --debug-deny 2>"$W/fap.log" &
		rpid=$!
		for ((i = 0; i < 1200; i++)); do
			grep -q 'Starting to listen for events' "$W/fap.log" && break
			alive "$rpid" || { tail -n 5 "$W/fap.log" >&2; die "fapolicyd exited"; }
			sleep 0.05
		done
		[ "$i" -lt 1200 ] || { tail -n 5 "$W/fap.log" >&2; die "fapolicyd did not start listening in 60 s"; }
		;;
	esac
	marks_ok "$rpid" || {
		grep -h '^fanotify' /proc/"$rpid"/fdinfo/* >&2 || true
		echo "(the image: mount $imgmnt, device $imgdev)" >&2
		stop
		die "$1 marked something other than the image (above); stopped"
	}
}
# inimg CMD...: a command chrooted into the image, bounded.
inimg() { timeout -k 5 3600 chroot "$R" "$@"; }
# enforcing: the untrusted program is refused (timeout's 126: it could not be run), the
# trusted ones run. After every start; for fapolicyd its own log must name the denial.
enforcing() {
	local rc=0
	inimg /usr/bin/timeout 10 /opt/bench/untrusted 2>/dev/null || rc=$?
	if [ "$rkind" = none ] || [ "$rkind" = floor ]; then
		[ "$rc" -eq 0 ] || die "with $rkind the untrusted program should run, but exited $rc"
	else
		[ "$rc" -eq 126 ] || die "$rkind is not enforcing: the untrusted program exited $rc, not 126"
	fi
	inimg /usr/bin/timeout 10 /opt/bench/nop && inimg /usr/bin/timeout 30 /usr/bin/python3 -c pass ||
		die "$rkind refused a trusted program"
	case $rkind in
	fap-*) grep -q 'path=/opt/bench/untrusted' "$W/fap.log" || die "fapolicyd's log does not show the denial" ;;
	esac
}
# peak KIND: record the running daemon's peak RSS (VmHWM, KiB), the largest seen per kind.
declare -A hwm
peak() {
	local v
	[ -n "$rpid" ] || return 0
	v=$(awk '$1 == "VmHWM:" {print $2}' "/proc/$rpid/status" 2>/dev/null) || return 0
	[ "${hwm[$rkind]:-0}" -ge "${v:-0}" ] || hwm[$rkind]=$v
}
us() { echo "${EPOCHREALTIME/./}"; }
median() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
range() { tr ' ' '\n' | awk 'NF' | sort -g | awk -v f="${1:-%.1f}" 'NR == 1 {lo = $1} {hi = $1} END {printf f "-" f, lo, hi}'; }
calc() { awk "BEGIN {printf \"$1\", $2}"; }
# div A B: A / B to two places; n/a unless both are above zero (an added cost lost in noise).
div() { awk -v a="$1" -v b="$2" 'BEGIN {if (a > 0 && b > 0) printf "%.2f", a / b; else printf "n/a"}'; }
# loop [-0] PROGRAM COUNT [ARG...]: exec-loop in the image, one process (with -0: on CPU 0);
# prints us per run.
loop() {
	local out pre=()
	[ "$1" != -0 ] || { pre=(taskset -c 0); shift; }
	out=$(timeout -k 5 $(($2 / 5 + 120)) "${pre[@]}" chroot "$R" /opt/bench/exec-loop "$1" "$2" 1 "${@:3}") ||
		die "$rkind: exec-loop $* failed"
	awk '{print $5}' <<<"$out"
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
# ---- 1 and 2: exec latency and python3 -c pass, interleaved rounds ----
kinds=(none floor vouchd fap-sha256 fap-none)
declare -A lat one pyt
echo "measuring: $rounds rounds x ${#kinds[@]} configurations: nop x $count, python3 -c pass x $py" >&2
for ((r = 0; r < rounds; r++)); do
	msg=''
	for ((i = 0; i < ${#kinds[@]}; i++)); do
		k=${kinds[$(((i + r) % ${#kinds[@]}))]}
		start "$k"
		enforcing
		loop /opt/bench/nop 200 >/dev/null
		loop /usr/bin/python3 3 -c pass >/dev/null
		x=$(loop /opt/bench/nop "$count")
		lat[$k]+="$x " msg+=" $k $x"
		x=$(loop /usr/bin/python3 "$py" -c pass)
		pyt[$k]+="$x "
		# The same on one CPU: no wakeup crosses CPUs (the daemon's threads moved to CPU 0).
		[ -z "$rpid" ] || taskset -a -p -c 0 "$rpid" >/dev/null
		x=$(loop -0 /opt/bench/nop $((count / 2)))
		one[$k]+="$x "
		enforcing # still enforcing at the end
		peak
		stop
	done
	echo "  round $((r + 1))/$rounds (nop us/exec):$msg" >&2
done

# ---- 3: a real build: gawk, make -j2 (configured when the image was made) ----
bkinds=(none vouchd fap-sha256 fap-none)
declare -A mk
echo "measuring: $brounds rounds x ${#bkinds[@]} configurations: gawk make -j2" >&2
for ((r = 0; r < brounds; r++)); do
	msg=''
	for ((i = 0; i < ${#bkinds[@]}; i++)); do
		k=${bkinds[$(((i + r) % ${#bkinds[@]}))]}
		# A fresh copy of the configured tree, on the image, before the daemon starts.
		rm -rf "$R/build" && mkdir "$R/build" && cp -a "$R/src/gawk" "$R/build/gawk"
		sync
		start "$k"
		enforcing
		t0=$(us)
		inimg sh -c 'cd /build/gawk && make -j2 -s -C support && make -j2 -s gawk && make -j2 -s -C extension' >"$W/build.log" 2>&1 ||
			{ tail -n 20 "$W/build.log" >&2; die "$k: gawk's make -j2 failed"; }
		t1=$(us)
		enforcing
		peak
		stop
		# What was built runs (without a daemon: nothing built here is trusted).
		inimg /build/gawk/gawk 'BEGIN { exit 0 }' || die "$k: the gawk just built does not run"
		mk[$k]+="$(calc %.3f "($t1 - $t0) / 1e6") "
		msg+=" $k $(calc %.1f "($t1 - $t0) / 1e6")"
	done
	echo "  round $((r + 1))/$brounds (make -j2, s):$msg" >&2
done
rm -rf "$R/build"

# ---- 4: cold start: the first exec of the largest program after the page cache is dropped ----
declare -A cold
echo "measuring: $crounds rounds x ${#bkinds[@]} configurations: first exec of $big ($bigsize bytes), page cache dropped" >&2
for ((r = 0; r < crounds; r++)); do
	for ((i = 0; i < ${#bkinds[@]}; i++)); do
		k=${bkinds[$(((i + r) % ${#bkinds[@]}))]}
		start "$k"
		enforcing
		sync
		echo 3 >/proc/sys/vm/drop_caches
		x=$(loop "$big" 1 --version)
		cold[$k]+="$(calc %.3f "$x / 1e3") "
		peak
		stop
	done
done

# ---- report ----
med() { calc "${2:-%.1f}" "$(median <<<"$1")"; }
cell() { echo "$(med "$1" "${2:-%.1f}") ($(range "${2:-%.1f}" <<<"$1"))"; }
# added A KIND: median over rounds of (KIND - none) in the same round.
added() {
	local a b i out=''
	read -ra b <<<"$1"
	read -ra a <<<"$2"
	for i in "${!a[@]}"; do out+="$(calc %.3f "${a[$i]} - ${b[$i]}") "; done
	median <<<"$out"
}
verdict() {
	[ "$1" != n/a ] || { echo "not measurable"; return; }
	awk -v x="$1" -v op="$2" -v t="$3" 'BEGIN {ok = op == "<=" ? x <= t : op == "<" ? x < t : x >= t; print ok ? "met" : "MISSED"}'
}
declare -A name=([none]="none (no daemon)" [floor]="floor (fan-floor: allows all, reads nothing)"
	[vouchd]="vouchd (enforce)" [fap-sha256]="fapolicyd (integrity = sha256)" [fap-none]="fapolicyd (integrity = none)")
echo "date:      $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu:       $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1) ($(nproc) CPUs online)"
echo "kernel:    $(uname -sr)"
echo "load:      $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (1/5/15 min)"
echo "vouchd:    $("$vouchd" --version)"
echo "image:     Debian 12 (debootstrap minbase), $(tr '\n' ' ' <"$cache/versions.txt")"
echo "trust set: $ntrust files for fapolicyd (every regular file; $nskipped with white space left out),"
echo "           $nmanifest code files in vouch's signed manifest of the same image"
echo "runs:      medians over rounds (min-max); configurations interleaved, each freshly started"
echo
echo "| workload | $(for k in "${kinds[@]}"; do printf '%s | ' "${name[$k]}"; done)"
echo "|---|$(for _ in "${kinds[@]}"; do printf -- '---:|'; done)"
echo "| 1. exec, us ($count a round, $rounds rounds) | $(for k in "${kinds[@]}"; do printf '%s | ' "$(cell "${lat[$k]}")"; done)"
echo "| 1b. exec, all on CPU 0, us ($((count / 2)) a round) | $(for k in "${kinds[@]}"; do printf '%s | ' "$(cell "${one[$k]}")"; done)"
echo "| 2. python3 -c pass, ms ($py a round) | $(for k in "${kinds[@]}"; do printf '%s | ' "$(cell "$(awk '{for (i = 1; i <= NF; i++) printf "%.3f ", $i / 1e3}' <<<"${pyt[$k]}")" %.2f)"; done)"
echo "| 3. gawk make -j2, s ($brounds rounds) | $(for k in "${kinds[@]}"; do [ -n "${mk[$k]:-}" ] && printf '%s | ' "$(cell "${mk[$k]}" %.2f)" || printf -- '- | '; done)"
echo "| 4. cold first exec of $big ($((bigsize / 1048576)) MiB), ms ($crounds rounds) | $(for k in "${kinds[@]}"; do [ -n "${cold[$k]:-}" ] && printf '%s | ' "$(cell "${cold[$k]}")" || printf -- '- | '; done)"
echo "| 5. daemon peak RSS, MiB | $(for k in "${kinds[@]}"; do [ -n "${hwm[$k]:-}" ] && printf '%s | ' "$(calc %.1f "${hwm[$k]} / 1024")" || printf -- '- | '; done)"
echo
# Ratios: each of vouchd and fapolicyd against none, and vouchd against fapolicyd.
echo "| ratio (medians) | vouchd / none | fapolicyd sha256 / none | fapolicyd none / none | vouchd / fapolicyd sha256 | vouchd / fapolicyd none |"
echo "|---|---:|---:|---:|---:|---:|"
row() {
	local what=$1 n=$2 v=$3 fs=$4 fn=$5
	echo "| $what | $(div "$v" "$n") | $(div "$fs" "$n") | $(div "$fn" "$n") | $(div "$v" "$fs") | $(div "$v" "$fn") |"
}
m() { median <<<"$1"; }
row "1. exec latency" "$(m "${lat[none]}")" "$(m "${lat[vouchd]}")" "$(m "${lat[fap-sha256]}")" "$(m "${lat[fap-none]}")"
row "1b. exec latency, all on CPU 0" "$(m "${one[none]}")" "$(m "${one[vouchd]}")" "$(m "${one[fap-sha256]}")" "$(m "${one[fap-none]}")"
row "2. python3 -c pass" "$(m "${pyt[none]}")" "$(m "${pyt[vouchd]}")" "$(m "${pyt[fap-sha256]}")" "$(m "${pyt[fap-none]}")"
row "3. build (make -j2)" "$(m "${mk[none]}")" "$(m "${mk[vouchd]}")" "$(m "${mk[fap-sha256]}")" "$(m "${mk[fap-none]}")"
row "4. cold first exec" "$(m "${cold[none]}")" "$(m "${cold[vouchd]}")" "$(m "${cold[fap-sha256]}")" "$(m "${cold[fap-none]}")"
echo "| 5. peak RSS | - | - | - | $(div "${hwm[vouchd]}" "${hwm[fap-sha256]}") | $(div "${hwm[vouchd]}" "${hwm[fap-none]}") |"
echo
# The targets.
add_v=$(added "${lat[none]}" "${lat[vouchd]}") add_f=$(added "${lat[none]}" "${lat[floor]}")
add_s=$(added "${lat[none]}" "${lat[fap-sha256]}") add_n=$(added "${lat[none]}" "${lat[fap-none]}")
bover=$(awk -v v="$(m "${mk[vouchd]}")" -v n="$(m "${mk[none]}")" 'BEGIN {printf "%.2f", (v / n - 1) * 100}')
r1=$(div "$add_v" "$add_f") r2=$(div "$add_v" "$add_s") r3=$(div "$add_v" "$add_n")
o_v=$(added "${one[none]}" "${one[vouchd]}") o_f=$(added "${one[none]}" "${one[floor]}")
o_s=$(added "${one[none]}" "${one[fap-sha256]}") o_n=$(added "${one[none]}" "${one[fap-none]}")
rm_=$(div "${hwm[vouchd]}" "$(awk -v a="${hwm[fap-sha256]}" -v b="${hwm[fap-none]}" 'BEGIN {print a < b ? a : b}')")
echo "| target | figure | verdict |"
echo "|---|---:|---|"
echo "| exec: added latency, vouchd / floor (added $(calc %.1f "$add_v") us / $(calc %.1f "$add_f") us) | $r1 | <= 1.5: $(verdict "$r1" "<=" 1.5) |"
echo "| exec: added latency, vouchd / fapolicyd sha256 (added $(calc %.1f "$add_s") us) | $r2 | <= 0.2: $(verdict "$r2" "<=" 0.2) |"
echo "| exec: added latency, vouchd / fapolicyd none (added $(calc %.1f "$add_n") us) | $r3 | <= 0.2: $(verdict "$r3" "<=" 0.2) |"
echo "| the same on CPU 0: vouchd / floor (added $(calc %.1f "$o_v") us / $(calc %.1f "$o_f") us) | $(div "$o_v" "$o_f") | <= 1.5: $(verdict "$(div "$o_v" "$o_f")" "<=" 1.5) |"
echo "| the same on CPU 0: vouchd / fapolicyd sha256 (added $(calc %.1f "$o_s") us) | $(div "$o_v" "$o_s") | <= 0.2: $(verdict "$(div "$o_v" "$o_s")" "<=" 0.2) |"
echo "| the same on CPU 0: vouchd / fapolicyd none (added $(calc %.1f "$o_n") us) | $(div "$o_v" "$o_n") | <= 0.2: $(verdict "$(div "$o_v" "$o_n")" "<=" 0.2) |"
echo "| for scale: the floor's added latency / fapolicyd sha256's, unpinned and on CPU 0 | $(div "$add_f" "$add_s"), $(div "$o_f" "$o_s") | - |"
echo "| build overhead, vouchd (make -j2) | $bover % | < 3 %: $(verdict "$bover" "<" 3) |"
echo "| peak RSS, vouchd / the smaller fapolicyd | $rm_ | < 1: $(verdict "$rm_" "<" 1) |"
