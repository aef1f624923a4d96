#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vouchd against a non-root user's ways around it, in a private mount namespace over a scratch
# tmpfs only (never a host filesystem): each attack's payload is checked not to have run, next
# to a control showing the trusted equivalent does run.
VOUCH_NS_NEEDS=setpriv
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib-daemon.sh" || exit 2
U=${VOUCH_TEST_UID:-65534} # the attacker: any uid but 0
O=$S/out                   # the attacker's own directory on it, for copies and markers
B=$T/bin                   # helpers and attack material, off the watched filesystem
bgpid='' views=''
cleanup() {
	[ -n "$bgpid" ] && kill -TERM "$bgpid" 2>/dev/null
	local v
	for v in $views; do umount "$v" 2>/dev/null; done
	daemon_cleanup
	cd / && rm -rf "$T"
}
trap cleanup EXIT
# The attacker reaches the scratch filesystem through $T; $T's own files stay root's.
chmod 0711 "$T"
scratch_mount 64m
mkdir "$B"
chmod 0755 "$B"

# as CMD...: CMD run by the attacker, with a clean environment, bounded in time.
ASU=(timeout 10 setpriv --reuid="$U" --regid="$U" --clear-groups -- env -i PATH=/usr/bin:/bin)
as() { "${ASU[@]}" "$@"; }
skip() { pass "$1 # SKIP $2"; }
# ran PREFIX / none PREFIX: a payload's marker (any file named PREFIX*) is there / is not.
ran() { compgen -G "$1*" >/dev/null; }
none() { ! compgen -G "$1*" >/dev/null; }
# untrusted SRC DST: the same program one byte longer. It would run just as SRC does; only
# nobody vouches for it, so whatever stops it is vouchd.
untrusted() { cp "$1" "$2" && printf 'x' >>"$2" && chmod 0755 "$2"; }
# wait_for PREFIX: bounded wait for a marker.
wait_for() { for _ in $(seq 100); do ran "$1" && return 0; sleep 0.05; done; return 1; }

touch_bin=$(command -v touch) sleep_bin=$(command -v sleep) sh_bin=$(readlink -f /bin/sh)
loader=
for l in /lib64/ld-linux-x86-64.so.2 /lib/ld-linux-aarch64.so.1 /lib/ld-linux-armhf.so.3 \
	/lib/ld-linux-riscv64-lp64d.so.1 /lib64/ld64.so.2 /lib/ld-linux.so.2; do
	[ -e "$l" ] && { loader=$(readlink -f "$l"); break; }
done

# The software: the trusted programs, and their untrusted twins one byte longer.
cp "$touch_bin" "$S/trusted-touch"
untrusted "$touch_bin" "$S/untrusted-touch"
cp "$sleep_bin" "$S/trusted-sleep"
cp "$sh_bin" "$S/tsh"
untrusted "$sh_bin" "$S/esh"
# shellcheck disable=SC2016 # "$1" is the script's own argument
{
	printf '#!%s\n: >"$1"\n' "$S/tsh" >"$S/good.sh"
	printf '#!%s\n# nobody vouches for this line\n: >"$1"\n' "$S/tsh" >"$S/bad.sh"
	printf '#!%s\n: >"$1"\n' "$S/esh" >"$S/bad-interp.sh"
}
chmod 0755 "$S"/*.sh
trusted_files="$S/trusted-touch $S/trusted-sleep $S/tsh $S/good.sh $S/bad-interp.sh"

# Compiled at test time when there is a compiler: shared objects whose constructor and
# destructor leave a marker (named by $VOUCH_MARK, tagged with a constant compiled into their
# code), a helper for execveat/dlopen, and a program to give a chosen ELF interpreter.
CC=$(command -v cc || command -v gcc || command -v clang || true)
have_cc='' no_cc='no C compiler'
if [ -n "$CC" ]; then
	mkdir "$T/src"
	cat >"$T/src/lib.c" <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#ifndef TAG
#define TAG 0x600dc0deu
#endif
static void mark(const char *when)
{
	volatile unsigned tag = TAG; /* an immediate in .text: a different TAG is different code */
	const char *base = getenv("VOUCH_MARK");
	char p[4096];
	int fd;

	if (!base || snprintf(p, sizeof(p), "%s.%s.%08x", base, when, tag) >= (int)sizeof(p))
		return;
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}
__attribute__((constructor)) static void on_load(void) { mark("load"); }
__attribute__((destructor)) static void on_exit_(void) { mark("exit"); }
EOF
	cat >"$T/src/helper.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
extern char **environ;
int main(int argc, char **argv)
{
	char p[64];
	int fd;

	if (argc < 3)
		return 2;
	if (strcmp(argv[1], "dlopen") == 0) {
		if (dlopen(argv[2], RTLD_NOW))
			return 0;
		fprintf(stderr, "dlopen: %s\n", dlerror());
		return 1;
	}
	fd = open(argv[2], O_PATH | O_CLOEXEC);
	if (fd < 0) {
		perror("open O_PATH");
		return 2;
	}
	if (strcmp(argv[1], "execveat") == 0) {
		syscall(SYS_execveat, fd, "", &argv[2], environ, AT_EMPTY_PATH);
		perror("execveat");
	} else if (strcmp(argv[1], "procfd") == 0) {
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		execve(p, &argv[2], environ);
		perror("execve /proc/self/fd");
	}
	return 126;
}
EOF
	printf '#include <fcntl.h>\nint main(int c, char **v) { return c < 2 || open(v[1], O_WRONLY | O_CREAT, 0644) < 0; }\n' \
		>"$T/src/mark.c"
	if {
		"$CC" -O2 -shared -fPIC -o "$S/good.so" "$T/src/lib.c" &&
			"$CC" -O2 -shared -fPIC -DTAG=0xbadc0de5u -o "$B/evil-code.so" "$T/src/lib.c" &&
			"$CC" -O2 -o "$B/helper" "$T/src/helper.c" -ldl &&
			{ [ -z "$loader" ] || {
				cp "$loader" "$S/ld-trusted" && untrusted "$loader" "$S/ld-untrusted" &&
					"$CC" -O2 -Wl,--dynamic-linker="$S/ld-trusted" -o "$S/interp-trusted" "$T/src/mark.c" &&
					"$CC" -O2 -Wl,--dynamic-linker="$S/ld-untrusted" -o "$S/interp-untrusted" "$T/src/mark.c"
			}; }
	} 2>"$T/cc.err"; then
		have_cc=1
		untrusted "$S/good.so" "$S/evil.so"
		chmod 0755 "$S/good.so" "$B/helper"
		chmod 0644 "$B/evil-code.so"
		trusted_files="$trusted_files $S/good.so"
		[ -n "$loader" ] && trusted_files="$trusted_files $S/ld-trusted $S/interp-trusted $S/interp-untrusted"
	else
		no_cc="$CC fails: $(head -n 1 "$T/cc.err")"
	fi
fi
# A python3 the attacker can run (a pyenv shim under /root would not do).
PY=
for p in /usr/bin/python3 /usr/local/bin/python3; do
	[ -x "$p" ] && as "$p" -c 'import ctypes, os; os.O_PATH' 2>/dev/null && { PY=$p; break; }
done
cat >"$B/x.py" <<'EOF'
import ctypes, os, sys
mode, path, args = sys.argv[1], sys.argv[2], sys.argv[2:]
try:
    if mode == "procfd":
        fd = os.open(path, os.O_PATH)
        os.execv("/proc/self/fd/%d" % fd, args)
    elif mode == "fexecve":
        fd = os.open(path, os.O_PATH)
        os.execve(fd, args, os.environ)
    elif mode == "dlopen":
        ctypes.CDLL(path)
    elif mode == "dlopen-procfd":
        fd = os.open(path, os.O_PATH)
        ctypes.CDLL("/proc/self/fd/%d" % fd)
except OSError as e:
    print(e, file=sys.stderr)
    sys.exit(126)
EOF
chmod 0644 "$B/x.py"
mkdir "$O"
chown "$U:$U" "$O"

# shellcheck disable=SC2086 # a list of paths without spaces
trust_policy $trusted_files
"$VOUCH" policy compile policy.txt -s owner.sec -o p.bundle >/dev/null
"$VOUCH" policy install -p owner.pub --state "$T/st" p.bundle >/dev/null

if ! start_daemon; then
	fail "vouchd is ready" "$(tail -n 5 "$T/d.err")"
	done_testing
fi
pass "vouchd is ready"
run as id -u
check "the attacker is not root" test "$(cat "$OUT")" = "$U" -a "$U" -ne 0
run as test -x "$S/trusted-touch" -a -w "$O"
check "the attacker can reach the scratch filesystem and write its own directory" test "$RC" -eq 0

# 1. An untrusted program run directly.
run as "$S/trusted-touch" "$O/c1"
check "exec: control, a trusted program runs as the attacker" test -e "$O/c1"
run as "$S/untrusted-touch" "$O/m1"
check "exec: an untrusted program is refused (exit 126)" test "$RC" -eq 126
check "exec: the untrusted program did not run" test ! -e "$O/m1"
check "exec: the refusal is EPERM" grep -q "Operation not permitted" "$ERR"

# 2. Through /proc/self/fd/N of an O_PATH descriptor (an O_RDONLY open of an untrusted ELF
# is itself refused, so O_PATH, which the kernel does not report).
if [ -n "$PY" ]; then
	run as "$PY" "$B/x.py" procfd "$S/trusted-touch" "$O/c2p"
	check "/proc/self/fd (python): control, a trusted program runs" test -e "$O/c2p"
	run as "$PY" "$B/x.py" procfd "$S/untrusted-touch" "$O/m2p"
	check "/proc/self/fd (python): an untrusted program is refused" test "$RC" -eq 126
	check "/proc/self/fd (python): it did not run" test ! -e "$O/m2p"
else
	skip "/proc/self/fd (python)" "no python3 the attacker can run"
fi
if [ -n "$have_cc" ]; then
	run as "$B/helper" procfd "$S/trusted-touch" "$O/c2c"
	check "/proc/self/fd (C): control, a trusted program runs" test -e "$O/c2c"
	run as "$B/helper" procfd "$S/untrusted-touch" "$O/m2c"
	check "/proc/self/fd (C): an untrusted program is refused" test "$RC" -eq 126
	check "/proc/self/fd (C): it did not run" test ! -e "$O/m2c"
else
	skip "/proc/self/fd (C)" "$no_cc"
fi

# 3. execveat(fd, "", AT_EMPTY_PATH): by hand, and as glibc's fexecve under python's os.execve.
if [ -n "$have_cc" ]; then
	run as "$B/helper" execveat "$S/trusted-touch" "$O/c3c"
	check "execveat: control, a trusted program runs" test -e "$O/c3c"
	run as "$B/helper" execveat "$S/untrusted-touch" "$O/m3c"
	check "execveat: an untrusted program is refused" test "$RC" -eq 126
	check "execveat: it did not run" test ! -e "$O/m3c"
else
	skip "execveat" "$no_cc"
fi
if [ -n "$PY" ]; then
	run as "$PY" "$B/x.py" fexecve "$S/trusted-touch" "$O/c3p"
	check "fexecve (python os.execve(fd)): control, a trusted program runs" test -e "$O/c3p"
	run as "$PY" "$B/x.py" fexecve "$S/untrusted-touch" "$O/m3p"
	check "fexecve (python os.execve(fd)): an untrusted program is refused" test "$RC" -eq 126
	check "fexecve (python os.execve(fd)): it did not run" test ! -e "$O/m3p"
else
	skip "fexecve (python)" "no python3 the attacker can run"
fi

# 4. #! scripts: both the script and its interpreter (here on the scratch filesystem) must be
# vouched for.
run as "$S/good.sh" "$O/c4"
check "#!: control, a trusted script with a trusted interpreter runs" test -e "$O/c4"
run as "$S/bad.sh" "$O/m4"
check "#!: an untrusted script is refused (exit 126)" test "$RC" -eq 126
check "#!: the untrusted script did not run" test ! -e "$O/m4"
run as "$S/bad-interp.sh" "$O/m4i"
check "#!: a trusted script with an untrusted interpreter is refused (exit 126)" test "$RC" -eq 126
check "#!: the untrusted interpreter did not run it" test ! -e "$O/m4i"
# shellcheck disable=SC2016
run as "$S/esh" -c ': >"$1"' sh "$O/m4e"
check "#!: the untrusted interpreter run directly did not run either" test ! -e "$O/m4e"

# 5. The dynamic loader run directly on an untrusted program (an open, not an exec).
if [ -n "$loader" ]; then
	run as "$loader" "$S/trusted-touch" "$O/c5"
	check "loader: control, it runs a trusted program" test -e "$O/c5"
	run as "$loader" "$S/untrusted-touch" "$O/m5"
	check "loader: run on an untrusted program, it fails" test "$RC" -ne 0
	check "loader: the untrusted program did not run" test ! -e "$O/m5"
else
	skip "loader" "no known dynamic loader on this machine"
fi

# 6, 7. Untrusted shared objects into trusted programs: LD_PRELOAD and dlopen.
if [ -n "$have_cc" ]; then
	run as env LD_PRELOAD="$S/good.so" VOUCH_MARK="$O/c6" "$S/trusted-touch" "$O/c6v"
	check "LD_PRELOAD: control, a trusted object is loaded" ran "$O/c6.load."
	run as env LD_PRELOAD="$S/evil.so" VOUCH_MARK="$O/m6" "$S/trusted-touch" "$O/m6v"
	check "LD_PRELOAD: an untrusted object's code did not run" none "$O/m6."
	check "LD_PRELOAD: the loader says it could not preload it" grep -q "cannot be preloaded" "$ERR"
	check "LD_PRELOAD: the trusted program itself still ran" test -e "$O/m6v"

	run as env VOUCH_MARK="$O/c7c" "$B/helper" dlopen "$S/good.so"
	check "dlopen (C): control, a trusted object loads" ran "$O/c7c.load."
	run as env VOUCH_MARK="$O/m7c" "$B/helper" dlopen "$S/evil.so"
	check "dlopen (C): an untrusted object is refused" test "$RC" -eq 1
	check "dlopen (C): its code did not run" none "$O/m7c."
	if [ -n "$PY" ]; then
		run as env VOUCH_MARK="$O/c7p" "$PY" "$B/x.py" dlopen "$S/good.so"
		check "dlopen (python ctypes): control, a trusted object loads" ran "$O/c7p.load."
		run as env VOUCH_MARK="$O/m7p" "$PY" "$B/x.py" dlopen "$S/evil.so"
		check "dlopen (python ctypes): an untrusted object is refused" test "$RC" -eq 126
		check "dlopen (python ctypes): its code did not run" none "$O/m7p."
		run as env VOUCH_MARK="$O/c7f" "$PY" "$B/x.py" dlopen-procfd "$S/good.so"
		check "dlopen of /proc/self/fd/N: control, a trusted object loads" ran "$O/c7f.load."
		run as env VOUCH_MARK="$O/m7f" "$PY" "$B/x.py" dlopen-procfd "$S/evil.so"
		check "dlopen of /proc/self/fd/N: an untrusted object's code did not run" none "$O/m7f."
	else
		skip "dlopen (python ctypes)" "no python3 the attacker can run"
	fi
else
	skip "LD_PRELOAD and dlopen" "$no_cc"
fi

# 8. Another view of the same filesystem: a bind mount made by root.
mkdir "$T/rview"
if mount --bind "$S" "$T/rview"; then
	views="$T/rview"
	run as "$T/rview/trusted-touch" "$O/c8"
	check "bind mount: control, a trusted program runs through it" test -e "$O/c8"
	run as "$T/rview/untrusted-touch" "$O/m8"
	check "bind mount: an untrusted program through it is refused" test "$RC" -eq 126
	check "bind mount: it did not run" test ! -e "$O/m8"
else
	fail "bind mount: root can bind the scratch directory"
fi

# 9. The attacker's own user and mount namespace: a bind mount and an overlay of the scratch
# directory, both made without privilege on the host.
mkdir "$T/uview" "$T/ulow"
chmod 0755 "$T/uview" "$T/ulow"
if as unshare -Urm true 2>/dev/null; then
	# shellcheck disable=SC2016 # expanded by the attacker's shell
	ns='mount --bind "$1" "$2" && exec "$2/$3" "$4"'
	run as unshare -Urm sh -c "$ns" sh "$S" "$T/uview" trusted-touch "$O/c9"
	check "user namespace bind mount: control, a trusted program runs" test -e "$O/c9"
	run as unshare -Urm sh -c "$ns" sh "$S" "$T/uview" untrusted-touch "$O/m9"
	check "user namespace bind mount: an untrusted program is refused" test "$RC" -eq 126
	check "user namespace bind mount: it did not run" test ! -e "$O/m9"
	# shellcheck disable=SC2016
	ns='mount -t overlay vouch-ovl -o "lowerdir=$1:$5" "$2" && exec "$2/$3" "$4"'
	# shellcheck disable=SC2016
	probe='mount -t overlay vouch-ovl -o "lowerdir=$1:$3" "$2" && test -e "$2/trusted-touch"'
	run as unshare -Urm sh -c "$probe" sh "$S" "$T/uview" "$T/ulow"
	if [ "$RC" -eq 0 ]; then
		run as unshare -Urm sh -c "$ns" sh "$S" "$T/uview" trusted-touch "$O/c9o" "$T/ulow"
		check "user namespace overlayfs: control, a trusted program runs" test -e "$O/c9o"
		run as unshare -Urm sh -c "$ns" sh "$S" "$T/uview" untrusted-touch "$O/m9o" "$T/ulow"
		check "user namespace overlayfs: an untrusted program is refused" test "$RC" -eq 126
		check "user namespace overlayfs: it did not run" test ! -e "$O/m9o"
	else
		skip "user namespace overlayfs" "the attacker cannot mount overlayfs here: $(head -n 1 "$ERR")"
	fi
else
	skip "user namespace mounts" "unprivileged user namespaces are disabled on this machine"
fi

# 10. A trusted program, the attacker's own copy, changed after it was allowed. A code file
# that users can write is opened only to be run (an ELF open of it is refused, rule
# "writable"), and the kernel refuses to run a file open for writing (ETXTBSY).
as cp "$S/trusted-touch" "$O/mine"
run as "$O/mine" "$O/c10"
check "edit in place: control, the attacker's copy of a trusted program runs" test -e "$O/c10"
before=$(stat -c '%s %Z.%z' "$O/mine") # reading it is refused too, to root as well
# shellcheck disable=SC2016
edit='printf X | dd of="$1" bs=1 seek=$(($(stat -c %s "$1") - 1)) conv=notrunc status=none'
run as sh -c "$edit" sh "$O/mine"
check "edit in place: opening its copy to change it is refused" grep -q "Operation not permitted" "$ERR"
check "edit in place: the file is unchanged (size, change time)" test "$(stat -c '%s %Z.%z' "$O/mine")" = "$before"
run as "$O/mine" "$O/c10b"
check "edit in place: control, it still runs" test -e "$O/c10b"
# A descriptor opened for writing before the file held code, kept to change it later.
if [ -n "$PY" ]; then
	# shellcheck disable=SC2016
	keep='
import os, subprocess, sys
src, dst, mark = sys.argv[1:4]
fd = os.open(dst, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o755)
os.write(fd, open(src, "rb").read())
try:
    subprocess.run([dst, mark + ".a"])
    print("ran")
except OSError as e:
    print("refused", e.errno)
os.pwrite(fd, b"X", os.fstat(fd).st_size - 1)
os.close(fd)
try:
    subprocess.run([dst, mark + ".b"])
    print("ran")
except OSError as e:
    print("refused", e.errno)
'
	run as "$PY" -c "$keep" "$S/trusted-touch" "$O/kept" "$O/m10k"
	# vouchd refuses a file open for writing before the kernel would (ETXTBSY): its bytes are
	# not settled. Both runs are refused, by vouchd (EPERM, rule open-for-write).
	check "kept write descriptor: a file open for writing is refused (EPERM, not run)" \
		test "$(grep -cx "refused 1" "$OUT")" -eq 2
	check "kept write descriptor: vouchd names the rule" grep -q "kept .*rule open-for-write" "$T/d.err"
	check "kept write descriptor: neither version ran" none "$O/m10k."
fi
if [ -n "$have_cc" ]; then
	# A running program cannot be rewritten under it (the kernel's ETXTBSY)...
	as cp "$S/trusted-sleep" "$O/mysleep"
	"${ASU[@]}" env LD_PRELOAD="$S/good.so" VOUCH_MARK="$O/c10r" "$O/mysleep" 2 &
	bgpid=$!
	wait_for "$O/c10r.load."
	run as dd if=/dev/zero of="$O/mysleep" bs=1 count=1 seek=100 conv=notrunc status=none
	check "a running trusted program cannot be rewritten (refused)" \
		grep -qE "Text file busy|Operation not permitted" "$ERR"
	wait "$bgpid"
	bgpid=
	# ...and a library could be rewritten while mapped (the kernel does not protect it), so
	# the attacker's own copy of a trusted library is not loaded at all: a descriptor kept
	# from before it held code, to rewrite it while mapped, gains nothing.
	if [ -n "$PY" ]; then
		# shellcheck disable=SC2016
		lib='
import glob, os, subprocess, sys, time
src, dst, evil, prog, mark = sys.argv[1:6]
fd = os.open(dst, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o755)
os.write(fd, open(src, "rb").read())
p = subprocess.Popen([prog, "2"], env={"LD_PRELOAD": dst, "VOUCH_MARK": mark})
for _ in range(30):  # until it is mapped (if it ever is), at most 1.5 s
    if glob.glob(mark + ".load.*"):
        break
    time.sleep(0.05)
os.pwrite(fd, open(evil, "rb").read(), 0)
p.wait()
'
		run as "$PY" -c "$lib" "$S/good.so" "$O/lib.so" "$B/evil-code.so" "$S/trusted-sleep" "$O/m10m"
		check "mapped library: the attacker's writable copy of a trusted object is not loaded" \
			grep -q "cannot be preloaded" "$ERR"
		check "mapped library: neither its code nor the rewritten code ran" none "$O/m10m."
		check "mapped library: vouchd names the rule" grep -q "lib.so .*rule writable" "$T/d.err"
	fi
else
	skip "edited while running or mapped" "$no_cc"
fi

# 11. A trusted program whose ELF interpreter (PT_INTERP) is an untrusted loader.
if [ -n "$have_cc" ] && [ -n "$loader" ]; then
	run as "$S/interp-trusted" "$O/c11"
	check "PT_INTERP: control, a trusted program with a trusted loader runs" test -e "$O/c11"
	run as "$S/interp-untrusted" "$O/m11"
	check "PT_INTERP: a trusted program with an untrusted loader is refused" test "$RC" -eq 126
	check "PT_INTERP: it did not run" test ! -e "$O/m11"
else
	skip "PT_INTERP" "$no_cc, or no known loader"
fi

check "the daemon logged the attacker's denials" grep -q "deny pid .*untrusted-touch" "$T/d.err"
check "vouchd survived every attack" kill -0 "$dpid"
kill -TERM "$dpid"
wait "$dpid"
rc=$?
dpid=
check "SIGTERM stops vouchd cleanly" test "$rc" -eq 0
done_testing
