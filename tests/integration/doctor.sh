#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vouch doctor reads the real system: each line's shape, and each result as the test itself
# reads the same files; --json agrees with the text. Then, as root in a private mount
# namespace (never on the host's files), bind mounts over the /proc/sys, /sys, /proc/cmdline
# and /boot files it reads, a non-setuid and a setuid fusermount3, network and FUSE mounts
# (without a server), noexec mounts and a real vouchd make each check pass, warn and fail,
# and the exit status follows the worst result. A user (65534) reports what root does.
if [ -z "${VOUCH_IN_NS:-}" ] && [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null &&
	unshare -m --propagation private true 2>/dev/null; then
	VOUCH_IN_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
if [ -n "${VOUCH_IN_NS:-}" ]; then
	. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib-daemon.sh" || exit 2
else
	. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
fi
cleanup() {
	[ -n "${dpid:-}" ] && kill -TERM "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	cd / && rm -rf "$T"
}
trap cleanup EXIT
NAMES="vouchd marks filesystems noexec memfd proc-mem ptrace userns bpf modules module-sig lockdown fusermount"
ST=$T/none # no vouchd answers here unless one is started

# --- what the test reads itself ---------------------------------------------------------
val() { [ -r "$1" ] && head -c 64 "$1"; }
rel_ge() { # MAJOR MINOR: the running kernel is at least that
	local r; r=$(uname -r)
	local a=${r%%.*} b=${r#*.}; b=${b%%[!0-9]*}
	[ "$a" -gt "$1" ] || { [ "$a" -eq "$1" ] && [ "$b" -ge "$2" ]; }
}
# The mounts, one per line: "POINT<tab>TYPE<tab>OPTIONS" (the point as the kernel escapes it).
mounts() { awk '{ for (i = 7; $i != "-"; i++); print $5 "\t" $(i + 1) "\t" $6 }' /proc/self/mountinfo; }
has_opt() { case ",$1," in *",$2,"*) return 0 ;; esac; return 1; }
expected() {
	local v c m p mode uid w
	case $1 in
	memfd) v=$(val /proc/sys/vm/memfd_noexec) || { echo fail; return; }
		case $v in 2) echo pass ;; 0 | 1) echo fail ;; *) echo warn ;; esac ;;
	proc-mem)
		rel_ge 6 12 || { echo fail; return; }
		v=$(tr ' ' '\n' </proc/cmdline | sed '/^--$/q' |
			sed -n 's/^proc[-_]mem\.force[-_]override=//p' | tail -n 1)
		if [ -z "$v" ] && [ -r "/boot/config-$(uname -r)" ]; then
			grep -qx CONFIG_PROC_MEM_NO_FORCE=y "/boot/config-$(uname -r)" && v=never
			grep -qx CONFIG_PROC_MEM_FORCE_PTRACE=y "/boot/config-$(uname -r)" && v=ptrace
		fi
		case $v in never | ptrace) echo pass ;; '' | always) echo fail ;; *) echo warn ;; esac ;;
	ptrace) v=$(val /proc/sys/kernel/yama/ptrace_scope) || { echo fail; return; }
		case $v in 0) echo fail ;; 1) echo warn ;; *) echo pass ;; esac ;;
	userns) c=$(val /proc/sys/kernel/unprivileged_userns_clone) m=$(val /proc/sys/user/max_user_namespaces)
		if [ "$c" = 0 ] || [ "$m" = 0 ] || { [ -z "$c" ] && [ -z "$m" ]; }; then echo pass; else echo fail; fi ;;
	bpf) v=$(val /proc/sys/kernel/unprivileged_bpf_disabled) || { echo pass; return; }
		[ "$v" = 0 ] && echo fail || echo pass ;;
	modules) v=$(val /proc/sys/kernel/modules_disabled) || { echo pass; return; }
		[ "$v" = 0 ] && echo warn || echo pass ;;
	module-sig)
		if [ ! -e /proc/sys/kernel/modules_disabled ] ||
			[ "$(val /sys/module/module/parameters/sig_enforce)" = Y ] ||
			grep -qE '\[(integrity|confidentiality)\]' /sys/kernel/security/lockdown 2>/dev/null; then
			echo pass
		else
			echo warn
		fi ;;
	lockdown) grep -qE '\[(integrity|confidentiality)\]' /sys/kernel/security/lockdown 2>/dev/null &&
		echo pass || echo warn ;;
	fusermount) w=pass
		for p in /usr/bin/fusermount3 /usr/bin/fusermount /bin/fusermount3 /bin/fusermount; do
			read -r mode uid < <(stat -L -c '%a %u' "$p" 2>/dev/null) || continue
			[ "${#mode}" -eq 4 ] && [ $((8#$mode & 04000)) -ne 0 ] && [ "$uid" = 0 ] && w=fail
		done
		echo $w ;;
	filesystems) w=pass
		while IFS=$'\t' read -r p v c; do
			has_opt "$c" noexec && continue
			case $v in
			nfs | nfs4 | cifs | smb3 | smbfs | ceph | glusterfs | afs | lustre | fuse.sshfs | sshfs | 9p | virtiofs) w=fail ;;
			fuse | fuse.*) [ $w = pass ] && w=warn ;;
			esac
		done < <(mounts)
		echo $w ;;
	noexec) w=pass
		for p in /tmp /var/tmp /dev/shm /home; do
			# The mount on top of the deepest point at or above the place.
			c=$(mounts | awk -F'\t' -v p="$p" '{ m = $1; n = (m == "/") ? 0 : length(m)
				if (m == "/" || p == m || index(p, m "/") == 1) if (n >= best) { best = n; o = $3; at = m } }
				END { print at "\t" o }')
			[ "${c%%$'\t'*}" = "$p" ] || [ -e "$p" ] || continue
			has_opt "${c#*$'\t'}" noexec || w=warn
		done
		echo $w ;;
	vouchd | marks) echo fail ;; # no vouchd, unless a case says otherwise
	esac
}

# doctor_run [ARGS]: text into $OUT, exit status in RC; JSON into $T/j, its status in JRC.
doctor_run() {
	run "$VOUCH" doctor --state "$ST" "$@"
	"$VOUCH" doctor --state "$ST" --json "$@" >"$T/j" 2>/dev/null
	JRC=$?
}
result() { awk -v n="$1" '$2 == n { print $1; exit }' "$OUT"; }
# agree LABEL [NAME=RESULT...]: doctor's lines are well formed and each result is what the
# test reads (or what is given); the JSON says the same; the exit status is the worst.
agree() {
	local label=$1 n want got bad= worst=pass; shift
	doctor_run
	for n in $NAMES; do
		want=$(expected "$n")
		for o in "$@"; do [ "${o%%=*}" = "$n" ] && want=${o#*=}; done
		got=$(result "$n")
		[ "$got" = "$want" ] || bad="$bad $n:$got(wanted:$want)"
		[ "$want" = fail ] && worst=fail
		[ "$want" = warn ] && [ $worst = pass ] && worst=warn
	done
	check "$label: every result is what the test reads" test -z "$bad"
	[ -z "$bad" ] || echo "# differs:$bad"
	check "$label: exit status $([ $worst = pass ] && echo 0 || echo 1) (worst: $worst)" \
		test "$RC" -eq "$([ $worst = pass ] && echo 0 || echo 1)"
	check "$label: --json agrees with the text and has the same exit status" \
		python3 - "$T/j" "$OUT" "$JRC" "$RC" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
lines = open(sys.argv[2]).read().splitlines()
checks = j["checks"]
assert sys.argv[3] == sys.argv[4], "exit status"
assert len(lines) == len(checks) + 1
def esc(s):
    # vouch(1)'s escaping of a line: a backslash doubled, controls and C1 as \xHH.
    out = ""
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            out += "\\\\"
        elif (o < 0x20 and ch != "\t") or o == 0x7f or 0x80 <= o <= 0x9f:
            out += "".join("\\x%02x" % b for b in ch.encode())
        else:
            out += ch
    return out
for c, line in zip(checks, lines):
    res, name, rest = line.split(None, 2)
    assert (res, name) == (c["result"], c["name"]), line
    want = c["found"] + ("; fix: " + c["fix"] if c["fix"] is not None else "")
    assert rest == esc(want), (rest, want)
    assert (c["fix"] is None) == (c["result"] == "pass")
counts = {r: sum(c["result"] == r for c in checks) for r in ("pass", "warn", "fail")}
assert all(j[r] == counts[r] for r in counts), counts
worst = "fail" if counts["fail"] else "warn" if counts["warn"] else "pass"
assert j["result"] == worst
assert lines[-1] == "%d checks: %d pass, %d warn, %d fail" % (len(checks), counts["pass"], counts["warn"], counts["fail"])
EOF
}

# --- this machine as it is --------------------------------------------------------------
doctor_run
check "one line per check, then a summary" test "$(wc -l <"$OUT")" -eq 14
check "nothing on standard error" test ! -s "$ERR"
check "the checks, in order" test "$(awk 'NR < 14 {printf "%s ", $2}' "$OUT")" = "$NAMES "
# "RESULT  NAME<padding>  FOUND[; fix: FIX]": the names padded to the longest (11).
check "each line: result, name padded to one width, what was found" \
	test "$(grep -cE '^(pass|warn|fail)  [a-z-]{1,11} *  [^ ]' "$OUT")" -eq 13
check "what was found starts in one column (the 20th)" \
	test "$(awk 'NR < 14 && (substr($0, 18, 2) != "  " || substr($0, 20, 1) == " ")' "$OUT" | wc -l)" -eq 0
check "every warn and fail has a fix, no pass has one" \
	test "$(grep -cE '^(warn|fail) .*; fix: .' "$OUT")" -eq "$(grep -cE '^(warn|fail) ' "$OUT")" -a \
	"$(grep -cE '^pass .*; fix: ' "$OUT")" -eq 0
check "sysctl fixes say how to keep them" \
	bash -c "! grep -E '^(warn|fail)  (memfd|ptrace|userns|bpf) ' '$OUT' | grep -v /etc/sysctl.d/99-vouch.conf | grep -q 'sysctl -w'"
agree "this machine"
expect_err "an unknown option" 2 "^vouch: doctor: .*--frob" "$VOUCH" doctor --frob
expect_err "an argument" 2 "^vouch: doctor: unexpected argument 'x'" "$VOUCH" doctor x
expect_err "--state without its directory" 2 "^vouch: doctor: .*state" "$VOUCH" doctor --state
expect_rc "--help" 0 "$VOUCH" doctor --help
check "--help says how to use it" grep -q '^Usage: vouch doctor' "$OUT"

if [ -z "${VOUCH_IN_NS:-}" ]; then
	echo "ok $((_n + 1)) - settings made to pass, warn and fail # SKIP need root and unshare -m"
	_n=$((_n + 1))
	done_testing
fi

# --- as a user -------------------------------------------------------------------------
chmod 755 "$T"
if command -v setpriv >/dev/null; then
	"$VOUCH" doctor --state "$ST" >root.txt
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$VOUCH" doctor --state "$ST"
	check "a user (65534) gets the same report as root" diff root.txt "$OUT"
	check "and the same exit status" test "$RC" -eq "$(cd / && "$VOUCH" doctor --state "$ST" >/dev/null 2>&1; echo $?)"
else
	echo "ok $((_n + 1)) - a user's report # SKIP setpriv is missing"
	_n=$((_n + 1))
fi

# --- settings made to pass, warn and fail (this namespace only) ---------------------------
# fake_dir DIR: a tmpfs over DIR holding copies of its top-level files (its sysctls).
fake_dir() {
	local f d=$T/fake${1//\//_}
	mkdir -p "$d"
	for f in "$1"/*; do [ -f "$f" ] && [ -r "$f" ] && head -c 4096 "$f" >"$d/${f##*/}" 2>/dev/null; done
	mount --bind "$d" "$1" || return 1
}
fake_dir /proc/sys/kernel && fake_dir /proc/sys/vm && fake_dir /proc/sys/user &&
	mkdir -p "$T/fake_sys_module/module/parameters" && mount --bind "$T/fake_sys_module" /sys/module ||
	{ echo "not ok $((_n + 1)) - bind mounts over /proc/sys and /sys"; exit 1; }
check "a bind mount over /proc/sys works in this namespace" \
	bash -c "echo 2 >'$T/fake_proc_sys_vm/memfd_noexec' && test \"\$(cat /proc/sys/vm/memfd_noexec)\" = 2"
K=$T/fake_proc_sys_kernel
set_() { mkdir -p "$(dirname "$1")" && printf '%s\n' "$2" >"$1"; }
# Everything closed that a setting can close (proc-mem needs 6.12, memfd a file).
mkdir -p "$K/yama"
set_ "$T/fake_proc_sys_vm/memfd_noexec" 2
set_ "$K/yama/ptrace_scope" 2
set_ "$K/unprivileged_userns_clone" 0
set_ "$T/fake_proc_sys_user/max_user_namespaces" 100
set_ "$K/unprivileged_bpf_disabled" 2
set_ "$K/modules_disabled" 1
set_ "$T/fake_sys_module/module/parameters/sig_enforce" Y
mkdir -p "$T/sec" "$T/boot" && mount --bind "$T/sec" /sys/kernel/security && mount --bind "$T/boot" /boot
printf 'none [integrity] confidentiality\n' >"$T/sec/lockdown"
cp /proc/cmdline cmdline && mount --bind cmdline /proc/cmdline
echo "BOOT_IMAGE=/vmlinuz ro proc_mem.force_override=always quiet proc_mem.force_override=never -- proc_mem.force_override=always" >cmdline
fm=
for p in /usr/bin/fusermount3 /usr/bin/fusermount /bin/fusermount3 /bin/fusermount; do
	[ -f "$p" ] && [ ! -L "$p" ] && fm=${fm:-$p}
done
if [ -n "$fm" ]; then
	cp "$fm" fm-plain && chmod 0755 fm-plain && cp "$fm" fm-setuid && chmod 4755 fm-setuid
	mount --bind fm-plain "$fm"
fi
for p in /tmp /var/tmp /dev/shm /home; do
	[ -d "$p" ] && mount --bind "$p" "$p" && mount -o remount,bind,noexec "$p"
done
for o in $(mounts | awk -F'\t' '$2 ~ /^fuse/ || $2 ~ /^(nfs|nfs4|cifs|9p|virtiofs|ceph)$/ {print $1}'); do
	mount -o remount,bind,noexec "$o" 2>/dev/null # the host's own, if any
done
closed=(proc-mem=pass)
rel_ge 6 12 || closed=(proc-mem=fail)
[ -n "$fm" ] || closed+=(fusermount=$(expected fusermount))
agree "all closed" "${closed[@]}"
for n in memfd ptrace userns bpf modules module-sig lockdown filesystems noexec; do
	check "all closed: $n passes" test "$(result $n)" = pass
done
[ -n "$fm" ] && check "all closed: a fusermount3 that is not setuid passes" test "$(result fusermount)" = pass
if rel_ge 6 12; then
	check "proc-mem: the last value before '--' counts (never)" grep -q '^pass  proc-mem .*=never (the kernel command line)' "$OUT"
	echo "ro proc-mem.force-override=ptrace" >cmdline
	agree "proc_mem.force_override=ptrace"
	check "ptrace passes, named so" grep -q '^pass  proc-mem .*=ptrace' "$OUT"
	echo "ro proc_mem.force_override=always" >cmdline
	agree "proc_mem.force_override=always"
	check "always fails" test "$(result proc-mem)" = fail
	echo "ro proc_mem.force_override=sometimes" >cmdline
	agree "proc_mem.force_override=sometimes"
	check "a value the kernel does not know warns" test "$(result proc-mem)" = warn
	echo "ro quiet" >cmdline
	printf '# CONFIG_PROC_MEM_ALWAYS_FORCE is not set\nCONFIG_PROC_MEM_NO_FORCE=y\n' >"$T/boot/config-$(uname -r)"
	agree "not on the command line, built with CONFIG_PROC_MEM_NO_FORCE"
	check "the build default is read from /boot" grep -q "^pass  proc-mem .*=never (the kernel's build default)" "$OUT"
	rm "$T/boot/config-$(uname -r)"
	agree "not on the command line, no build configuration"
	check "is taken to be always: fails" test "$(result proc-mem)" = fail
	echo "ro proc_mem.force_override=never" >cmdline
else
	echo "ok $((_n + 1)) - proc_mem.force_override values # SKIP Linux $(uname -r) is older than 6.12"
	_n=$((_n + 1))
fi
if command -v setarch >/dev/null && setarch "$(uname -m)" --uname-2.6 true 2>/dev/null; then
	run setarch "$(uname -m)" --uname-2.6 "$VOUCH" doctor --state "$ST"
	check "a kernel older than 6.12 (setarch --uname-2.6): proc-mem fails, naming it" \
		grep -qE '^fail  proc-mem .*Linux 2\.6\.[0-9]+.* has no proc_mem.force_override' "$OUT"
fi

# Each setting in turn: the value, the result wanted.
one() { # FILE VALUE NAME RESULT
	local old; old=$(cat "$1" 2>/dev/null)
	if [ "$2" = ABSENT ]; then rm -f "$1"; else set_ "$1" "$2"; fi
	agree "$3 from '$2'" "${closed[@]}"
	check "$3 from '$2': $4" test "$(result "$3")" = "$4"
	if [ -n "$old" ]; then set_ "$1" "$old"; else rm -f "$1"; fi
}
V=$T/fake_proc_sys_vm U=$T/fake_proc_sys_user M=$T/fake_sys_module/module/parameters
one "$V/memfd_noexec" 0 memfd fail
one "$V/memfd_noexec" 1 memfd fail
one "$V/memfd_noexec" ABSENT memfd fail
check "no vm.memfd_noexec: says the kernel is too old, and the fix is a newer one" \
	grep -qE '^fail  memfd .*came in 6\.3.*fix: a Linux 6\.3 or later kernel' "$OUT"
one "$V/memfd_noexec" x memfd warn
check "a value the kernel would not write: warns so" grep -q '^warn  memfd .*does not hold' "$OUT"
one "$K/yama/ptrace_scope" 3 ptrace pass
one "$K/yama/ptrace_scope" 1 ptrace warn
one "$K/yama/ptrace_scope" 0 ptrace fail
one "$K/yama/ptrace_scope" ABSENT ptrace fail
check "no Yama: says so" grep -q '^fail  ptrace .*no Yama' "$OUT"
one "$K/unprivileged_userns_clone" 1 userns fail
check "userns: the fix is Debian's sysctl, kept in sysctl.d" \
	grep -q '^fail  userns .*fix: sysctl -w kernel.unprivileged_userns_clone=0, and keep .*99-vouch.conf' "$OUT"
set_ "$U/max_user_namespaces" 0
one "$K/unprivileged_userns_clone" 1 userns pass
one "$K/unprivileged_userns_clone" ABSENT userns pass
set_ "$U/max_user_namespaces" 100
one "$K/unprivileged_userns_clone" ABSENT userns fail
check "without Debian's sysctl: the fix is user.max_user_namespaces=0" \
	grep -q '^fail  userns .*fix: sysctl -w user.max_user_namespaces=0' "$OUT"
one "$K/unprivileged_bpf_disabled" 0 bpf fail
one "$K/unprivileged_bpf_disabled" 1 bpf pass
one "$K/unprivileged_bpf_disabled" ABSENT bpf pass
one "$K/modules_disabled" 0 modules warn
check "modules: the fix says not in sysctl.d" grep -q '^warn  modules .*not in /etc/sysctl.d' "$OUT"
one "$K/modules_disabled" ABSENT modules pass
one "$M/sig_enforce" N module-sig pass # lockdown integrity refuses unsigned modules
printf '[none] integrity confidentiality\n' >"$T/sec/lockdown"
one "$M/sig_enforce" N module-sig warn
one "$M/sig_enforce" Y module-sig pass
one "$M/sig_enforce" ABSENT module-sig warn
check "lockdown none: warns" test "$(result lockdown)" = warn
printf 'none integrity [confidentiality]\n' >"$T/sec/lockdown"
agree "lockdown confidentiality" "${closed[@]}"
check "lockdown confidentiality passes" test "$(result lockdown)" = pass
printf 'none [integrity] [confidentiality]\n' >"$T/sec/lockdown"
agree "a lockdown file the kernel would not write" "${closed[@]}" lockdown=warn
check "warns that it does not hold what the kernel writes" grep -q '^warn  lockdown .*does not hold' "$OUT"
rm "$T/sec/lockdown"
agree "no lockdown file, securityfs not mounted" "${closed[@]}"
check "says securityfs is not mounted" grep -q '^warn  lockdown  *securityfs is not mounted' "$OUT"
umount /sys/kernel/security
if mount -t securityfs securityfs /sys/kernel/security 2>/dev/null; then
	agree "the real securityfs, mounted here" "${closed[@]}"
	check "and the lockdown level is the kernel's own" test -n "$(result lockdown)"
	umount /sys/kernel/security
fi
mount --bind "$T/sec" /sys/kernel/security
printf 'none [integrity] confidentiality\n' >"$T/sec/lockdown"
chmod 000 "$T/sec/lockdown"
run setpriv --reuid=65534 --regid=65534 --clear-groups "$VOUCH" doctor --state "$ST"
check "a file a user cannot read: warns, names it, and says to run as root" \
	grep -q '^warn  lockdown .*cannot read /sys/kernel/security/lockdown: Permission denied; fix: run vouch doctor as root' "$OUT"
chmod 644 "$T/sec/lockdown"

if [ -n "$fm" ]; then
	umount "$fm" && mount --bind fm-setuid "$fm"
	agree "a setuid fusermount3" "${closed[@]}" fusermount=fail
	check "fusermount fails, naming it, with dpkg-statoverride as the fix" \
		grep -q "^fail  fusermount .*setuid root: $fm.*fix: dpkg-statoverride --update --add root root 0755 $fm" "$OUT"
	check "a link to it (fusermount) is named once, not twice" test "$(grep '^fail  fusermount' "$OUT" | grep -o 'fusermount[3]*' | sort -u | wc -l)" -le 2
	umount "$fm" && mount --bind fm-plain "$fm"
else
	echo "ok $((_n + 1)) - a setuid fusermount3 # SKIP no fusermount3 here to bind over"
	_n=$((_n + 1))
fi

# Filesystems vouchd does not mark: FUSE mounts made without a server (a /dev/fuse descriptor;
# nothing asks them anything, and they are detached at once after).
# fmount TYPE OPTIONS SOURCE POINT: a FUSE mount on a fresh /dev/fuse descriptor (7).
fmount() {
	exec 7<&- 7<>/dev/fuse && mount -i -t "$1" -o "fd=7,rootmode=40000,user_id=0,group_id=0$2" "$3" "$4"
}
mkdir fuse-probe
if [ -c /dev/fuse ] && fmount fuse "" x "$T/fuse-probe"; then
	umount -l "$T/fuse-probe"
	mkdir net fuse
	fmount fuse.sshfs "" host:/export "$T/net"
	agree "an sshfs mount (a network filesystem)" "${closed[@]}"
	check "filesystems fails, naming the mount and its type" \
		grep -qE "^fail  filesystems .*network filesystems.*: $T/net \(fuse.sshfs\)" "$OUT"
	umount -l "$T/net"
	fmount fuse.sshfs ,noexec host:/export "$T/net"
	agree "the same mounted noexec" "${closed[@]}"
	check "filesystems passes" test "$(result filesystems)" = pass
	umount -l "$T/net"
	fmount fuse "" x "$T/fuse"
	agree "a FUSE mount" "${closed[@]}"
	check "filesystems warns for FUSE" grep -qE "^warn  filesystems .*FUSE.*: $T/fuse \(fuse\)" "$OUT"
	umount -l "$T/fuse"
	mkdir "$T/sp ace"
	fmount fuse.sshfs "" host:/x "$T/sp ace"
	exec 8<&7
	mount -t tmpfs x "$T/net" && mkdir "$T/net/"$'a\nb' && fmount fuse.sshfs "" host:/y "$T/net/"$'a\nb'
	agree "mount points with a space and a line break" "${closed[@]}"
	check "are shown escaped, on one line" grep -qF "$T/sp ace (fuse.sshfs), $T/net/a\\x0ab (fuse.sshfs)" "$OUT"
	check "and the JSON has their exact bytes" python3 -c '
import json, sys
f = json.load(open(sys.argv[1]))["checks"][2]["found"]
assert sys.argv[2] + "/sp ace (fuse.sshfs)" in f and sys.argv[2] + "/net/a\nb (fuse.sshfs)" in f, f' "$T/j" "$T"
	umount -l "$T/net/"$'a\nb'; umount -l "$T/sp ace"; umount "$T/net"
	exec 7<&- 8<&-
else
	echo "ok $((_n + 1)) - network and FUSE mounts # SKIP no /dev/fuse"
	_n=$((_n + 1))
fi
# Kernel interfaces are not counted against anything; a ramfs is local.
mkdir mq && mount -t mqueue mq mq
agree "an mqueue mount (a kernel interface)" "${closed[@]}"
check "filesystems still passes" test "$(result filesystems)" = pass
umount mq
umount /dev/shm
agree "/dev/shm without noexec" "${closed[@]}"
check "noexec warns, naming /dev/shm" grep -qE '^warn  noexec .*/dev/shm \(tmpfs\)' "$OUT"
mount --bind /dev/shm /dev/shm && mount -o remount,bind,noexec /dev/shm

# vouchd: running in enforce mode and in monitor mode, with only the scratch tmpfs marked.
scratch_mount 256m # room for the vouch binary and its libraries (ASan too), below
trust_policy /bin/true >/dev/null
"$VOUCH" policy compile policy.txt -s owner.sec -o p.bundle >/dev/null
"$VOUCH" policy install -p owner.pub --state "$T/st" p.bundle >/dev/null
ST=$T/st
if start_daemon; then
	agree "vouchd enforcing, --watch of a scratch tmpfs" "${closed[@]}" vouchd=pass marks=fail
	check "vouchd: running and enforcing, with its pid" grep -qE "^pass  vouchd .*pid $dpid.*enforcing" "$OUT"
	check "marks: the root filesystem is not marked, the scratch one is not named" \
		bash -c "grep -E '^fail  marks .* / \(' '$OUT' | grep -vq ' $S '"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$VOUCH" doctor --state "$ST"
	check "a user is told the same of vouchd" grep -qE "^pass  vouchd .*enforcing" "$OUT"
	kill -TERM "$dpid"; wait "$dpid"; dpid=
	sed -i 's/^mode enforce$/mode monitor/' policy.txt
	"$VOUCH" policy compile policy.txt -s owner.sec -o p2.bundle >/dev/null
	"$VOUCH" policy install -p owner.pub --state "$T/st" p2.bundle >/dev/null
	if start_daemon; then
		agree "vouchd in monitor mode" "${closed[@]}" vouchd=fail marks=fail
		check "vouchd fails: monitor mode, nothing is denied" grep -q '^fail  vouchd .*monitor mode: nothing is denied; fix: ' "$OUT"
		kill -TERM "$dpid"; wait "$dpid"; dpid=
	else
		fail "vouchd started in monitor mode"
	fi
	agree "vouchd stopped" "${closed[@]}"
	check "a socket nobody answers: not running" grep -q '^fail  vouchd .*not running' "$OUT"
else
	fail "vouchd started" "$(cat "$T/d.err" 2>/dev/null | head -n 5)"
fi

# Everything closed, and vouchd marking every local filesystem the command can see: in a
# chroot into the scratch tmpfs (its mount table holds only what is under it), with its own
# proc and sysfs, the settings bound over them from files on the same tmpfs, the vouch
# binary and its libraries copied there and trusted by the policy vouchd enforces.
R=$S
if command -v ldd >/dev/null && command -v chroot >/dev/null; then
	mkdir -p "$R/bin" "$R/proc" "$R/sys" "$R/f"
	cp "$VOUCH" "$R/bin/vouch"
	files=("$R/bin/vouch")
	for lib in $(ldd "$VOUCH" | grep -oE '/[^ ]+'); do
		mkdir -p "$R$(dirname "$lib")" && cp -L "$lib" "$R$lib" && files+=("$R$lib")
	done
	mkdir trust2 && (cd trust2 && trust_policy "${files[@]}" >/dev/null &&
		"$VOUCH" policy compile policy.txt -s owner.sec -o p.bundle >/dev/null &&
		true)
	cp -r "$T/fake_proc_sys_kernel" "$R/f/kernel"; cp -r "$T/fake_proc_sys_vm" "$R/f/vm"
	cp -r "$T/fake_proc_sys_user" "$R/f/user"; cp -r "$T/fake_sys_module" "$R/f/module"
	mkdir "$R/f/sec" && printf 'none [integrity] confidentiality\n' >"$R/f/sec/lockdown"
	echo "ro proc_mem.force_override=never" >"$R/f/cmdline"
	mount -t proc proc "$R/proc" && mount -t sysfs sysfs "$R/sys" &&
		mount --bind "$R/f/kernel" "$R/proc/sys/kernel" && mount --bind "$R/f/vm" "$R/proc/sys/vm" &&
		mount --bind "$R/f/user" "$R/proc/sys/user" && mount --bind "$R/f/cmdline" "$R/proc/cmdline" &&
		mount --bind "$R/f/module" "$R/sys/module" && mount --bind "$R/f/sec" "$R/sys/kernel/security"
	# The state on a tmpfs of its own, reached in the chroot through a bind mount made
	# once vouchd runs: a new mount below the watched one, which vouchd then marks.
	rm -rf "$T/st" && mkdir "$T/st" "$R/st" && mount -t tmpfs -o size=16m st "$T/st" &&
		(cd trust2 && "$VOUCH" policy install -p owner.pub --state "$T/st" p.bundle >/dev/null)
	if start_daemon && mount --bind "$T/st" "$R/st" && wait_log "marked $R/st"; then
		want=pass
		rel_ge 6 12 || want=fail
		run chroot "$R" /bin/vouch doctor --state /st
		check "in the chroot, all closed and every filesystem marked: exit status $([ $want = pass ] && echo 0 || echo 1)" \
			test "$RC" -eq "$([ $want = pass ] && echo 0 || echo 1)"
		check "13 checks: all pass (but proc-mem before Linux 6.12)" \
			test "$(grep -c '^pass ' "$OUT")" -eq "$([ $want = pass ] && echo 13 || echo 12)"
		check "marks: every local filesystem is marked" grep -qE '^pass  marks  +all [0-9]+ local filesystems are marked' "$OUT"
		set_ "$R/f/kernel/yama/ptrace_scope" 1
		run chroot "$R" /bin/vouch doctor --state /st --json
		check "ptrace_scope 1 there: exit status 1" test "$RC" -eq 1
		check "and the JSON's worst result is $([ $want = pass ] && echo warn || echo fail)" python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["result"] == sys.argv[2] and j["warn"] == 1, j' "$OUT" "$([ $want = pass ] && echo warn || echo fail)"
		kill -TERM "$dpid"; wait "$dpid"; dpid=
	else
		fail "vouchd started for the chroot" "$(tail -n 5 "$T/d.err")"
	fi
	umount "$R/st" "$T/st" "$R/sys/kernel/security" "$R/sys/module" "$R/proc/cmdline" "$R/proc/sys/user" \
		"$R/proc/sys/vm" "$R/proc/sys/kernel" "$R/sys" "$R/proc" 2>/dev/null
else
	echo "ok $((_n + 1)) - everything passing, exit status 0 # SKIP needs ldd and chroot"
	_n=$((_n + 1))
fi
umount "$S" 2>/dev/null
done_testing
