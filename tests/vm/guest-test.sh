#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The guest side of the VM test (tests/integration/vm.sh boots the image tests/vm/
# build-image.sh makes; the image's vouch-vm.service runs this with bash at every boot,
# after multi-user.target). It writes TAP lines without numbers, and figures as
# "# figure NAME VALUE UNIT", to the second serial port (/dev/ttyS1), which the host
# reads after the guest has powered off; the host numbers the lines and checks the plan
# ("1..N", written once, at the very end, counting every boot's results).
#
# Three boots, each a stage (the stage is kept in /var/lib/vouch-vm/stage):
#  install   (first boot)  the package from the payload (apt-get install ./vouch_*.deb), or
#            the FALLBACK tree of 'meson install --destdir' (said so in every line that
#            depends on it); a user, a cron job, the local apt repository. vouchd is not
#            enabled: no policy yet. Reboot.
#  policy    (second boot) the boot time without vouchd; then as the
#            owner would: a key (vouch keygen), the trust set of every installed package
#            (vouch manifest from-dpkg), signed; an enforcing policy compiled and installed;
#            vouchd enabled and started in the default mode (every local filesystem, under
#            systemd); one untrusted program refused, which must be in the log after the
#            reboot. Reboot.
#  enforced  (third boot)  the boot time with vouchd; vouchd enforcing before every other
#            service; an untrusted copy of a trusted program refused on /, /tmp, /home and a
#            newly mounted tmpfs, with the reason on its terminal and in the log; vouch why
#            as a user; logins, systemctl, cron, apt-get, gcc; vouch log verify after the
#            reboot; vouchd killed with SIGKILL, restarted, enforcing again; the apt path
#            and vouch doctor when the installed vouch has them (SKIP lines otherwise);
#            last, exec latency in rounds with vouchd and with it stopped, in turn.
#            Power off.
# The owner's key is made without a password (-W): scrypt's 1 GiB would take minutes
# under emulation; the key never leaves this throw-away guest.
# Every wait is bounded (timeout -s KILL, or loops bounded in count); nothing here is run
# through a #! line of its own (a script read by bash is not gated; one run by its #!
# would be refused, as it is in nobody's trust set).
set -u
export LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin
V=/root/vm                 # the payload, copied in at the first boot
S=/var/lib/vouch-vm        # this driver's state across boots
O=/root/owner              # the owner's key, manifests, policy and bundle
U=vmuser                   # the non-root user
mkdir -p "$S"
exec 3>/dev/ttyS1
stty -F /dev/ttyS1 -opost 2>/dev/null
# Results also go to a file in the guest, and the driver's own output to the console.
say() { printf '%s\n' "$*" >&3; printf '%s\n' "$*" >>"$S/tap.log"; }
_n=$(cat "$S/count" 2>/dev/null || echo 0)
_fail=$(cat "$S/failed" 2>/dev/null || echo 0)
_save() { echo "$_n" >"$S/count"; echo "$_fail" >"$S/failed"; }
OUT=$S/.out ERR=$S/.err
pass() { _n=$((_n + 1)); say "ok - $1"; _fresh=0; _save; }
skip() { _n=$((_n + 1)); say "ok - $1 # SKIP $2"; _save; }
fail() {
	_n=$((_n + 1)); _fail=$((_fail + 1)); say "not ok - $1"; shift
	local l; for l in "$@"; do say "# $l"; done
	# The output of the command run last, with the first result after it only.
	if [ "$_fresh" = 1 ]; then
		[ -s "$OUT" ] && tail -n 8 "$OUT" | sed 's/^/# stdout: /' | while IFS= read -r l; do say "$l"; done
		[ -s "$ERR" ] && tail -n 8 "$ERR" | sed 's/^/# stderr: /' | while IFS= read -r l; do say "$l"; done
	fi
	_fresh=0
	_save
	return 0
}
note() { say "# $*"; }
figure() { say "# figure $1 $2 $3"; }
: >"$OUT"; : >"$ERR"
run() { "$@" >"$OUT" 2>"$ERR"; RC=$?; _fresh=1; }
_fresh=0
# bail REASON: nothing after this could pass (TAP's Bail out!); power off.
bail() {
	say "Bail out! $*"
	sync
	systemctl poweroff --no-block
	exit 0
}
expect_rc() {
	local name=$1 want=$2; shift 2
	run "$@"
	if [ "$RC" -eq "$want" ]; then pass "$name"; else fail "$name" "exit $RC, wanted $want"; fi
}
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name" "failed: $*"; fi; }
as_user() { runuser -u "$U" -- "$@"; }
stage=$(cat "$S/stage" 2>/dev/null || echo install)
fallback=no
[ -f "$V/fallback/vouch-destdir.tar" ] && fallback=yes
# FB: the words that mark a result that rests on the fallback install.
FB=
[ $fallback = yes ] && FB=" (FALLBACK: meson install --destdir, not the Debian package)"

# next_boot STAGE: the stage the next boot runs, then reboot (QEMU runs with -no-reboot, so
# the host sees the guest stop and starts the next boot itself).
next_boot() {
	echo "$1" >"$S/stage"
	note "vouch-vm: stage $stage done; reboot"
	sync
	systemctl reboot --no-block
	exit 0
}
# boot_ready: wait (bounded) until systemd has finished starting the system.
boot_ready() {
	local st
	st=$(timeout -s KILL 240 systemctl is-system-running --wait 2>/dev/null)
	echo "$st" >"$S/.sysstate"
	[ "$st" = running ]
}
# boot_figures SUFFIX: boot time of this boot (monotonic, from the kernel's start).
boot_figures() {
	local fin mu
	fin=$(systemctl show -p FinishTimestampMonotonic --value)
	mu=$(systemctl show -p ActiveEnterTimestampMonotonic --value multi-user.target)
	figure "boot_finished_$1" $((fin / 1000)) ms
	figure "multi_user_$1" $((mu / 1000)) ms
}
# exec_round N: the microseconds one fork and exec of a trusted program from bash takes,
# over N of them.
exec_round() {
	local n=$1 i t0 t1
	t0=$EPOCHREALTIME
	for ((i = 0; i < n; i++)); do /usr/bin/true; done
	t1=$EPOCHREALTIME
	echo $(( (${t1/./} - ${t0/./}) / n ))
}
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# exec_latency: rounds with vouchd and without it (stopped), taken in turn in this boot so
# that the machine's other load falls on both alike; the medians are the figures.
exec_latency() {
	local r n=40 with=() without=()
	/usr/bin/true
	for r in 1 2 3 4 5; do
		with+=("$(exec_round $n)")
		timeout -s KILL 120 systemctl stop vouchd || { fail "exec latency: stop vouchd"; return; }
		without+=("$(exec_round $n)")
		timeout -s KILL 300 systemctl start vouchd || { fail "exec latency: start vouchd"; return; }
	done
	figure exec_us_with "$(median "${with[@]}")" us
	figure exec_us_without "$(median "${without[@]}")" us
	note "exec rounds ($n execs each, us per exec): with vouchd ${with[*]}; without ${without[*]}"
	expect_rc "after the latency rounds (vouchd stopped and started 5 times) it enforces again" 126 \
		timeout -s KILL 30 /tmp/vm-untrusted
}
# untrusted FILE: a trusted program plus one byte, mode 0755, written in one open (an ELF
# file that is not trusted cannot be opened again, not even to append to it).
untrusted() { { cat /usr/bin/true && printf '\0'; } >"$1" && chmod 0755 "$1"; }
# refused_tty NAME FILE [USER]: FILE, run on a terminal of its own (script(1) makes a pty
# and the controlling terminal), exits 126 and vouchd's notice is on that terminal.
refused_tty() {
	local name=$1 f=$2 who=${3:-root} out=$S/.tty
	local pre=()
	[ "$who" = root ] || pre=(runuser -u "$who" --)
	run timeout -s KILL 60 "${pre[@]}" script -qec "$f" /dev/null
	tr -d '\r' <"$OUT" >"$out.txt"
	if [ "$RC" -ne 126 ]; then
		fail "$name: refused (exit 126)" "exit $RC" "$(head -c 300 "$out.txt")"
	else
		pass "$name: refused (exit 126)"
	fi
	if grep -qF "vouch: $f was not run: not vouched for" "$out.txt"; then
		pass "$name: the reason is on its terminal"
	else
		fail "$name: the reason is on its terminal" "terminal: $(head -c 300 "$out.txt" | tr '\n' '|')"
	fi
}
# in_log NAME FILE [USER]: a deny of FILE is in the log, as root reads it (or USER, through
# vouchd); bounded: a checkpoint is published within a second of a decision.
in_log() {
	local name=$1 f=$2 who=${3:-root} i
	for i in $(seq 30); do
		if [ "$who" = root ]; then run vouch log show --json; else run as_user vouch log show --json; fi
		grep -F "\"path\":\"$f\"" "$OUT" | grep -q '"decision":"deny"' && { pass "$name"; return; }
		sleep 1
	done
	fail "$name" "no deny of $f in vouch log show --json (as $who) after 30 s"
}
# journal UNIT: the last lines UNIT wrote this boot, as comments.
journal() {
	journalctl -b -u "$1" -o cat --no-pager 2>/dev/null | tail -n 25 | while IFS= read -r l; do note "$1: $l"; done
}
vouchd_pid() { systemctl show -p MainPID --value vouchd; }
# marked PATH: vouchd says it has marked the filesystem mounted at PATH.
marked() { vouch status --json 2>/dev/null | grep -qF "\"path\":\"$1\""; }

# ---- places for what other parts of the issue bring (each runs only when it exists) ----

# stage1_by_setup: the owner's first run through 'vouch setup' (vouch-setup(1)): the key
# pair, the dpkg manifest, a policy in monitor mode, installed; then 'vouch setup --enforce
# -y' switches it to enforce mode (-y: vouchd has not run, there is no log to look at yet).
# --no-start: the stage enables vouchd itself below, as the manual steps do. The later
# checks use the names of the manual steps in $O, which here name setup's files in
# /etc/vouch. With the fallback install vouch's own files are not dpkg's, and setup's
# manifest would not vouch for them: the manual steps are used then.
stage1_by_setup() {
	local t0 t1 f
	[ $fallback = no ] || return 1
	t0=$EPOCHREALTIME
	run timeout -s KILL 900 vouch setup --no-password --no-start
	t1=$EPOCHREALTIME
	if [ "$RC" -ne 0 ]; then
		fail "vouch setup: the first run" "exit $RC"
		return 1
	fi
	pass "vouch setup: the first run (owner's key, dpkg manifest, monitor-mode policy, installed)"
	figure from_dpkg_ms $(( (${t1/./} - ${t0/./}) / 1000 )) ms
	check "vouch setup: its files in /etc/vouch" bash -c \
		"test -s /etc/vouch/owner.key -a -s /etc/vouch/owner.pub -a -s /etc/vouch/system.manifest -a -s /etc/vouch/policy"
	check "vouch setup: vouch's own programs are in the trust set from dpkg" bash -c \
		"grep -q ' /usr/s\?bin/vouchd\$' /etc/vouch/system.manifest && grep -q ' /usr/bin/vouch\$' /etc/vouch/system.manifest"
	check "vouch setup: the policy starts in monitor mode" grep -qx 'mode monitor' /etc/vouch/policy
	expect_rc "vouch setup --enforce -y: switched to enforce mode" 0 \
		timeout -s KILL 300 vouch setup --enforce -y --no-start
	check "vouch setup --enforce: the policy says enforce" grep -qx 'mode enforce' /etc/vouch/policy
	mkdir -p "$O" || return 1
	ln -sf /etc/vouch/owner.key "$O/owner.sec"
	ln -sf /etc/vouch/owner.pub "$O/owner.pub"
	ln -sf /etc/vouch/policy "$O/policy.txt"
	for f in system.manifest system.manifest.minisig; do ln -sf "/etc/vouch/$f" "$O/$f"; done
	return 0
}
# check_apt_path: apt-get installs vouch-vm-hello (a program) from the local repository.
# With the apt hook (vouch apt-check, /etc/apt/apt.conf.d/50vouch; docs/apt.md on branch
# apt): refused before dpkg unpacks anything while nobody vouched for it; then the owner
# vouches for the package file (vouch manifest from-deb, signed, named in the policy), and
# it installs and runs. Without the hook, dpkg cannot even finish installing it: dpkg
# reopens each file it unpacked (/usr/bin/vouch-vm-hello.dpkg-new) to sync it, and an ELF
# file nobody vouched for cannot be opened; that is what is checked then.
check_apt_path() {
	local prog=/usr/bin/vouch-vm-hello deb=$V/repo/vouch-vm-hello_1.0_amd64.deb
	run timeout -s KILL 300 apt-get install -y vouch-vm-hello
	if vouch manifest from-deb --help >/dev/null 2>&1 && [ -e /etc/apt/apt.conf.d/50vouch ]; then
		check "apt path: the hook refuses a package nobody vouched for, before dpkg unpacks it" \
			test "$RC" -ne 0 -a ! -e "$prog" -a ! -e "$prog.dpkg-new"
		check "apt path: the refusal names the program" grep -qF "$prog" "$OUT" "$ERR"
		cd "$O" || return
		run vouch manifest from-deb -o apt.manifest "$deb"
		check "apt path: vouch manifest from-deb lists the package's program" grep -qF " $prog" apt.manifest
		vouch sign -s owner.sec apt.manifest >/dev/null
		grep -qx 'manifest apt.manifest signer owner' policy.txt || echo 'manifest apt.manifest signer owner' >>policy.txt
		run bash -c 'vouch policy compile policy.txt -s owner.sec -o policy.bundle && vouch policy install -p owner.pub policy.bundle'
		check "apt path: the owner's policy now vouches for it (compiled, installed, vouchd reloaded)" test "$RC" -eq 0
		cd / || return
		run timeout -s KILL 300 apt-get install -y vouch-vm-hello
		check "apt path: apt-get installs the package with a program" test "$RC" -eq 0 -a -x "$prog"
		expect_rc "apt path: the program apt-get installed runs" 0 timeout -s KILL 30 "$prog"
	else
		check "without an apt hook, dpkg cannot install a program nobody vouched for (apt-get fails)" \
			test "$RC" -ne 0 -a ! -e "$prog"
		in_log "without an apt hook: the deny of dpkg's unpacked file is in the log" "$prog.dpkg-new"
		timeout -s KILL 120 dpkg --remove --force-remove-reinstreq vouch-vm-hello >/dev/null 2>&1
		skip "apt path: the hook, from-deb, and the program installed and run" \
			"the installed vouch has no 'manifest from-deb' or no /etc/apt/apt.conf.d/50vouch"
	fi
}
# check_doctor: vouch doctor on the enforcing system agrees that vouchd enforces and has
# marked every local filesystem; what else it finds open here is printed, not judged.
check_doctor() {
	if vouch doctor --help >/dev/null 2>&1; then
		run timeout -s KILL 120 vouch doctor
		check "vouch doctor runs (exit $RC: 0 all closed, 1 something open)" test "$RC" -le 1 -a -s "$OUT"
		local line
		head -n 40 "$OUT" | while IFS= read -r line; do note "doctor: $line"; done
		check "vouch doctor: vouchd passes (answering, enforcing)" grep -qE '^pass +vouchd ' "$OUT"
		check "vouch doctor: marks pass (every local filesystem marked)" grep -qE '^pass +marks ' "$OUT"
		run timeout -s KILL 120 vouch doctor --json
		check "vouch doctor --json: one object with the checks and the worst result" \
			bash -c '[ "$1" -le 1 ] && [ "$(head -c 1 "$2")" = "{" ] && grep -q "\"checks\":\[" "$2" && grep -qE "\"result\":\"(pass|warn|fail)\"" "$2"' _ "$RC" "$OUT"
	else
		skip "vouch doctor" "the installed vouch has no doctor command"
	fi
}

# ---- stage install (first boot) ----
stage_install() {
	note "vouch-vm: stage install (first boot), kernel $(uname -r)"
	boot_ready || note "system state after boot: $(cat "$S/.sysstate")"
	boot_figures firstboot
	if [ $fallback = yes ]; then
		run tar -C / --no-same-owner -xf "$V/fallback/vouch-destdir.tar"
		if [ "$RC" -eq 0 ] && systemctl daemon-reload; then
			pass "vouch installed$FB"
		else
			fail "vouch installed$FB" "tar exit $RC"
		fi
	else
		# Where apt's own user (_apt) can read them: /root is not.
		local debs=() d
		mkdir -p -m 0755 /var/tmp/vouch-vm-debs
		for d in "$V"/debs/*.deb; do
			cp "$d" /var/tmp/vouch-vm-debs/ && debs+=("/var/tmp/vouch-vm-debs/${d##*/}")
		done
		run timeout -s KILL 600 apt-get install -y "${debs[@]}"
		if [ "$RC" -eq 0 ]; then pass "the package installs offline (apt-get install ./$(basename "${debs[0]}"))"
		else fail "the package installs offline (apt-get install ./$(basename "${debs[0]}"))" "exit $RC"; fi
		check "dpkg knows vouch's files" bash -c 'dpkg -S "$(command -v vouch)" >/dev/null'
	fi
	check "vouch and vouchd are installed$FB" bash -c 'command -v vouch && command -v vouchd' >/dev/null
	check "the systemd unit is installed$FB" systemctl cat vouchd.service >/dev/null
	command -v vouch >/dev/null && command -v vouchd >/dev/null || bail "vouch is not installed"
	check "vouchd is not running before a policy is installed" bash -c '! systemctl is-active -q vouchd'
	run useradd -m -s /bin/bash "$U"
	check "a user with a home on /home's own filesystem" test "$RC" -eq 0 -a -d "/home/$U" \
		-a "$(stat -c %d "/home/$U")" != "$(stat -c %d /)"
	# Every minute, as the user, a mark on /tmp (a tmpfs: gone at every boot).
	printf '* * * * * %s /usr/bin/id -un >/tmp/vm-cron-mark\n' "$U" >/etc/cron.d/vouch-vm
	echo "deb [trusted=yes] file:$V/repo ./" >/etc/apt/sources.list.d/vouch-vm.list
	next_boot policy
}

# ---- stage policy (second boot): without vouchd, then the owner's steps ----
stage_policy() {
	note "vouch-vm: stage policy (second boot)"
	boot_ready || note "system state after boot: $(cat "$S/.sysstate")"
	check "vouchd did not start at boot without a policy" bash -c '! systemctl is-active -q vouchd'
	boot_figures without
	if vouch setup --help >/dev/null 2>&1 && stage1_by_setup; then
		:
	else
		stage1_manual
	fi
	expect_rc "vouchd enabled and started in the default mode (Type=notify: marked and enforcing)" 0 \
		timeout -s KILL 300 systemctl enable --now vouchd
	if ! systemctl is-active -q vouchd; then
		journal vouchd
		# Not enforcing: nothing after this can pass; the next boot says why, quickly.
		systemctl disable vouchd >/dev/null 2>&1
	fi
	run vouch status --json
	check "vouchd enforces" grep -q '"mode":"enforce"' "$OUT"
	grep -q '"mode":"enforce"' "$OUT" || bail "vouchd does not enforce: the checks of the next boot would all fail"
	untrusted /root/vm-stage1-untrusted
	expect_rc "before the reboot: an untrusted program is refused" 126 timeout -s KILL 30 /root/vm-stage1-untrusted
	in_log "before the reboot: its deny is in the log" /root/vm-stage1-untrusted
	run vouch log verify --json
	local size
	size=$(grep -o '"size":[0-9]*' "$OUT" | cut -d: -f2)
	check "before the reboot: vouch log verify accepts the log ($size entries)" test "$RC" -eq 0 -a -n "$size"
	echo "${size:-0}" >"$S/log-size"
	next_boot enforced
}
# stage1_manual: the owner's steps, as README and the man pages give them.
stage1_manual() {
	local t0 t1 key
	mkdir -p "$O" && cd "$O" || return
	expect_rc "vouch keygen (the owner's key)" 0 vouch keygen -W -p owner.pub -s owner.sec
	t0=$EPOCHREALTIME
	run timeout -s KILL 900 vouch manifest from-dpkg -v -o dpkg.manifest
	t1=$EPOCHREALTIME
	if [ "$RC" -eq 0 ] && [ -s dpkg.manifest ]; then
		pass "vouch manifest from-dpkg lists the installed packages' code ($(wc -l <dpkg.manifest) files)"
	else
		fail "vouch manifest from-dpkg lists the installed packages' code" "exit $RC"
	fi
	figure from_dpkg_ms $(( (${t1/./} - ${t0/./}) / 1000 )) ms
	while IFS= read -r l; do note "from-dpkg: $l"; done < <(head -n 5 "$ERR")
	local manifests=(dpkg.manifest)
	if [ $fallback = yes ]; then
		# Not from dpkg: vouch's own files, vouched for as the owner would any local software.
		tar -tf "$V/fallback/vouch-destdir.tar" | sed -n 's|^\./|/|p' | while IFS= read -r f; do
			[ -f "$f" ] && [ ! -L "$f" ] && printf '%s\n' "$f"
		done >vouch-files.txt
		run xargs -d '\n' vouch manifest create -o vouch.manifest <vouch-files.txt
		check "vouch's own files in a manifest$FB" test "$RC" -eq 0 -a -s vouch.manifest
		manifests+=(vouch.manifest)
	else
		check "vouch's own programs are in the trust set from dpkg" bash -c \
			"grep -q ' /usr/s\?bin/vouchd\$' dpkg.manifest && grep -q ' /usr/bin/vouch\$' dpkg.manifest"
	fi
	local m ok=0
	for m in "${manifests[@]}"; do vouch sign -s owner.sec "$m" >/dev/null || ok=1; done
	check "the manifests signed" test $ok -eq 0
	{
		echo "mode enforce"
		echo 'message "Not vouched for on this test machine."'
		echo "signer owner $(sed -n 2p owner.pub)"
		for m in "${manifests[@]}"; do echo "manifest $m signer owner"; done
	} >policy.txt
	expect_rc "vouch policy compile (enforce)" 0 vouch policy compile policy.txt -s owner.sec -o policy.bundle
	expect_rc "vouch policy install" 0 vouch policy install -p owner.pub policy.bundle
	cd / || return
}

# ---- stage enforced (third boot) ----
stage_enforced() {
	local d f
	note "vouch-vm: stage enforced (third boot)"
	if boot_ready; then pass "the system boots to a running state with vouchd enforcing"
	else fail "the system boots to a running state with vouchd enforcing" "state: $(cat "$S/.sysstate")" \
		"$(systemctl --failed --no-legend --plain | head -n 5 | tr '\n' '|')"; fi
	boot_figures with
	local ready
	ready=$(systemctl show -p ActiveEnterTimestampMonotonic --value vouchd)
	figure vouchd_ready $((ready / 1000)) ms
	check "vouchd is active (ready: every filesystem marked, the policy enforced)" systemctl is-active -q vouchd
	vouchd_first
	run vouch status --json
	check "vouch status: mode enforce" grep -q '"mode":"enforce"' "$OUT"
	for d in / /tmp /home /run /dev/shm; do
		check "the filesystem of $d is marked (default mode: every local filesystem)" marked "$d"
	done
	check "/tmp and /home are filesystems of their own here" test "$(stat -c %d /tmp)" != "$(stat -c %d /)" \
		-a "$(stat -c %d /home)" != "$(stat -c %d /)"

	# An untrusted copy of a trusted program, on each filesystem.
	check "control: the trusted program runs" /usr/bin/true
	untrusted /root/vm-untrusted
	refused_tty "on /" /root/vm-untrusted
	in_log "on /: the deny is in the log (vouch log show --json)" /root/vm-untrusted
	untrusted /tmp/vm-untrusted
	refused_tty "on /tmp (tmpfs)" /tmp/vm-untrusted "$U"
	in_log "on /tmp: the deny is in the log" /tmp/vm-untrusted
	as_user bash -c "$(declare -f untrusted); untrusted /home/$U/vm-untrusted"
	refused_tty "on /home (ext4 of its own), the user's own copy" "/home/$U/vm-untrusted" "$U"
	in_log "on /home: the user reads their deny in the log (through vouchd)" "/home/$U/vm-untrusted" "$U"
	mkdir -p /mnt/vm-new
	run mount -t tmpfs -o size=16m,mode=0755 vm-new /mnt/vm-new
	local i
	for i in $(seq 30); do marked /mnt/vm-new && break; sleep 1; done
	check "a tmpfs mounted after boot is marked within 30 s (after $i s)" marked /mnt/vm-new
	untrusted /mnt/vm-new/vm-untrusted
	refused_tty "on a newly mounted tmpfs" /mnt/vm-new/vm-untrusted
	in_log "on the new tmpfs: the deny is in the log" /mnt/vm-new/vm-untrusted
	cp /usr/bin/true /mnt/vm-new/true-copy
	expect_rc "control: a trusted program's exact copy on the new tmpfs runs" 0 timeout -s KILL 30 /mnt/vm-new/true-copy
	run as_user vouch why /tmp/vm-untrusted
	if [ "$RC" -eq 1 ] && grep -q 'not vouched for' "$OUT"; then
		pass "vouch why answers the user about root's refused program in /tmp (exit 1, not vouched for)"
	else
		fail "vouch why answers the user about root's refused program in /tmp" "exit $RC"
	fi
	# A file its user can change is decided afresh at each exec (vouchd(8)), so vouchd
	# keeps no verdict to give about it, and says so.
	run as_user vouch why "/home/$U/vm-untrusted"
	check "vouch why tells the user that their own copy is decided afresh at each run (exit 2)" \
		grep -q 'decided afresh' "$ERR"
	run as_user vouch why /usr/bin/true
	check "vouch why tells the user a trusted program may run (exit 0)" test "$RC" -eq 0

	# Everyday work still works.
	run timeout -s KILL 60 runuser -l "$U" -c 'id -un'
	check "a login shell (runuser -l, through PAM)" test "$RC" -eq 0 -a "$(cat "$OUT")" = "$U"
	run timeout -s KILL 60 script -qec "login -f $U" /dev/null < <(printf 'echo login-$((6 * 7))\nexit\n')
	check "login(1) on a terminal" grep -q 'login-42' "$OUT"
	check "agetty runs on the serial console" systemctl is-active -q serial-getty@ttyS0
	expect_rc "systemctl restarts a service (cron)" 0 timeout -s KILL 120 systemctl restart cron
	check "systemctl: cron is active again" systemctl is-active -q cron
	cat >"/home/$U/hello.c" <<'EOF'
#include <stdio.h>
int main(void) { puts("compiled here"); return 0; }
EOF
	chown "$U:" "/home/$U/hello.c"
	run timeout -s KILL 300 runuser -u "$U" -- gcc -O2 -o "/home/$U/hello" "/home/$U/hello.c"
	check "gcc compiles a program (as the user)" test "$RC" -eq 0 -a -x "/home/$U/hello"
	expect_rc "the freshly compiled program is refused (nobody vouched for it)" 126 \
		timeout -s KILL 30 runuser -u "$U" -- /bin/sh -c "/home/$U/hello"
	run timeout -s KILL 300 apt-get update
	check "apt-get update (the local file: repository)" test "$RC" -eq 0
	run timeout -s KILL 300 apt-get install -y vouch-vm-data
	check "apt-get installs a package from it (no code in it)" test "$RC" -eq 0 -a -s /usr/share/vouch-vm-data/README
	check_apt_path
	check_doctor

	# The log survived the reboot, and verifies.
	local before size
	before=$(cat "$S/log-size")
	run vouch log verify --json
	size=$(grep -o '"size":[0-9]*' "$OUT" | cut -d: -f2)
	check "vouch log verify accepts the log after the reboot ($size entries, $before before it)" \
		test "$RC" -eq 0 -a "${size:-0}" -gt "$before"
	run vouch log show --json
	check "the deny from before the reboot is still in the log" grep -qF '"path":"/root/vm-stage1-untrusted"' "$OUT"

	# vouchd killed: systemd restarts it at once, and it enforces again.
	local old new t0 t1
	old=$(vouchd_pid)
	t0=$EPOCHREALTIME
	kill -KILL "$old"
	for i in $(seq 600); do
		new=$(vouchd_pid)
		[ -n "$new" ] && [ "$new" != 0 ] && [ "$new" != "$old" ] && systemctl is-active -q vouchd && break
		sleep 0.1
	done
	t1=$EPOCHREALTIME
	check "vouchd killed with SIGKILL is restarted by systemd (pid $old, then $new)" \
		test -n "$new" -a "$new" != 0 -a "$new" != "$old"
	figure restart_ms $(( (${t1/./} - ${t0/./}) / 1000 )) ms
	expect_rc "after the restart an untrusted program is refused again" 126 timeout -s KILL 30 /tmp/vm-untrusted
	check "after the restart the trusted program runs" /usr/bin/true

	# Last, so that it had time to run: the cron job (every minute, as the user).
	for i in $(seq 90); do [ -s /tmp/vm-cron-mark ] && break; sleep 1; done
	check "cron ran a job as the user under enforcement" grep -qx "$U" /tmp/vm-cron-mark
	exec_latency
	run vouch status
	while IFS= read -r l; do note "status: $l"; done <"$OUT"
	journal vouchd
	say "1..$_n"
	note "vouch-vm: done ($_fail failed)"
	echo done >"$S/stage"
	sync
	systemctl poweroff --no-block
	exit 0
}
# vouchd_first: every service that waits for sysinit.target (all but the early ones that
# set DefaultDependencies=no) started after vouchd was ready.
vouchd_first() {
	local ready u start after early=() late=0 first=0 bad=()
	ready=$(systemctl show -p ActiveEnterTimestampMonotonic --value vouchd)
	while read -r u; do
		[ "$u" = vouchd.service ] && continue
		start=$(systemctl show -p InactiveExitTimestampMonotonic --value "$u")
		[ -n "$start" ] && [ "$start" != 0 ] || continue
		after=$(systemctl show -p After --value "$u")
		case " $after " in
		*" sysinit.target "*)
			if [ "$start" -gt "$ready" ]; then
				late=$((late + 1))
				[ "$first" -eq 0 ] || [ "$start" -lt "$first" ] && first=$start
			else
				bad+=("$u")
			fi ;;
		*) early+=("${u%.service}") ;;
		esac
	done < <(systemctl list-units --type=service --all --no-legend --plain | awk '{print $1}')
	note "early services (DefaultDependencies=no), which may start before vouchd: ${early[*]}"
	figure first_ordinary_service $((first / 1000)) ms
	if [ "$ready" -gt 0 ] && [ ${#bad[@]} -eq 0 ] && [ "$late" -gt 0 ]; then
		pass "vouchd was ready before every ordinary service started ($late after it, the first $(( (first - ready) / 1000 )) ms after)"
	else
		fail "vouchd was ready before every ordinary service started" "ready at $ready us" \
			"started before it: ${bad[*]}"
	fi
}

case $stage in
install) stage_install ;;
policy) stage_policy ;;
enforced) stage_enforced ;;
*) note "vouch-vm: nothing to do (stage $stage)"; systemctl poweroff --no-block ;;
esac
