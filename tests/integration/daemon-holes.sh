#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The holes a review of vouchd found, each attack made as a user who is not root (uid 65534,
# python3's standard library and the usual tools), next to a control showing that the
# trusted case still works. In a private mount namespace over scratch filesystems only.
VOUCH_NS_NEEDS="setpriv python3 prlimit"
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib-daemon.sh" || exit 2
U=${VOUCH_TEST_UID:-65534}
O=$S/out # the attacker's own directory on the marked filesystem
B=$T/bin # helpers and attack material, off it
fusepid='' fuse_admin_was='' d2pid='' bgpids=''
FUSE_ADMIN=/sys/module/fuse/parameters/allow_sys_admin_access
cleanup() {
	local p
	for p in $bgpids; do kill -KILL "$p" 2>/dev/null; done
	[ -n "$fusepid" ] && kill -KILL "$fusepid" 2>/dev/null
	umount -l "$S/out/fuse" "$T/ufuse" 2>/dev/null
	[ -n "$d2pid" ] && kill -TERM "$d2pid" 2>/dev/null && wait "$d2pid" 2>/dev/null
	umount "$T/s2" "$S/late-a" "$S/late-b" 2>/dev/null
	daemon_cleanup
	[ -n "$fuse_admin_was" ] && echo "$fuse_admin_was" >"$FUSE_ADMIN" 2>/dev/null
	umount /dev/fuse "$T/dev" 2>/dev/null
	cd / && rm -rf "$T"
}
trap cleanup EXIT
chmod 0711 "$T"
scratch_mount 1g
mkdir "$B" "$O"
chmod 0755 "$B"
chown "$U:$U" "$O"
ASU=(setpriv --reuid="$U" --regid="$U" --clear-groups -- env -i PATH=/usr/bin:/bin)
as() { timeout -s KILL 20 "${ASU[@]}" "$@"; }
skip() { pass "$1 # SKIP $2"; }
ran() { compgen -G "$1*" >/dev/null; }
untrusted() { cp "$1" "$2" && printf 'x' >>"$2" && chmod 0755 "$2"; }
# status_of KEY: one value of 'vouch status --json' of the main daemon.
status_of() { "$VOUCH" status --state "$T/st" --json | python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', ''))"; }
# within SECONDS CMD...: CMD finishes (successfully) within SECONDS.
within() { local s=$1; shift; timeout -s KILL "$s" "$@" >/dev/null 2>&1; }

CC=$(command -v cc || command -v gcc || command -v clang || true)
if [ -z "$CC" ] || ! command -v python3 >/dev/null; then
	echo "ok 1 - daemon-holes # SKIP needs a C compiler and python3"
	echo "1..1"
	exit 0
fi
mkdir "$T/src"
# evil: what an attacker would like to run. It leaves "$1.evil" behind.
cat >"$T/src/evil.c" <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
int main(int c, char **v)
{
	char p[4096];

	if (c > 1 && snprintf(p, sizeof(p), "%s.evil", v[1]) < (int)sizeof(p))
		close(open(p, O_WRONLY | O_CREAT, 0644));
	return 0;
}
EOF
# big: a trusted program of 64 MiB (its data), which takes vouchd a while to hash.
cat >"$T/src/big.c" <<'EOF'
#include <fcntl.h>
#include <unistd.h>
static const char pad[64 << 20] = {1};
int main(int c, char **v)
{
	if (c > 1)
		close(open(v[1], O_WRONLY | O_CREAT, 0644));
	return pad[c];
}
EOF
# A shared object whose constructor leaves "$VOUCH_MARK.load".
cat >"$T/src/lib.c" <<'EOF'
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
__attribute__((constructor)) static void on_load(void)
{
	const char *m = getenv("VOUCH_MARK");
	char p[4096];

	if (m && snprintf(p, sizeof(p), "%s.load", m) < (int)sizeof(p))
		close(open(p, O_WRONLY | O_CREAT, 0644));
}
EOF
"$CC" -O2 -o "$B/evil" "$T/src/evil.c" && "$CC" -O2 -o "$S/big" "$T/src/big.c" &&
	"$CC" -O2 -shared -fPIC -o "$B/evil.so" "$T/src/lib.c" || {
	echo "not ok 1 - compile the attack material"
	echo "1..1"
	exit 1
}
chmod 0755 "$B/evil" "$B/evil.so"
cp "$(type -P touch)" "$S/trusted-touch"
cp "$(type -P true)" "$S/trusted-true"
untrusted "$(type -P true)" "$S/untrusted"
cp "$S/untrusted" "$B/untrusted-bytes" # what a FUSE server serves; off the marked filesystem
cp "$S/untrusted" "$S/untrusted-nd"
printf 'y' >>"$S/untrusted-nd"
echo "only root may read this" >"$S/secret-data"
cp "$S/trusted-true" "$S/root-only"
chmod 0700 "$S/root-only"
trust_policy "$S/trusted-touch" "$S/trusted-true" "$S/big" "$S/root-only"
# Large files are hashed (so that they hold workers) up to 32G.
[ -z "${VOUCH_TEST_OLD_DAEMON:-}" ] && echo 'max-size 32G' >>policy.txt
"$VOUCH" policy compile policy.txt -s owner.sec -o p.bundle >/dev/null || echo "# policy compile failed"
"$VOUCH" policy install -p owner.pub --state "$T/st" p.bundle >/dev/null || echo "# policy install failed"
chmod 0755 "$T/st"

# FUSE as the attacker runs it: the server is theirs. /dev/fuse for them through a node made
# in this namespace (the machine's own is left as it is), and root let into their
# filesystems (vouchd --mark-user-fuse) only for this test.
fuse_ok=''
if [ -x "$VOUCH_BUILD/tests/fuse-stall" ] && [ -u "$(command -v fusermount3 || echo /none)" ] &&
	[ -w "$FUSE_ADMIN" ] && [ -c /dev/fuse ]; then
	mkdir "$T/dev"
	mount -t tmpfs -o mode=0755 vouch-dev "$T/dev" && mknod -m 0666 "$T/dev/fuse" c 10 229 &&
		mount --bind "$T/dev/fuse" /dev/fuse && fuse_admin_was=$(cat "$FUSE_ADMIN") && fuse_ok=1
fi
# fuse_mount DIR SRC: the attacker's server on DIR, serving SRC as /prog; waits (bounded).
fuse_mount() {
	"${ASU[@]}" "$VOUCH_BUILD/tests/fuse-stall" "$1" "$2" 2>"$T/fuse.err" &
	fusepid=$!
	for _ in $(seq 50); do
		grep -q " $1 fuse" /proc/self/mounts && return 0
		sleep 0.1
	done
	return 1
}

# VOUCH_TEST_OLD_DAEMON: run the attacks against a vouchd from before these fixes, which has
# none of the options (to see them succeed there).
daemon_args=(--mark-user-fuse --log-max-size 64K --log-user-rate 40/60)
[ -n "${VOUCH_TEST_OLD_DAEMON:-}" ] && daemon_args=(--log-max-size 64K)
if ! start_daemon "${daemon_args[@]}"; then
	fail "vouchd is ready" "$(tail -n 5 "$T/d.err")"
	done_testing
fi
pass "vouchd is ready"
run as id -u
check "the attacker is not root" test "$(cat "$OUT")" = "$U" -a "$U" -ne 0

# --- 1. A poisoned verdict cache -----------------------------------------------------------
# The attacker's own copy of a trusted program, mapped shared and writable: exec'd once (a
# verdict the old cache kept), then the untrusted program stored through the mapping
# (neither ctime nor size changes), unmapped, exec'd again.
cat >"$B/poison.py" <<'EOF'
import mmap, os, subprocess, sys
trusted, evil, dst, mark = sys.argv[1:5]
data, bad = open(trusted, "rb").read(), open(evil, "rb").read()
assert len(bad) <= len(data)
fd = os.open(dst, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o755)
os.write(fd, data)
m = mmap.mmap(fd, len(data), mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
os.close(fd)
for i in range(0, len(data), 4096):  # the pages are writable already: stores change nothing else
    m[i] = m[i]
for attempt in (1, 2):
    try:
        subprocess.run([dst, mark + ".%d" % attempt])
        print("ran", attempt)
    except OSError as e:
        print("refused", attempt, e.errno)
    if attempt == 1:
        m[: len(bad)] = bad
        m.close()
EOF
cp "$S/trusted-touch" "$B/t-touch"
run as python3 "$B/poison.py" "$B/t-touch" "$B/evil" "$O/p1" "$O/m1"
check "cache, exec: the untrusted program stored through a shared mapping did not run" \
	test ! -e "$O/m1.2.evil"
check "cache, exec: it was refused (EPERM)" grep -qx "refused 2 1" "$OUT"
check "cache, exec: vouchd says why (not 'allow ... listed in manifest')" \
	grep -q "deny pid .*$O/p1 .*rule default" "$T/d.err"
as cp "$S/trusted-touch" "$O/p1c"
run as "$O/p1c" "$O/c1"
check "cache, exec: control, the attacker's unchanged copy of a trusted program runs" test -e "$O/c1"
# The same for a library: a file that is not ELF, opened once, then made ELF through a
# mapping, then LD_PRELOADed.
cat >"$B/morph.py" <<'EOF'
import mmap, os, subprocess, sys
lib, dst, prog, mark, keep = sys.argv[1:6]
code = open(lib, "rb").read()
fd = os.open(dst, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
os.write(fd, b"just some text\n" * (len(code) // 15 + 1))
m = mmap.mmap(fd, len(code), mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
os.close(fd)
for i in range(0, len(code), 4096):  # prefaulted writable: later stores change no time stamp
    m[i] = m[i]
open(dst, "rb").read(64)  # opened once as what it is: not code
m[:] = code  # one store through the mapping: an ELF object now, same size and ctime
if keep == "unmap":
    m.close()
r = subprocess.run([prog, mark + ".ran"], env={"LD_PRELOAD": dst, "VOUCH_MARK": mark},
                   stderr=subprocess.PIPE)
sys.stderr.write(r.stderr.decode(errors="replace"))
EOF
for how in unmap keep; do
	run as python3 "$B/morph.py" "$B/evil.so" "$O/morph-$how.so" "$S/trusted-touch" "$O/m1l-$how" "$how"
	check "cache, library ($how the mapping): its code did not run" test ! -e "$O/m1l-$how.load"
	check "cache, library ($how the mapping): the loader says it could not preload it" \
		grep -q "cannot be preloaded" "$ERR"
	check "cache, library ($how the mapping): the trusted program itself ran" test -e "$O/m1l-$how.ran"
done
check "cache, library: vouchd names the rule" grep -q "morph-unmap.so .*rule writable" "$T/d.err"

# --- 2. Changing a file while vouchd hashes it ---------------------------------------------
# A large user-owned copy of a trusted program, exec'd while the attacker rewrites it
# through a prefaulted shared mapping and unmaps before the kernel's own write check.
cat >"$B/race.py" <<'EOF'
import mmap, os, sys, time
big, evil, dst, mark, tries = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
data, bad = open(big, "rb").read(), open(evil, "rb").read()
ran = 0
for t in range(tries):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # forked before the mapping: the exec'ing process holds none
        os.close(w)
        os.read(r, 1)
        try:
            os.execv(dst, [dst, "%s.%d" % (mark, t)])
        except OSError:
            os._exit(126)
    os.close(r)
    fd = os.open(dst, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o755)
    os.write(fd, data)
    m = mmap.mmap(fd, len(data), mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    os.close(fd)
    for i in range(0, len(data), 4096):  # prefaulted: later stores change no time stamp
        m[i] = m[i]
    os.write(w, b"x")  # exec now
    os.close(w)
    time.sleep(0.002 * (t + 1))  # while vouchd hashes (longer at each try), then
    m[: len(bad)] = bad  # rewrite what it has already read,
    m.close()  # and unmap before the kernel's own write check
    os.waitpid(pid, 0)
    if os.path.exists("%s.%d.evil" % (mark, t)):
        ran += 1
    os.unlink(dst)
print("evil ran %d of %d" % (ran, tries))
EOF
run as python3 "$B/race.py" "$S/big" "$B/evil" "$O/race" "$O/m2" 10
check "hashing: the program rewritten while vouchd hashed it never ran (10 tries)" \
	grep -qx "evil ran 0 of 10" "$OUT"
check "hashing: vouchd refused the file open for writing (rule open-for-write)" \
	grep -q "$O/race .*rule open-for-write" "$T/d.err"
# A writer that comes during the hash (the file had none when it began) breaks the lease:
# it waits for vouchd, and what it wrote is not what was allowed.
cat >"$B/late-writer.py" <<'EOF'
import os, sys, threading, time
big, evil, dst, mark = sys.argv[1:5]
data, bad = open(big, "rb").read(), open(evil, "rb").read()
fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o755)
os.write(fd, data)
os.close(fd)
wrote = []
def write_late():
    time.sleep(0.005)
    try:
        fd = os.open(dst, os.O_WRONLY)  # waits while vouchd holds its lease
    except OSError as e:  # ETXTBSY: the program was allowed and runs; nothing is written
        return
    os.pwrite(fd, bad, 0)
    os.close(fd)
    wrote.append(1)
t = threading.Thread(target=write_late)
t.start()
try:
    os.spawnv(os.P_WAIT, dst, [dst, mark])
except OSError:
    pass
t.join()
print("evil ran" if os.path.exists(mark + ".evil") else "evil did not run")
print("wrote" if wrote else "write refused")
EOF
run as python3 "$B/late-writer.py" "$S/big" "$B/evil" "$O/late" "$O/m2l"
check "hashing: a writer during the check: the rewritten program did not run" \
	grep -qx "evil did not run" "$OUT"
if grep -qx wrote "$OUT"; then
	run as "$O/late" "$O/m2l2"
	check "hashing: and afterwards, as changed, it is refused" test "$RC" -eq 126 -a ! -e "$O/m2l2.evil"
else
	pass "hashing: the writer came after the exec's write check: the kernel refused it"
fi
as cp "$S/big" "$O/bigcopy"
run as "$O/bigcopy" "$O/c2"
check "hashing: control, the attacker's copy of the large trusted program runs" test -e "$O/c2"
held=$(status_of leases_held)
[ "$held" = 0 ] || { sleep 1; held=$(status_of leases_held); }
check "hashing: its read lease was let go once it ran" test "$held" = 0

# --- 3. Descriptors sent over the control socket -------------------------------------------
nfd() { find "/proc/$dpid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
cat >"$B/fds.py" <<'EOF'
import array, os, socket, sys
path, rounds, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(per)]
for _ in range(rounds):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.sendmsg([b"vouch-ctl/1 why\n"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
    s.recv(4096)
    s.close()
print("sent")
EOF
base=$(nfd)
hard=$(awk '/^Max open files/ {print $5}' "/proc/$dpid/limits")
run as python3 "$B/fds.py" "$T/st/vouchd.sock" 2000 2
run as python3 "$B/fds.py" "$T/st/vouchd.sock" 100 250
sleep 0.2
now=$(nfd)
check "control socket: 2000 requests with 2 descriptors and 100 with 250 leak none (open: $base, then $now)" \
	test "$now" -le $((base + 4))
run as "$VOUCH" why --state "$T/st" "$S/trusted-true"
check "control socket: control, 'why' with its one descriptor is still answered" \
	grep -q "may run" "$OUT"
# Descriptors run out (a limit lowered under vouchd): the kernel denies what it cannot give
# vouchd, and vouchd goes on enforcing.
# (After the last answer's connection has closed, so that no closing descriptor makes room.)
sleep 0.3
prlimit --pid "$dpid" --nofile="$(($(nfd) - 3)):$hard"
pids=''
for i in $(seq 20); do
	as "$S/trusted-true" 2>/dev/null &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
run as "$S/untrusted"
check "EMFILE: an untrusted program is still refused" test "$RC" -eq 126
prlimit --pid "$dpid" --nofile="$hard:$hard"
check "EMFILE: vouchd survived it" kill -0 "$dpid"
check "EMFILE: and counted it" test "$(status_of read_errors)" -gt 0
run as "$S/trusted-true"
check "EMFILE: with descriptors back, the trusted program runs again" test "$RC" -eq 0

# --- 4. A flood of denied execs at a descriptor limit of 1024 --------------------------------
mkdir "$T/s2"
mount -t tmpfs -o size=64m,mode=0755 vouch-s2 "$T/s2"
cp "$B/untrusted-bytes" "$T/s2/untrusted"
cp "$(type -P true)" "$T/s2/trusted-true"
cp -a "$T/st" "$T/st2"
rm -f "$T/st2/vouchd.sock" "$T/st2/log.key" "$T/st2/log.pub" "$T/st2/log.seen"
rm -rf "$T/st2/log"
: >"$T/d2.out"
prlimit --nofile=1024:1024 "$VOUCHD" --foreground --state "$T/st2" --watch "$T/s2" >"$T/d2.out" 2>"$T/d2.err" &
d2pid=$!
for _ in $(seq 100); do grep -q '^ready$' "$T/d2.out" && break; sleep 0.1; done
check "fd limit 1024: vouchd starts (its queue sized to what 1024 descriptors allow)" \
	grep -q '^ready$' "$T/d2.out"
cat >"$B/flood.py" <<'EOF'
import os, sys
prog, n, procs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
kids = []
for _ in range(procs):
    pid = os.fork()
    if pid == 0:
        for _ in range(n):
            try:
                os.posix_spawn(prog, [prog], {})
            except OSError:
                pass
        os._exit(0)
    kids.append(pid)
for k in kids:
    os.waitpid(k, 0)
print("done")
EOF
# The log writer held still (a slow disk, as it were) while the flood goes on: whatever the
# queue holds must not hold descriptors. It is stopped alone, by ptrace, for 8 seconds.
cat >"$B/freeze.py" <<'EOF'
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
tid, secs = int(sys.argv[1]), float(sys.argv[2])
if libc.ptrace(0x4206, tid, 0, 0) != 0:  # PTRACE_SEIZE
    sys.exit("ptrace: %s" % os.strerror(ctypes.get_errno()))
libc.ptrace(0x4207, tid, 0, 0)  # PTRACE_INTERRUPT: that thread alone stops
os.waitpid(tid, 0x40000000)  # __WALL
print("frozen", flush=True)
time.sleep(secs)
libc.ptrace(17, tid, 0, 0)  # PTRACE_DETACH
EOF
writer=$(grep -l '^vouchd-log$' /proc/"$d2pid"/task/*/comm 2>/dev/null | head -n 1 | cut -d/ -f5)
# (A vouchd from before thread names: its writer came right after its workers, one a CPU.)
[ -n "$writer" ] || writer=$(ls "/proc/$d2pid/task" | sort -n |
	sed -n "$(($(nproc) < 2 ? 4 : $(nproc) > 16 ? 18 : $(nproc) + 2))p")
python3 "$B/freeze.py" "$writer" 8 >"$T/freeze.out" 2>&1 &
freezepid=$!
for _ in $(seq 50); do grep -q frozen "$T/freeze.out" && break; sleep 0.1; done
check "fd limit 1024: the log writer is held still" grep -q frozen "$T/freeze.out"
run timeout -s KILL 120 "${ASU[@]}" python3 "$B/flood.py" "$T/s2/untrusted" 2500 8
held_fds=$(find "/proc/$d2pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
frozen_still=$(grep -c "^State:.*t (tracing stop)" "/proc/$d2pid/task/$writer/status" 2>/dev/null)
wait "$freezepid"
check "fd limit 1024: with the writer still stopped, vouchd holds few descriptors ($held_fds): no queued record holds one" \
	test "$frozen_still" -eq 1 -a "$held_fds" -lt 200
check "fd limit 1024: 20000 denied execs while the writer stood still: vouchd survives" kill -0 "$d2pid"
run as "$T/s2/untrusted"
check "fd limit 1024: an untrusted program is still refused" test "$RC" -eq 126
run as "$T/s2/trusted-true"
check "fd limit 1024: a trusted program runs" test "$RC" -eq 0
run as "$VOUCH" status --state "$T/st2" --json
check "fd limit 1024: status says so" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["fd_limit"] == 1024 and s["events_max"] < 1024 and s["queue_capacity"] <= s["events_max"], s
' "$OUT"
kill -TERM "$d2pid"
wait "$d2pid"
d2pid=
run grep "^Max open files" "/proc/$dpid/limits"
check "descriptors: vouchd raised its soft limit to the hard one" \
	bash -c "awk '{exit !(\$4 == \$5)}' '$OUT'"

# --- 5. Workers held by files that take long -----------------------------------------------
# Files much larger than code ever is are refused unread...
as truncate -s 60G "$O/sparse-60g"
as chmod 0755 "$O/sparse-60g"
SECONDS=0
run as "$O/sparse-60g"
check "huge file: a 60 GB sparse file is refused (larger than max-size), at once" \
	test "$RC" -eq 126 -a "$SECONDS" -lt 5
check "huge file: rule too-large" grep -q "sparse-60g .*rule too-large" "$T/d.err"
# ...and files that take long (here 16 GB of zeros, under this policy's max-size) hold at
# most the attacker's share of the workers, while everyone else's work goes on.
for i in 1 2 3 4 5 6; do
	as truncate -s 16G "$O/slow-$i"
	as chmod 0755 "$O/slow-$i"
	"${ASU[@]}" "$O/slow-$i" 2>/dev/null & # the exec itself waits: its pid is $!
	bgpids="$bgpids $!"
done
sleep 1
head -c 8192 /dev/zero | tr '\0' 'x' >"$S/root-text-before"
cp "$S/trusted-true" "$S/root-fresh"
cp "$S/trusted-true" "$S/root-fresh2"
chmod 0644 "$S/root-text-before"
check "slow files: root writes a new file at once" within 5 sh -c "echo hello >'$S/new.txt'"
check "slow files: root reads a file vouchd has not seen, at once" within 5 cat "$S/root-text-before"
check "slow files: root's copy of a trusted program (not cached yet) runs at once" \
	within 5 "$S/root-fresh"
check "slow files: another user's trusted program runs at once" \
	within 5 setpriv --reuid=65533 --regid=65533 --clear-groups "$S/trusted-true"
check "slow files: vouch status answers at once" within 5 "$VOUCH" status --state "$T/st"
check "slow files: the attacker holds at most a quarter of the workers" \
	test "$(status_of queue_running)" -le 1
for p in $bgpids; do kill -KILL "$p" 2>/dev/null; done
bgpids=
# Nobody waits for them now: vouchd gives their work up within a moment.
for _ in $(seq 50); do [ "$(status_of queue_running)" = 0 ] && break; sleep 0.2; done
check "slow files: once their waiters are gone, the work is given up" \
	test "$(status_of queue_running)" = 0
if [ -n "$fuse_ok" ]; then
	# A server that never answers a read: the attacker's execs of its file wait forever,
	# in their own lane; and its open, in its own group.
	mkdir "$O/fuse"
	chown "$U:$U" "$O/fuse"
	if fuse_mount "$O/fuse" "$B/untrusted-bytes"; then
		for _ in $(seq 50); do grep -q "marked $O/fuse" "$T/d.err" && break; sleep 0.1; done
		check "FUSE: the attacker's FUSE filesystem is marked" grep -q "marked $O/fuse" "$T/d.err"
		run as "$O/fuse/prog"
		check "FUSE: an untrusted program on it is refused" test "$RC" -eq 126
		for i in 1 2 3 4 5 6; do
			"${ASU[@]}" "$O/fuse/read-blocks" 2>/dev/null &
			bgpids="$bgpids $!"
			"${ASU[@]}" cat "$O/fuse/open-blocks" 2>/dev/null &
			bgpids="$bgpids $!"
		done
		sleep 1
		check "FUSE stalled: root's exec of a trusted program works" within 5 "$S/root-fresh2"
		check "FUSE stalled: another user's exec works" \
			within 5 setpriv --reuid=65533 --regid=65533 --clear-groups "$S/trusted-true"
		check "FUSE stalled: vouch status answers" within 5 "$VOUCH" status --state "$T/st"
		kill -KILL "$fusepid"
		wait "$fusepid" 2>/dev/null
		fusepid=
		for p in $bgpids; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
		bgpids=
		umount -l "$O/fuse" 2>/dev/null
	else
		fail "FUSE: the attacker mounts a FUSE filesystem" "$(cat "$T/fuse.err")"
	fi
else
	skip "FUSE server that stalls" "needs tests/fuse-stall (libfuse3), a setuid fusermount3 and fuse's allow_sys_admin_access"
fi

# --- 6. The control socket, held by silent clients -----------------------------------------
cat >"$B/silent.py" <<'EOF'
import socket, sys, time
path, n, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
socks = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    socks.append(s)
print("holding", len(socks), flush=True)
time.sleep(secs)
EOF
"${ASU[@]}" timeout -s KILL 20 python3 "$B/silent.py" "$T/st/vouchd.sock" 30 8 >"$T/silent.out" &
bgpids=$!
for _ in $(seq 50); do grep -q holding "$T/silent.out" && break; sleep 0.1; done
SECONDS=0
check "control socket: with 30 silent connections, root's vouch status answers" \
	within 5 "$VOUCH" status --state "$T/st"
check "control socket: and root's vouch reload" within 5 "$VOUCH" reload --state "$T/st"
check "control socket: within two seconds" test "$SECONDS" -le 2
run as "$VOUCH" status --state "$T/st"
check "control socket: the user holding them is told they have too many" grep -q "busy" "$ERR"
check "control socket: another user's status answers" \
	within 5 setpriv --reuid=65533 --regid=65533 --clear-groups "$VOUCH" status --state "$T/st"
kill -KILL $bgpids 2>/dev/null
wait $bgpids 2>/dev/null
bgpids=

# --- 7. The terminal notice ------------------------------------------------------------------
# The denied program's standard error is an O_PATH descriptor of something whose open has
# an effect: a FUSE file whose open never returns, and a FIFO with a reader (a write open is
# seen by it).
cat >"$B/stderr-as.py" <<'EOF'
import os, sys
target, prog = sys.argv[1], sys.argv[2]
fd = os.open(target, os.O_PATH)
os.dup2(fd, 2)
try:
    os.execv(prog, [prog])
except OSError as e:
    os.write(1, b"refused %d\n" % e.errno)
EOF
mkfifo -m 0666 "$T/fifo"
python3 -c '
import os, select, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
end, seen = time.time() + 15, 0
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r and os.read(fd, 4096) == b"" and not seen:
        seen = 1
    try:
        os.stat(sys.argv[2])
        break
    except OSError:
        pass
open(sys.argv[3], "w").write("opened by a writer\n" if seen else "untouched\n")
' "$T/fifo" "$T/fifo.stop" "$T/fifo.result" &
fifopid=$!
sleep 0.3
run as python3 "$B/stderr-as.py" "$T/fifo" "$S/untrusted"
check "notice: standard error a FIFO: the program is refused" grep -qx "refused 1" "$OUT"
touch "$T/fifo.stop"
wait "$fifopid"
check "notice: vouchd never opened the FIFO it named" grep -qx untouched "$T/fifo.result"
if [ -n "$fuse_ok" ]; then
	mkdir "$T/ufuse"
	chown "$U:$U" "$T/ufuse"
	if fuse_mount "$T/ufuse" "$B/untrusted-bytes"; then
		for i in 1 2 3 4; do
			run as python3 "$B/stderr-as.py" "$T/ufuse/open-blocks" "$S/untrusted"
			check "notice: standard error on a FUSE file whose open never returns ($i): refused at once" \
				grep -qx "refused 1" "$OUT"
		done
		check "notice: then a trusted program runs at once" within 5 "${ASU[@]}" "$S/trusted-true"
		check "notice: and a denial is still answered at once" \
			bash -c "timeout -s KILL 5 ${ASU[*]} '$S/untrusted'; [ \$? -eq 126 ]"
		kill -KILL "$fusepid"
		wait "$fusepid" 2>/dev/null
		fusepid=
		umount -l "$T/ufuse" 2>/dev/null
	else
		fail "notice: the attacker mounts a FUSE filesystem" "$(cat "$T/fuse.err")"
	fi
else
	skip "notice with a FUSE file" "needs tests/fuse-stall (libfuse3) and a setuid fusermount3"
fi
run as python3 "$VOUCH_SRC/tests/integration/ptyrun.py" "$O/tty.out" -- "$S/untrusted"
check "notice: control, on the attacker's own terminal the reason is shown" \
	grep -q "was not run: not vouched for" "$O/tty.out"

# --- 8. vouchd's own threads, at the most workers ------------------------------------------
mkdir "$T/s3"
mount -t tmpfs -o size=8m,mode=0755 vouch-s3 "$T/s3"
cp -a "$T/st" "$T/st3"
rm -rf "$T/st3/vouchd.sock" "$T/st3/log" "$T/st3/log.key" "$T/st3/log.pub" "$T/st3/log.seen"
"$VOUCHD" --foreground --state "$T/st3" --watch "$T/s3" --workers 64 >"$T/d3.out" 2>"$T/d3.err" &
d3pid=$!
for _ in $(seq 100); do grep -q '^ready$' "$T/d3.out" && break; sleep 0.1; done
check "threads: vouchd with 64 workers is ready" grep -q '^ready$' "$T/d3.out"
run "$VOUCH" status --state "$T/st3" --json
check "threads: every one of its $(ls "/proc/$d3pid/task" | wc -l) threads is its own (none unregistered)" \
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["threads_unregistered"] == 0 and s["workers"] == 64, s' "$OUT"
kill -TERM "$d3pid"
wait "$d3pid"
umount "$T/s3"

# --- 9. One user's flood, and everyone else's history ----------------------------------------
run "$S/untrusted"
sleep 1.5 # in a checkpoint
"$VOUCH" log show --state "$T/st" --json >"$T/before.json"
root_first=$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["uid"] == 0 and e["decision"] == "deny":
        print(e["index"]); break
' "$T/before.json")
before=$(status_of log_entries)
run timeout -s KILL 120 "${ASU[@]}" python3 "$B/flood.py" "$S/untrusted" 1000 4
sleep 2.5 # a checkpoint
run "$VOUCH" log show --state "$T/st" --json
check "history: root's earliest denial (entry $root_first) is still there after the user's 4000" \
	python3 -c '
import json, sys
idx = [json.loads(l)["index"] for l in open(sys.argv[1])]
assert int(sys.argv[2]) in idx, (sys.argv[2], idx[:5])
' "$OUT" "$root_first"
check "history: of the user's 4000 denials, a few dozen are recorded one by one" python3 -c '
import json, sys
es = [json.loads(l) for l in open(sys.argv[1])]
mine = [e for e in es if e["uid"] == int(sys.argv[2]) and e["index"] >= int(sys.argv[3])]
one = [e for e in mine if e["event"] != "summary"]
assert 0 < len(one) <= 60, len(one)
' "$OUT" "$U" "$before"
check "history: status counts the rate-limited decisions" test "$(status_of log_rate_limited)" -gt 3000
run "$VOUCH" log verify --state "$T/st"
check "history: the log verifies" test "$RC" -eq 0
# A witness has seen the log up to here: retention keeps every later entry, past the size.
seen=$(status_of log_checkpointed)
expect_err "witness: a user may not say what a witness has seen" 1 "only root" \
	as "$VOUCH" log seen --state "$T/st" "$seen"
expect_rc "witness: root records what a witness has seen (vouch log seen)" 0 \
	"$VOUCH" log seen --state "$T/st" "$seen"
expect_err "witness: not more than the log holds" 2 "covers" \
	"$VOUCH" log seen --state "$T/st" 99999999
for i in $(seq 400); do "$S/untrusted" 2>/dev/null; done
sleep 2.5
run "$VOUCH" log show --state "$T/st" --json
check "witness: after root's 400 more, nothing from entry $seen on was removed" python3 -c '
import json, sys
idx = {json.loads(l)["index"] for l in open(sys.argv[1])}
n = max(idx) + 1
assert all(i in idx for i in range(int(sys.argv[2]), n)), (sys.argv[2], n, len(idx))
' "$OUT" "$seen"
check "witness: status shows it" test "$(status_of log_seen)" = "$seen"

# --- 14. 'why' about a file the asker may not read -------------------------------------------
"$S/root-only"
cat >"$B/why.py" <<'EOF'
import array, os, socket, sys
fd = os.open(sys.argv[2], os.O_PATH)  # needs no read permission
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendmsg([b"vouch-ctl/1 why\n"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])
print(s.recv(65536).decode(errors="replace"))
EOF
run as python3 "$B/why.py" "$T/st/vouchd.sock" "$S/root-only"
check "why: a root-only file's hash and verdict are not told to a user" \
	bash -c "! grep -qE '[0-9a-f]{64}' '$OUT' && grep -q 'may not read' '$OUT'"
run "$VOUCH" why --state "$T/st" "$S/root-only"
check "why: control, root is told" grep -q "may run" "$OUT"
run as "$VOUCH" why --state "$T/st" "$S/trusted-true"
check "why: control, a file the user can read is explained to them" grep -q "may run" "$OUT"

# --- Also: the log's uid of a process that made itself undumpable ----------------------------
cat >"$B/undumpable.py" <<'EOF'
import ctypes, os, sys
ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: /proc shows it as root's
try:
    os.execv(sys.argv[1], [sys.argv[1]])
except OSError:
    pass
EOF
run as python3 "$B/undumpable.py" "$S/untrusted-nd"
sleep 1.5
run "$VOUCH" log show --state "$T/st" --json
check "log: an undumpable process's denial is recorded with its own uid, not root's" python3 -c '
import json, sys
es = [json.loads(l) for l in open(sys.argv[1]) if "untrusted-nd" in l]
assert es and all(e["uid"] == int(sys.argv[2]) for e in es), es
' "$OUT" "$U"

# --- Also: a filesystem given the device number of one unmounted ------------------------------
mkdir "$S/late-a" "$S/late-b"
mount -t tmpfs -o size=4m late-a "$S/late-a"
wait_log "marked $S/late-a"
cp "$B/untrusted-bytes" "$S/late-a/u"
run "$S/late-a/u"
check "device numbers: control, an untrusted program on a new tmpfs is refused" test "$RC" -eq 126
dev_a=$(stat -c %d "$S/late-a")
umount "$S/late-a"
mount -t tmpfs -o size=4m late-b "$S/late-b"
dev_b=$(stat -c %d "$S/late-b")
for _ in $(seq 50); do grep -q "marked $S/late-b" "$T/d.err" && break; sleep 0.1; done
cp "$B/untrusted-bytes" "$S/late-b/u"
run "$S/late-b/u"
check "device numbers: a tmpfs mounted after another was unmounted (device $dev_a, then $dev_b) is marked too" \
	test "$RC" -eq 126

# --- Also: a mount point whose mountinfo line is longer than any fixed buffer -------------------
# 13 components of 240 spaces: the point is 3,133 bytes, its line in mountinfo over 12 KB (the
# kernel writes a space as \040). A user can make such a mount in a namespace of their own; a
# reader that cut the line short left that filesystem unmarked.
long=$S/long
sp=$(printf '%240s' '')
for _ in $(seq 13); do long=$long/$sp; done
mkdir -p "$long"
mount -t tmpfs -o size=4m longpoint "$long"
check "long mount point: its mountinfo line is over 12 KB" \
	test "$(grep -F longpoint /proc/self/mountinfo | wc -c)" -gt 12288
cp "$B/untrusted-bytes" "$long/u"
for _ in $(seq 50); do
	run timeout -s KILL 5 "$long/u"
	[ "$RC" -eq 126 ] && break
	sleep 0.1
done
check "long mount point: an untrusted program on it is refused (marked)" test "$RC" -eq 126
umount "$long"

# --- Also: a file users can change is decided at every run, but its allow is logged once ---
as cp "$S/trusted-touch" "$O/p1d"
for i in 1 2 3 4; do "$O/p1d" "$O/c1.$i"; done # root: never rate-limited
sleep 1.5
run "$VOUCH" log show --state "$T/st" --json
check "log: four runs of a fresh copy users can change, one allow recorded (as for root's files)" \
	python3 -c '
import json, sys
es = [json.loads(l) for l in open(sys.argv[1])]
n = sum(1 for e in es if e.get("path", "").endswith("/out/p1d") and e["decision"] == "allow")
assert n == 1, n
' "$OUT"

# --- Also: vouchd gives a user only entries that match its signed checkpoint ---------------
bundle=$(find "$T/st/log/tile/entries" -type f ! -path '*.p/*' | LC_ALL=C sort | tail -n 1)
cp "$bundle" "$T/bundle.saved"
python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read()); i = b.rindex(b"\"uid\":") + 6; b[i] ^= 0x01
open(sys.argv[1], "wb").write(bytes(b))
' "$bundle"
expect_err "log: a changed entry is not given out through vouchd" 2 "does not match its signed checkpoint" \
	as "$VOUCH" log show --state "$T/st"
cp "$T/bundle.saved" "$bundle"
expect_rc "log: control, with the entry as it was, the user's entries are given" 0 \
	as "$VOUCH" log show --state "$T/st"

check "vouchd survived every attack" kill -0 "$dpid"
kill -TERM "$dpid"
wait "$dpid"
rc=$?
dpid=
check "SIGTERM stops vouchd cleanly" test "$rc" -eq 0
# What was counted but not recorded one by one is in summary entries by the time vouchd
# stops (one a minute per user while it runs, and the rest at the end).
run "$VOUCH" log show --state "$T/st" --json
check "history: the user's flood is all in summary entries, with its counts" python3 -c '
import json, sys
es = [json.loads(l) for l in open(sys.argv[1])]
summ = [e for e in es if e["uid"] == int(sys.argv[2]) and e["event"] == "summary"]
assert summ and all(e["decision"] == "summary" and e["rule"] == "rate-limit" for e in summ)
assert sum(e["denied"] for e in summ) > 3000, [(e["denied"], e["allowed"]) for e in summ]
' "$OUT" "$U"
run "$VOUCH" log verify --state "$T/st"
check "history: and the log verifies, summaries and all" test "$RC" -eq 0
done_testing
