#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# An update's last step (src/lib/sys/apply.c): a new policy and the programs it vouches for put
# in place together, all or nothing, through tests/tools/apply-tool; refusals change nothing;
# an update killed at random points is finished or undone by the next run, never half done.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
tool=$VOUCH_BUILD/tests/apply-tool
sha() { sha256sum "$1" | cut -d' ' -f1; }

"$VOUCH" keygen -W -p owner.pub -s owner.sec >/dev/null
"$VOUCH" keygen -W -p stranger.pub -s stranger.sec >/dev/null
mkdir -p v1 v2 dest/bin st
printf '#!/bin/sh\necho one\n' >v1/prog
printf '#!/bin/sh\necho two\n' >v2/prog
printf '#!/bin/sh\necho new\n' >v2/newprog
printf '#!/bin/sh\necho rogue\n' >rogue
policy() { # policy OUT HASH...: an enforcing policy that allows these hashes
	local out=$1
	shift
	{
		echo "mode enforce"
		for h in "$@"; do echo "allow $h"; done
	} >"$out.txt"
	"$VOUCH" policy compile "$out.txt" -s owner.sec -o "$out" >/dev/null
}
policy p1.bundle "$(sha v1/prog)"
sleep 1 # later compile times: no rollback
policy p2.bundle "$(sha v2/prog)" "$(sha v2/newprog)"
"$VOUCH" policy install -p owner.pub --state "$PWD/st" p1.bundle >/dev/null
install -m 0755 v1/prog dest/bin/prog
D=$PWD/dest/bin

# state: what a test compares: the store's decisions, the bundle copy, the programs.
state() {
	{
		"$VOUCH" check --state "$PWD/st" v1/prog >/dev/null 2>&1 && echo "v1 trusted"
		"$VOUCH" check --state "$PWD/st" v2/prog >/dev/null 2>&1 && echo "v2 trusted"
		sha st/policy.bundle
		for f in "$D"/* "$D"/.[!.]*; do [ -e "$f" ] && echo "$(basename "$f") $(sha "$f") $(stat -c %a "$f")"; done
		ls -a st | grep -v '^update.lock$'
	} 2>/dev/null
}
before=$(state)

# Refusals: each leaves everything as it was.
expect_err "a program the new policy does not vouch for is refused" 1 "rogue: not found" \
	"$tool" apply "$PWD/st" owner.pub p2.bundle v2/prog:"$D/prog":0755 rogue:"$D/rogue":0755
check "and nothing changed" test "$(state)" = "$before"
expect_err "a program the installed policy does not vouch for, without a new policy" 1 "prog: not found" \
	"$tool" apply "$PWD/st" owner.pub - v2/prog:"$D/prog":0755
check "nothing changed" test "$(state)" = "$before"
expect_err "a bundle signed by another key is refused" 1 "policy: " \
	"$tool" apply "$PWD/st" stranger.pub p2.bundle v2/prog:"$D/prog":0755
check "nothing changed" test "$(state)" = "$before"
expect_err "a setuid mode is refused" 1 "prog: Invalid argument" \
	"$tool" apply "$PWD/st" owner.pub p2.bundle v2/prog:"$D/prog":4755
expect_err "a relative destination is refused" 1 "Invalid argument" \
	"$tool" apply "$PWD/st" owner.pub p2.bundle v2/prog:dest/bin/prog:0755
expect_err "a destination with .. is refused" 1 "Invalid argument" \
	"$tool" apply "$PWD/st" owner.pub p2.bundle v2/prog:"$D/../bin/prog":0755
expect_err "a destination whose directory is missing is refused" 1 "No such file" \
	"$tool" apply "$PWD/st" owner.pub p2.bundle v2/prog:"$D/nodir/prog":0755
mkdir "$D/adir"
expect_err "a directory at the destination is refused" 1 "Is a directory" \
	"$tool" apply "$PWD/st" owner.pub p2.bundle v2/prog:"$D/adir":0755
rmdir "$D/adir"
check "nothing changed by any refusal" test "$(state)" = "$before"

# The update itself.
expect_rc "the update applies" 0 "$tool" apply "$PWD/st" owner.pub p2.bundle \
	v2/prog:"$D/prog":0755 v2/newprog:"$D/newprog":0755
check "the new program is in place" cmp v2/prog "$D/prog"
check "the added program too, with its mode" bash -c "cmp v2/newprog '$D/newprog' && [ \$(stat -c %a '$D/newprog') = 755 ]"
expect_rc "the new policy is installed: v2 trusted" 0 "$VOUCH" check --state "$PWD/st" v2/prog
expect_rc "and the replaced program is no longer trusted" 1 "$VOUCH" check --state "$PWD/st" v1/prog
check "the copy of the bundle is the new one" cmp p2.bundle st/policy.bundle
check "no journal and no temporary file is left" \
	bash -c "! ls -a st '$D' | grep -qE 'journal|\.tmp-'"
expect_err "the same bundle again is not a rollback but an older one is" 1 "policy: .*older" \
	"$tool" apply "$PWD/st" owner.pub p1.bundle v1/prog:"$D/prog":0755
expect_rc "a program the installed policy vouches for, without a new policy" 0 \
	"$tool" apply "$PWD/st" owner.pub - v2/prog:"$D/prog2":0644

# A journal that does not parse is left alone, for a person to look at, and nothing is done.
printf 'vouch-update-journal 1\nphase commit\n' >st/update.journal
expect_err "a damaged journal stops the next update" 1 "journal: malformed update journal" \
	"$tool" apply "$PWD/st" owner.pub - v2/prog:"$D/prog3":0644
check "and is still there" test -s st/update.journal
rm st/update.journal

# Killed at random points: afterwards, and after the next run's recovery, either everything is
# old or everything is new. Big files widen the window; each round starts from the old state.
for i in $(seq 1 8); do head -c 3000000 /dev/urandom >"v2/big$i"; done
bigs=()
hashes=("$(sha v2/prog)")
for i in $(seq 1 8); do
	bigs+=("v2/big$i:$D/big$i:0644")
	hashes+=("$(sha "v2/big$i")")
done
sleep 1
policy p3.bundle "${hashes[@]}"
old=0 new=0 bad=0 recovered=0
reset_old() {
	rm -rf st "$D" && mkdir -p st "$D"
	"$VOUCH" policy install -p owner.pub --state "$PWD/st" p1.bundle >/dev/null
	install -m 0755 v1/prog "$D/prog"
}
for round in $(seq 1 24); do
	reset_old
	"$tool" apply "$PWD/st" owner.pub p3.bundle v2/prog:"$D/prog":0755 "${bigs[@]}" >/dev/null 2>&1 &
	pid=$!
	# A random point within the first 0.6 s (a whole update takes about 0.4 s here).
	sleep "0.$(printf %03d $((RANDOM % 600)))"
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	out=$(timeout -s KILL 30 "$tool" recover "$PWD/st")
	[ "$out" != "nothing to do" ] && recovered=$((recovered + 1))
	if cmp -s v1/prog "$D/prog" && ! ls "$D" | grep -q big &&
		"$VOUCH" check --state "$PWD/st" v1/prog >/dev/null 2>&1 && cmp -s p1.bundle st/policy.bundle; then
		old=$((old + 1))
	elif cmp -s v2/prog "$D/prog" && [ "$(ls "$D" | grep -c '^big[0-9]$')" -eq 8 ] &&
		"$VOUCH" check --state "$PWD/st" v2/prog >/dev/null 2>&1 && cmp -s p3.bundle st/policy.bundle; then
		ok=1
		for j in $(seq 1 8); do cmp -s "v2/big$j" "$D/big$j" || ok=0; done
		[ $ok = 1 ] && new=$((new + 1)) || bad=$((bad + 1))
	else
		bad=$((bad + 1))
		echo "# round $round: half done: $(ls -a "$D" st | tr '\n' ' ')"
	fi
	if ls -a st "$D" | grep -qE 'journal|\.tmp-'; then
		bad=$((bad + 1))
		echo "# round $round: left behind: $(ls -a "$D" st | tr '\n' ' ')"
	fi
done
echo "# killed 24 updates: $old left old, $new finished, $recovered needed recovery"
check "every killed update is all old or all new after the next run (24 rounds)" test "$bad" -eq 0
check "(some rounds were killed in the middle: recovery had work to do)" test "$recovered" -gt 0

# Killed exactly in each phase: a watcher kills the update the moment its journal enters the
# phase. Forty small files make the commit phase (a rename and a directory sync each) long
# enough to be caught half done before the next run's recovery.
small=() hashes=()
for i in $(seq 1 40); do
	printf '#!/bin/sh\necho %s\n' "$i" >"v2/s$i"
	small+=("v2/s$i:$D/s$i:0755")
	hashes+=("$(sha "v2/s$i")")
done
sleep 1
policy p4.bundle "${hashes[@]}"
cat >watch.py <<'PY'
import os, signal, subprocess, sys, time
phase, journal, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
end = time.monotonic() + 20
while time.monotonic() < end and p.poll() is None:
    try:
        with open(journal, "rb") as f:
            if b"phase " + phase.encode() in f.read():
                os.kill(p.pid, signal.SIGKILL)
                break
    except FileNotFoundError:
        pass
p.wait()
print("killed" if p.returncode == -signal.SIGKILL else "ran to the end")
PY
half=0 stage_ok=0 commit_ok=0 killed=0
for round in $(seq 1 6); do
	for phase in stage commit; do
		reset_old
		out=$(timeout -s KILL 30 python3 watch.py "$phase" st/update.journal \
			"$tool" apply "$PWD/st" owner.pub p4.bundle "${small[@]}")
		[ "$out" = killed ] && killed=$((killed + 1))
		n=$(ls "$D" | grep -c '^s[0-9]*$')
		[ "$phase" = commit ] && [ "$n" -gt 0 ] && [ "$n" -lt 40 ] && half=$((half + 1))
		timeout -s KILL 30 "$tool" recover "$PWD/st" >/dev/null
		n=$(ls "$D" | grep -c '^s[0-9]*$')
		if ls -a st "$D" | grep -qE 'journal|\.tmp-'; then
			echo "# $phase round $round: left behind: $(ls -a st "$D" | tr '\n' ' ')"
		elif [ "$phase" = stage ] && [ "$n" -eq 0 ] && cmp -s p1.bundle st/policy.bundle; then
			stage_ok=$((stage_ok + 1))
		elif [ "$phase" = commit ] && [ "$n" -eq 40 ] && cmp -s p4.bundle st/policy.bundle &&
			"$VOUCH" check --state "$PWD/st" v2/s7 >/dev/null 2>&1; then
			commit_ok=$((commit_ok + 1))
		else
			echo "# $phase round $round: $n files, $(sha st/policy.bundle)"
		fi
	done
done
echo "# killed $killed of 12 at the start of a phase; $half caught half committed"
check "killed in the stage phase: the next run undoes it (6 of 6 all old)" test "$stage_ok" -eq 6
check "killed in the commit phase: the next run finishes it (6 of 6 all new)" test "$commit_ok" -eq 6
check "(the watcher did kill updates in their phases)" test "$killed" -ge 6
done_testing
