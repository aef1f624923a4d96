#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A whole Debian 12 system, enforced: boots the image tests/vm/build-image.sh makes under
# QEMU (software emulation, TCG: this machine's /dev/kvm cannot run Debian's kernel),
# installs the package built from this checkout, turns enforcement on in the default mode
# (every local filesystem, under systemd), reboots, and checks what tests/vm/guest-test.sh
# lists; the guest's TAP lines are printed here, numbered with this script's own.
#
# The host side:
#  - skips (ok 1 # SKIP) without root, without qemu-system-x86_64, qemu-img, mmdebstrap,
#    mkfs.ext4 or dpkg-deb when scripts/deps cannot install them, when the image cannot be
#    built for want of a mirror, when QEMU cannot run here, in a sanitizer build (the VM
#    installs the package built from the tree, not this build's binaries: it runs once,
#    with the release build), and with VOUCH_VM=0;
#  - keeps the image in VOUCH_VM_CACHE (default /var/cache/vouch-vm), one directory per key
#    (build-image.sh --key: its script and package list), shared by every checkout on the
#    machine, built under a lock; each run boots a qcow2 overlay of it, so the image itself
#    is never written;
#  - the package to install: VOUCH_VM_DEBS (paths), else scripts/package build-vm/deb (it
#    prints the .deb's path last), else the FALLBACK: 'meson install --destdir' of a
#    prefix=/usr build of the tree, unpacked into the guest. Every result that rests on the
#    fallback says so: it is not the package test;
#  - the payload (guest-test.sh, the package, a local apt repository of one package built
#    here with dpkg-deb) goes in on a disk of its own (LABEL=vmpayload), copied onto the
#    guest's root at the first boot and unmounted; /home is a disk of its own (vmhome);
#  - three boots, each a QEMU process run with -no-reboot under timeout -s KILL (its pid
#    kept, and killed by it on any exit), within a watchdog over the whole run
#    (VOUCH_VM_LIMIT seconds, default 840, under tests/run's 900);
#  - fails if any boot does not finish its stage or the guest's plan is incomplete; prints
#    the timings (image, each boot, total) as comments, and the figures (boot time and exec
#    latency with and without vouchd, from the same run) into build-vm/vm-results.md for
#    bench/RESULTS.md. Under TCG and on a shared 2-CPU machine they are relative figures.
# Logs of the last run: build-vm/run/ (console-N.log: the guest's console; tap-N.log).
# Safety: nothing is marked on this machine; vouchd runs only inside the guest.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
export LC_ALL=C
src=$(cd "$VOUCH_SRC" && pwd)
t_start=$SECONDS
limit=${VOUCH_VM_LIMIT:-840}
case $limit in '' | *[!0-9]*) echo "vm.sh: VOUCH_VM_LIMIT must be a number of seconds" >&2; exit 2 ;; esac
deadline=$((t_start + limit))
skip_all() { echo "ok $((_n + 1)) - vm # SKIP $*"; echo "1..$((_n + 1))"; exit 0; }
# left: the seconds the run has left (at least 1: timeout 0 would mean no limit at all).
left() { local l=$((deadline - SECONDS)); [ "$l" -ge 1 ] || l=1; echo "$l"; }

[ "${VOUCH_VM:-1}" != 0 ] || skip_all "VOUCH_VM=0"
[ "$(id -u)" -eq 0 ] || skip_all "needs root (mmdebstrap's root mode)"
if [ -n "${VOUCH_BUILD:-}" ] && [ -f "$VOUCH_BUILD/meson-info/intro-buildoptions.json" ] &&
	command -v python3 >/dev/null; then
	san=$(python3 -c 'import json, sys
print(next((o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == "b_sanitize"), "none"))' \
		"$VOUCH_BUILD/meson-info/intro-buildoptions.json" 2>/dev/null)
	[ "${san:-none}" = none ] || skip_all "a sanitizer build ($san): the VM installs the package built from the tree; it runs with the release build"
fi
need=(qemu-system-x86_64 qemu-img mmdebstrap mkfs.ext4 dpkg-deb dpkg-scanpackages flock gcc)
missing() { local c; for c in "${need[@]}"; do command -v "$c" >/dev/null || echo "$c"; done; }
if [ -n "$(missing)" ]; then
	timeout -s KILL 600 "$src/scripts/deps" test >/dev/null 2>&1
	[ -z "$(missing)" ] || skip_all "missing: $(missing | tr '\n' ' ')(scripts/deps test could not install them)"
fi
qemu-system-x86_64 -accel help 2>/dev/null | grep -qx tcg || skip_all "this QEMU has no TCG"

W=$src/build-vm R=$src/build-vm/run
rm -rf "$R" && mkdir -p "$R" || { echo "not ok 1 - make $R"; echo "1..1"; exit 1; }
qpid='' tpid=''
# stop_qemu: QEMU (by the pid it wrote) and the timeout that runs it (by its own).
stop_qemu() {
	local p
	p=$(cat "$R/qemu.pid" 2>/dev/null)
	if [ -n "$p" ] && [ "$(cat "/proc/$p/comm" 2>/dev/null)" = qemu-system-x86 ]; then kill -KILL "$p" 2>/dev/null; fi
	[ -n "$tpid" ] && kill -KILL "$tpid" 2>/dev/null
	[ -n "$tpid" ] && wait "$tpid" 2>/dev/null
	rm -f "$R/qemu.pid"
	tpid=''
}
cleanup() {
	stop_qemu
	[ "${VOUCH_VM_KEEP:-0}" = 1 ] || rm -f "$R/run.qcow2" "$R/home.img" "$R/payload.img"
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the image (cached) ----
cache=${VOUCH_VM_CACHE:-/var/cache/vouch-vm}
mkdir -p "$cache" || skip_all "cannot make the cache $cache"
key=$("$src/tests/vm/build-image.sh" --key)
img=$cache/$key
exec {lockfd}>"$cache/$key.lock"
t0=$SECONDS
if ! timeout -s KILL "$(left)" flock -x "$lockfd"; then
	fail "the image's lock ($cache/$key.lock)" "not free within the time left"
	done_testing
fi
if [ -f "$img/root.img" ] && [ "$(cat "$img/key" 2>/dev/null)" = "$key" ]; then
	echo "# image: cached in $img"
else
	echo "# image: building $img (mmdebstrap, then mkfs.ext4 -d)"
	if timeout -s KILL "$(left)" "$src/tests/vm/build-image.sh" "$img" ${VOUCH_VM_MIRROR:+"$VOUCH_VM_MIRROR"} >"$T/build.log" 2>&1; then
		pass "the Debian 12 image is built ($((SECONDS - t0)) s)"
		# Images of other keys, unless a run holds them.
		for d in "$cache"/*/; do
			d=${d%/}
			[ "$d" = "$img" ] && continue
			( exec {l}>"$d.lock" && flock -n -x "$l" && rm -rf "$d" "$d.lock" ) 2>/dev/null
		done
	else
		if grep -qE 'Failed to fetch|Could not resolve|Temporary failure resolving|Unable to connect|Connection failed|Network is unreachable' \
			"$img/mmdebstrap.log" "$T/build.log" 2>/dev/null; then
			skip_all "cannot build the image: the Debian mirror is not reachable"
		fi
		fail "the Debian 12 image is built" "$(tail -n 5 "$T/build.log" | tr '\n' '|')"
		done_testing
	fi
fi
t_image=$((SECONDS - t0))
flock -s "$lockfd" # shared while this run uses it: no other run removes it
echo "# image: $t_image s"

# ---- the package ----
t0=$SECONDS
P=$R/payload
mkdir -p "$P/debs" "$P/repo"
fallback=no
if [ -n "${VOUCH_VM_DEBS:-}" ]; then
	for d in $VOUCH_VM_DEBS; do cp "$d" "$P/debs/" || fail "VOUCH_VM_DEBS: $d"; done
	pass "the package to install: $(cd "$P/debs" && echo *.deb) (VOUCH_VM_DEBS)"
elif [ -x "$src/scripts/package" ]; then
	rm -rf "$W/deb"
	run timeout -s KILL "$(left)" "$src/scripts/package" "$W/deb"
	deb=$(tail -n 1 "$OUT")
	if [ "$RC" -eq 0 ] && [ -f "$deb" ] && cp "$deb" "$P/debs/"; then
		pass "scripts/package builds the package from the tree: $(basename "$deb")"
	else
		fail "scripts/package builds the package from the tree" "exit $RC, last line '$deb'"
		done_testing
	fi
else
	# FALLBACK, for as long as scripts/package is on another branch: the tree as 'meson
	# install' puts it under prefix /usr, unpacked over the guest's root. Not the package.
	fallback=yes
	mkdir -p "$P/fallback"
	run timeout -s KILL "$(left)" bash -c '
		set -e
		[ -f "$1/build.ninja" ] || meson setup "$1" "$2" --prefix=/usr -Dtests=false -Dwerror=true -Dbuildtype=debugoptimized
		ninja -C "$1"
		rm -rf "$3" && meson install -C "$1" --no-rebuild --destdir "$3" --quiet
		tar -C "$3" --owner=0 --group=0 -cf "$4" .' _ "$W/meson" "$src" "$W/destdir" "$P/fallback/vouch-destdir.tar"
	if [ "$RC" -eq 0 ]; then
		pass "FALLBACK: scripts/package is not in this tree; vouch from 'meson install --destdir' (prefix /usr) is installed instead: this run is not the Debian package test"
	else
		fail "FALLBACK: meson install --destdir of the tree" "exit $RC"
		done_testing
	fi
fi
t_package=$((SECONDS - t0))
echo "# package: $t_package s"

# ---- the payload, the local apt repository, the disks ----
cp "$src/tests/vm/guest-test.sh" "$P/"
# pack NAME DIR: DIR (with DIR/DEBIAN/control written here) as NAME_1.0_amd64.deb.
pack() {
	mkdir -p "$2/DEBIAN"
	printf '%s\n' "Package: $1" 'Version: 1.0' 'Architecture: amd64' \
		'Maintainer: vouch tests <tests@invalid>' "Description: the VM test's $1" >"$2/DEBIAN/control"
	dpkg-deb --root-owner-group -Zxz --build "$2" "$P/repo/$1_1.0_amd64.deb" >/dev/null
}
# vouch-vm-hello holds a program (the apt path), vouch-vm-data none (apt-get works).
mkdir -p "$T/hello/usr/bin" "$T/data/usr/share/vouch-vm-data"
echo "the VM test's package without code" >"$T/data/usr/share/vouch-vm-data/README"
gcc -O2 -o "$T/hello/usr/bin/vouch-vm-hello" "$src/tests/vm/vm-hello.c" &&
	pack vouch-vm-hello "$T/hello" && pack vouch-vm-data "$T/data" &&
	(cd "$P/repo" && dpkg-scanpackages --multiversion . /dev/null >Packages 2>/dev/null)
check "a local apt repository of two packages (built with dpkg-deb)" \
	test "$(grep -c '^Package:' "$P/repo/Packages" 2>/dev/null)" = 2
size=$(( $(du -sm "$P" | cut -f1) + 32 ))
run mkfs.ext4 -q -L vmpayload -d "$P" "$R/payload.img" "${size}M"
check "the payload disk (mkfs.ext4 -d)" test "$RC" -eq 0
run truncate -s 512M "$R/home.img"
run mkfs.ext4 -q -F -L vmhome "$R/home.img"
check "a disk for /home" test "$RC" -eq 0
run qemu-img create -q -f qcow2 -b "$img/root.img" -F raw "$R/run.qcow2"
check "the run's overlay of the image (qcow2)" test "$RC" -eq 0

# ---- the boots ----
gn=0 gplan='' finished=no bailed=no
declare -A fig=()
# take N: the guest's lines of boot N, printed as this script's.
take() {
	local line d
	while IFS= read -r line; do
		line=${line%$'\r'}
		: >"$OUT"; : >"$ERR"
		case $line in
		'ok - '*) gn=$((gn + 1)); pass "guest: ${line#ok - }" ;;
		'not ok - '*) gn=$((gn + 1)); fail "guest: ${line#not ok - }" ;;
		1..*) gplan=${line#1..} ;;
		'# figure '*)
			set -- ${line#\# figure }
			fig[$1]=$2
			echo "$line"
			;;
		'# vouch-vm: done'*) finished=yes; echo "$line" ;;
		'Bail out!'*) bailed=yes; fail "guest: ${line}" ;;
		'#'*) echo "$line" ;;
		'') ;;
		*) echo "# guest: $line" ;;
		esac
	done <"$R/tap-$1.log"
}
# boot N LIMIT: one boot of the overlay, until the guest stops (it reboots or powers off;
# -no-reboot makes either end QEMU) or LIMIT seconds pass.
boot() {
	local n=$1 lim=$2 rc t0=$SECONDS
	[ "$lim" -gt "$(left)" ] && lim=$(left)
	if [ "$lim" -le 10 ]; then fail "boot $n: within the run's time limit ($limit s)"; return 1; fi
	: >"$R/tap-$n.log"
	timeout -s KILL "$lim" qemu-system-x86_64 -name vouch-vm -accel tcg -cpu max -m 2048 -smp 2 \
		-nic none -no-reboot -display none -monitor none -pidfile "$R/qemu.pid" \
		-kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
		-append "root=/dev/vda rw console=ttyS0 quiet mitigations=off panic=-1" \
		-drive "file=$R/run.qcow2,format=qcow2,if=virtio,cache=unsafe" \
		-drive "file=$R/payload.img,format=raw,if=virtio,readonly=on" \
		-drive "file=$R/home.img,format=raw,if=virtio,cache=unsafe" \
		-serial "file:$R/console-$n.log" -serial "file:$R/tap-$n.log" \
		</dev/null >"$R/qemu-$n.out" 2>&1 &
	tpid=$!
	wait "$tpid"
	rc=$?
	tpid=''
	stop_qemu
	boot_s[n]=$((SECONDS - t0))
	echo "# boot $n: ${boot_s[n]} s (exit $rc)"
	if [ "$n" -eq 1 ] && [ ! -s "$R/console-1.log" ] && [ "${boot_s[n]}" -lt 30 ]; then
		skip_all "QEMU cannot run here: $(head -c 300 "$R/qemu-1.out" | tr '\n' ' ')"
	fi
	take "$n"
	if [ "$rc" -eq 137 ]; then
		fail "boot $n: the guest finished within $lim s" "killed; console: $(tail -n 5 "$R/console-$n.log" | tr -d '\r' | tr '\n' '|')"
		return 1
	fi
	[ $bailed = no ] || return 1
	if ! grep -qE '^# vouch-vm: (stage .* done|done)' "$R/tap-$n.log"; then
		fail "boot $n: the guest finished its stage" "exit $rc; console: $(tail -n 8 "$R/console-$n.log" | tr -d '\r' | tr '\n' '|')"
		return 1
	fi
	return 0
}
declare -a boot_s=()
for n in 1 2 3; do
	boot "$n" 420 || break
	[ $finished = yes ] && break
done
check "the guest ran all three stages" test $finished = yes
if [ -n "$gplan" ] && [ "$gplan" -eq "$gn" ]; then
	pass "the guest's plan is complete ($gn results)"
else
	fail "the guest's plan is complete" "plan '${gplan:-none}', results $gn"
fi

# ---- figures and timings ----
ratio() { [ -n "${1:-}" ] && [ -n "${2:-}" ] && [ "$1" -gt 0 ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b / a }' || echo "-"; }
{
	echo "### Whole system in a VM (tests/integration/vm.sh, $(date -u +%Y-%m-%d))"
	echo
	echo "Debian 12 guest under QEMU's software emulation (TCG, -smp 2, 2 GiB) on a shared"
	echo "2-CPU machine: relative figures only (with against without vouchd, same run). The boot"
	echo "figures are one boot each (the second, before a policy, and the third, enforcing); the"
	echo "exec figures the medians of 5 rounds each, with vouchd and with it stopped, in turn."
	[ $fallback = yes ] && echo "vouch installed by the FALLBACK (meson install --destdir), not the package."
	echo
	echo "| figure | without vouchd | with vouchd | with / without |"
	echo "|---|---|---|---|"
	echo "| boot finished (ms from kernel start) | ${fig[boot_finished_without]:--} | ${fig[boot_finished_with]:--} | $(ratio "${fig[boot_finished_without]:-}" "${fig[boot_finished_with]:-}") |"
	echo "| multi-user.target reached (ms) | ${fig[multi_user_without]:--} | ${fig[multi_user_with]:--} | $(ratio "${fig[multi_user_without]:-}" "${fig[multi_user_with]:-}") |"
	echo "| fork+exec of /usr/bin/true from bash (us) | ${fig[exec_us_without]:--} | ${fig[exec_us_with]:--} | $(ratio "${fig[exec_us_without]:-}" "${fig[exec_us_with]:-}") |"
	echo
	echo "vouchd ready ${fig[vouchd_ready]:--} ms after the kernel started; restarted and ready ${fig[restart_ms]:--} ms after SIGKILL;"
	echo "vouch manifest from-dpkg of the guest: ${fig[from_dpkg_ms]:--} ms. Boots: ${boot_s[*]} s."
} >"$W/vm-results.md"
sed 's/^/# /' "$W/vm-results.md"
echo "# timings: image $t_image s, package $t_package s, boots ${boot_s[*]} s, total $((SECONDS - t_start)) s"
done_testing
