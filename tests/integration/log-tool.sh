#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vouch log and vouch status without a daemon: logs written by the library (log-fixture), a
# vouchd stand-in answering canned replies on a socket. The pruned record cannot make verify,
# show or prove skip what the checkpoint covers; show prints only what it checked; exit codes
# as vouch-log(1) says; status shows the log and warns of lost records.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
FX=$VOUCH_BUILD/tests/log-fixture
U=${VOUCH_TEST_UID:-65534}
fpid=
cleanup() { [ -n "$fpid" ] && kill "$fpid" 2>/dev/null; cd / && rm -rf "$T"; }
trap cleanup EXIT

# fake_vouchd STATE ANSWER: a stand-in for vouchd on STATE/vouchd.sock that answers every
# request with the current contents of the file ANSWER (bounded: 120 s).
fake_vouchd() {
	mkdir -p "$1"
	python3 - "$1/vouchd.sock" "$2" <<'PY' &
import os, signal, socket, sys
signal.alarm(120)
path, answer = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX)
s.bind(path)
os.chmod(path, 0o666)
s.listen(16)
while True:
    c, _ = s.accept()
    c.recv(4096)
    c.sendall(open(answer, "rb").read())
    c.close()
PY
	fpid=$!
	for _ in $(seq 100); do [ -S "$1/vouchd.sock" ] && return 0; sleep 0.05; done
	return 1
}
stop_fake() { [ -n "$fpid" ] && kill "$fpid" 2>/dev/null; wait "$fpid" 2>/dev/null; fpid=; rm -f "$1/vouchd.sock"; }
# flip FILE OFFSET: change one bit of one byte.
flip() { python3 -c '
import sys; f, at = sys.argv[1], int(sys.argv[2]); b = bytearray(open(f, "rb").read()); b[at] ^= 0x20
open(f, "wb").write(bytes(b))' "$1" "$2"; }
# deny_to_Deny FILE: change the first entry's "deny" in an entry bundle (a real edit).
edit_entry() { python3 -c '
import sys; f = sys.argv[1]; b = bytearray(open(f, "rb").read()); i = b.index(b"\"deny\"") + 2; b[i] ^= 0x20
open(f, "wb").write(bytes(b))' "$1"; }

# --- A log of the first spelling (tests/data/legacy-entries.jsonl, as entry.c wrote entries
# before _b64 companions: \u00XX for a byte that is not UTF-8) still verifies and reads, and
# --json gives its paths' exact bytes to any JSON decoder.
check "setup: a log of entries in the first spelling" "$FX" OLD oldpub --lines "$DATA/legacy-entries.jsonl"
expect_rc "it verifies" 0 "$VOUCH" log verify OLD --key oldpub
check "all six entries" grep -q "verified: 6 entries (6 rehashed" "$OUT"
expect_rc "log show reads every entry" 0 "$VOUCH" log show --dir OLD --key oldpub
check "as entries, the stray byte shown escaped" bash -c \
	'[ "$(grep -c "^#[0-9] 2025-11-21T10:00:00Z deny exec " "$1")" -eq 6 ] && grep -qF "/tmp/caf\xe9 (pid 7" "$1"' _ "$OUT"
expect_rc "log show --json" 0 "$VOUCH" log show --dir OLD --key oldpub --json
cp "$OUT" old.json
# The paths the first writer was given (tests/data/README.md), as bytes.
cat >old_paths.py <<'EOF'
PATHS = [b"/tmp/caf\xe9", "/tmp/\u00e9t\u00e9".encode(),
         b"/tmp/\xff\xfe/\xe2\x82/\xed\xa0\x80/\xc0\xaf/\xf4\x90\x80\x80/end",
         b"/tmp/ctl\x01\x1f\x7f\"\\", b"/tmp/c1\xc2\x9b\xc2\x80", bytes(range(1, 256))]
EOF
check "Python's json gets each path's exact bytes back (path_b64 where not UTF-8)" python3 -c '
import base64, json, sys
sys.path.insert(0, ".")
from old_paths import PATHS
ls = [json.loads(l) for l in open(sys.argv[1], "rb")]
got = [base64.b64decode(o["path_b64"], validate=True) if "path_b64" in o else o["path"].encode()
       for o in ls]
assert got == PATHS, got
assert [("path_b64" in o) for o in ls] == [True, False, True, False, False, True]
assert base64.b64decode(ls[0]["exe_b64"]) == b"/usr/bin/\xa0x" and ls[0]["exe"] == "/usr/bin/\ufffdx"
assert base64.b64decode(ls[0]["reason_b64"]) == b"old \xe9 writer"' old.json
JB=$VOUCH_BUILD/interop/jsonbytes
if "$VOUCH_SRC/tests/interop/jsonbytes/build.sh" "$VOUCH_BUILD/interop" 2>/dev/null; then
	run "$JB" path exe <old.json
	check "and Go's encoding/json does, with the format's promises checked" python3 -c '
import sys
sys.path.insert(0, ".")
from old_paths import PATHS
go = [l.split() for l in open(sys.argv[1])]
assert [bytes.fromhex(g[0]) for g in go] == PATHS and go[0][1] == b"/usr/bin/\xa0x".hex()' "$OUT"
else
	pass "Go's encoding/json # SKIP go is not installed (scripts/deps test installs golang-go)"
fi

check "setup: a log of 600 entries" "$FX" L pub 600
expect_rc "it verifies" 0 "$VOUCH" log verify L --key pub
check "every entry rehashed" grep -q "600 entries (600 rehashed, 0 removed by retention)" "$OUT"

# --- 10: a pruned record that contradicts the tree is refused, by verify and by the reader.
cp -a L T1 && edit_entry T1/tile/entries/000
printf 'entries 9\ntiles 9\n' >T1/pruned
expect_err "an entry changed and a record claiming more than the log holds: not verified" 1 \
	"T1: pruned: .*contradicts the checkpoint" "$VOUCH" log verify T1 --key pub
check "and nothing printed as verified" test ! -s "$OUT"
run "$VOUCH" log verify T1 --key pub --json
check "verify --json says verified false" python3 -c '
import json, sys; d = json.load(open(sys.argv[1])); assert d["verified"] is False' "$OUT"
printf 'entries 1\ntiles 1\n' >T1/pruned
expect_err "a record that fits, over a changed bundle still there: checked, not verified" 1 \
	"tile/entries/000: entry 0 does not match" "$VOUCH" log verify T1 --key pub
cp -a L T2
for rec in 'entries 2\ntiles 0\n' 'entries 1\ntiles 2\n' 'entries 01\ntiles 0\n' \
	'entries 1\ntiles 0\nextra\n' 'entries -1\ntiles 0\n' 'entries 1\ntiles 0'; do
	printf "$rec" >T2/pruned
	expect_err "pruned '$(printf "$rec" | tr '\n' '|')' is refused by verify" 1 "pruned: " \
		"$VOUCH" log verify T2 --key pub
done
printf 'entries 9\ntiles 9\n' >T2/pruned
expect_err "show refuses it too" 1 "T2: pruned: " "$VOUCH" log show --dir T2 --key pub
check "and prints nothing" test ! -s "$OUT"
expect_err "prove refuses it too" 1 "T2: pruned: " "$VOUCH" log prove --index 300 --dir T2 --key pub
expect_err "tail refuses it too" 1 "T2: pruned: " "$VOUCH" log tail --dir T2 --key pub

# Real retention: a record the writer made, and what it removed, is fine.
check "setup: a log of 3000 entries under retention" "$FX" R rpub 3000 100000
check "retention wrote a record" test -s R/pruned
expect_rc "it verifies" 0 "$VOUCH" log verify R --key rpub
check "reports what retention removed" grep -qE "3000 entries \([0-9]+ rehashed, [1-9][0-9]* removed by retention\)" "$OUT"
expect_rc "show prints what is kept" 0 "$VOUCH" log show --dir R --key rpub
first=$(sed -n '1s/^#\([0-9]*\) .*/\1/p' "$OUT")
check "from the first kept bundle on ($first)" test "$first" -gt 0 -a $((first % 256)) -eq 0
check "to the last entry" test "$(tail -n 1 "$OUT" | cut -d' ' -f1)" = "#2999"

# --- 10: show prints only what it checked against the signed checkpoint.
cp -a L S1 && edit_entry S1/tile/entries/000
expect_err "show: a changed entry: not verified" 1 "entry 0: .* does not match the checkpoint" \
	"$VOUCH" log show --dir S1 --key pub
check "and nothing of the log is printed" test ! -s "$OUT"
expect_err "tail -n 700: the same" 1 "entry 0: " "$VOUCH" log tail -n 700 --dir S1 --key pub
expect_rc "tail -n 5 of the same log: its last entries check" 0 "$VOUCH" log tail -n 5 --dir S1 --key pub
check "and are printed" test "$(wc -l <"$OUT")" -eq 5
# The entry and its leaf hash changed together: the level-0 tile no longer folds up to the root.
cp -a L S2 && python3 - S2 <<'PY'
import hashlib, sys
d = sys.argv[1]
b = bytearray(open(d + "/tile/entries/000", "rb").read())
n = b[0] << 8 | b[1]
e = bytearray(b[2:2 + n]); i = e.index(b'"deny"') + 2; e[i] ^= 0x20
b[2:2 + n] = e
open(d + "/tile/entries/000", "wb").write(bytes(b))
t = bytearray(open(d + "/tile/0/000", "rb").read())
t[0:32] = hashlib.sha256(b"\0" + bytes(e)).digest()
open(d + "/tile/0/000", "wb").write(bytes(t))
PY
expect_err "show: entry and its tile hash rewritten together: not verified" 1 "entry 0: " \
	"$VOUCH" log show --dir S2 --key pub
check "nothing printed" test ! -s "$OUT"
expect_rc "verify agrees" 1 "$VOUCH" log verify S2 --key pub
cp -a L S3 && flip S3/tile/0/002.p/88 7
expect_err "show: the right edge's tile changed: not verified" 1 "entry 0: " \
	"$VOUCH" log show --dir S3 --key pub
expect_rc "show --json of the good log" 0 "$VOUCH" log show --dir L --key pub --json
check "each object says it was checked" python3 -c '
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
assert len(ls) == 600 and all(o["checked"] is True for o in ls)' "$OUT"
expect_rc "show without a verifier key" 0 "$VOUCH" log show --dir L --state "$T/nostate"
check "says the checkpoint's signature was not checked" grep -q "signature was not checked" "$ERR"
run "$VOUCH" log show --dir L --state "$T/nostate" --json
check "--json without a key: checked false" python3 -c '
import json, sys; assert all(json.loads(l)["checked"] is False for l in open(sys.argv[1]))' "$OUT"

# Through vouchd (a user): the entries come unchecked, and the output says so.
chmod 0755 "$T"
mkdir -p st
e0=$(python3 -c 'import json; print(json.dumps({"time":"2026-11-21T10:00:00.000000Z","decision":"deny","mode":"enforce","event":"exec","rule":"default","reason":"r","path":"/tmp/x","sha256":"00"*32,"pid":5,"uid":'"$U"'}, separators=(",", ":")))')
printf 'vouch-ctl/1 0 ok\nfirst\t0\nentry\t7 %s\nnext\t8\nsize\t8\nend\t4\n' "$e0" >st/answer
if command -v setpriv >/dev/null && fake_vouchd "$T/st" "$T/st/answer"; then
	AS=(setpriv --reuid="$U" --regid="$U" --clear-groups --)
	expect_rc "user: log show through vouchd" 0 "${AS[@]}" "$VOUCH" log show --state "$T/st"
	check "prints the entry" grep -q "^#7 2026-11-21T10:00:00Z deny exec /tmp/x" "$OUT"
	check "says on stderr, in one line, that they were not checked and how to check one" \
		bash -c "[ \$(wc -l <'$ERR') -eq 1 ] && grep -q 'not checked by this command.*vouch log prove --index N' '$ERR'"
	run "${AS[@]}" "$VOUCH" log show --state "$T/st" --json
	check "user: --json: checked false" python3 -c '
import json, sys; o = json.loads(open(sys.argv[1]).read()); assert o["checked"] is False and o["index"] == 7' "$OUT"
	run "${AS[@]}" "$VOUCH" log tail -n 1 --state "$T/st"
	check "user: tail says it too" grep -q "not checked by this command" "$ERR"
	stop_fake "$T/st"
	expect_err "user: show with vouchd not running: one line, 2" 2 "vouchd is not running" \
		"${AS[@]}" "$VOUCH" log show --state "$T/st"
else
	for n in 1 2 3 4 5 6 7; do pass "through vouchd $n # SKIP setpriv or python3 missing"; done
fi

# --- 11: exit codes, as vouch-log(1) has them: 1 not verified, 2 usage or system error.
expect_err "verify: no such directory: 2" 2 "nowhere: no such log directory" \
	"$VOUCH" log verify nowhere --key pub
mkdir empty
expect_err "verify: a directory without a checkpoint: 1" 1 "checkpoint: missing" \
	"$VOUCH" log verify empty --key pub
cp -a L C1 && sed -i '2s/^600$/599/' C1/checkpoint
expect_err "verify: a modified checkpoint: 1" 1 "checkpoint: " "$VOUCH" log verify C1 --key pub
echo 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW' >opub
expect_err "verify: a wrong key: 1" 1 "checkpoint: " "$VOUCH" log verify L --key opub
expect_err "show: a modified checkpoint: 1" 1 "checkpoint: " "$VOUCH" log show --dir C1 --key pub
cp -a L M1 && rm M1/tile/0/001
expect_err "verify: a tile the checkpoint needs is missing: 1" 1 "tile/0/001" \
	"$VOUCH" log verify M1 --key pub
expect_err "show: the same: 1" 1 "entry 256: a file it needs is missing" \
	"$VOUCH" log show --dir M1 --key pub
expect_err "verify: a missing key file: 2" 2 "nokey" "$VOUCH" log verify L --key nokey
expect_err "verify: two directories: usage, 2" 2 "at most one directory" "$VOUCH" log verify L L
expect_err "prove: an index beyond the checkpoint: 2" 2 "beyond the log's checkpoint" \
	"$VOUCH" log prove --index 600 --dir L --key pub
expect_err "prove: no --index: 2" 2 "needs --index N" "$VOUCH" log prove --dir L --key pub
expect_err "prove: an entry removed by retention: 2" 2 "removed by retention" \
	"$VOUCH" log prove --index 0 --dir R --key rpub
expect_err "consistency: --from beyond: 2" 2 "beyond the log's checkpoint" \
	"$VOUCH" log consistency --from 601 --dir L --key pub
"$VOUCH" log prove --index 5 --dir L --key pub >p5
expect_rc "check-proof: a good proof: 0" 0 "$VOUCH" log check-proof --key pub p5
sed '3s/^index 5$/index 6/' p5 >p6
expect_rc "check-proof: a proof under another key: 1" 1 "$VOUCH" log check-proof --key opub p5
expect_rc "check-proof: the proof for another index: 1" 1 "$VOUCH" log check-proof --key pub p6
expect_err "check-proof: not a proof: 1" 1 "line 1: not a proof" "$VOUCH" log check-proof --key pub pub
expect_err "check-proof: no such file: 2" 2 "nofile" "$VOUCH" log check-proof --key pub nofile
"$VOUCH" log consistency --from 100 --dir L --key pub >c100
expect_err "check-proof: consistency without --checkpoint: usage, 2" 2 "give --checkpoint OLD" \
	"$VOUCH" log check-proof --key pub c100
expect_err "check-proof: a missing old checkpoint: 2" 2 "nocp" \
	"$VOUCH" log check-proof --key pub --checkpoint nocp c100
expect_err "tail: vouchd not running (a user): 2" 2 "vouchd is not running" \
	setpriv --reuid="$U" --regid="$U" --clear-groups -- "$VOUCH" log tail --state "$T/empty"
expect_err "log: unknown subcommand: 2" 2 "unknown" "$VOUCH" log frob

# --- 12: vouch status shows the log, and warns of what did not reach it.
mkdir -p s2
status_answer() { # the answer of a vouchd with the log keys given as KEY=VALUE args
	local pairs
	pairs=$(
		printf 'version\t0.1.0\npid\t42\nstarted\t%s\nmode\tenforce\n' "$(date +%s)"
		printf 'policy_compiled\t0\npolicy_expires\t0\npolicy_hashes\t3\ndecisions\t10\n'
		printf 'frobs_new_counter\t77\n'
		for kv in "$@"; do printf '%s\t%s\n' "${kv%%=*}" "${kv#*=}"; done
		printf 'marks_refused\t0\nfilesystem\t0:42 tmpfs /scratch\n'
	)
	printf 'vouch-ctl/1 0 ok\n%s\nend\t%d\n' "$pairs" "$(printf '%s\n' "$pairs" | wc -l)" >s2/answer
}
status_answer log_dir=/var/lib/vouch/log log_entries=120 log_checkpointed=118 \
	log_checkpoint_time=1763719200 log_dropped=0 log_lost=0
if fake_vouchd "$T/s2" "$T/s2/answer"; then
	expect_rc "status: a healthy log" 0 "$VOUCH" status --state "$T/s2"
	check "shows where the log is and how much it holds" \
		grep -qE '^log: +/var/lib/vouch/log: 120 entries, 118 in a signed checkpoint \(the last 2025-11-21T10:00:00Z\)' "$OUT"
	check "and no warning" bash -c "! grep -q WARNING '$OUT'"
	check "an unknown key is not shown" bash -c "! grep -q frobs '$OUT' && ! grep -q 77 '$OUT'"
	run "$VOUCH" status --state "$T/s2" --json
	check "but is in the JSON, with the log's" python3 -c '
import json, sys; d = json.load(open(sys.argv[1]))
assert d["frobs_new_counter"] == 77 and d["log_entries"] == 120 and d["log_dir"] == "/var/lib/vouch/log"' "$OUT"
	status_answer log_dir=/var/lib/vouch/log log_entries=120 log_checkpointed=100 \
		log_checkpoint_time=1763719200 log_dropped=3 log_lost=17 \
		"log_error=/var/lib/vouch/log: cannot commit 17 entries (No space left on device)" \
		log_error_time=1763719260
	expect_rc "status: a log that lost records" 0 "$VOUCH" status --state "$T/s2"
	check "a WARNING for the dropped ones" grep -qE '^WARNING: +3 decisions were not logged' "$OUT"
	check "a WARNING for the lost ones" grep -qE '^WARNING: +17 log entries were lost' "$OUT"
	check "a WARNING with the error and its time" \
		grep -qE '^WARNING: +the log could not be written \(2025-11-21T10:01:00Z\): .*No space left' "$OUT"
	status_answer log_dir= log_entries=0
	expect_rc "status: vouchd --no-log" 0 "$VOUCH" status --state "$T/s2"
	check "says log: off" grep -qE '^log: +off' "$OUT"
	status_answer
	expect_rc "status: a vouchd that says nothing of a log" 0 "$VOUCH" status --state "$T/s2"
	check "gets no log line" bash -c "! grep -q '^log:' '$OUT'"
	# --- The control protocol: decisions by number, other versions named, strict parsing.
	printf 'vouch-ctl/1 5 needs-root nope\nend\t0\n' >s2/answer
	expect_err "ctl: a refusal for privilege is 1 by its number, whatever its words" 1 \
		"^vouch: reload: vouchd: nope$" "$VOUCH" reload --state "$T/s2"
	printf 'vouch-ctl/1 14 policy-error only root may reload the policy\nend\t0\n' >s2/answer
	expect_err "ctl: and another status is 2, even with the words 'only root'" 2 \
		"vouchd: only root may reload" "$VOUCH" reload --state "$T/s2"
	printf 'vouch-ctl/1 77 frobbed a newer vouchd refused\nend\t0\n' >s2/answer
	expect_err "ctl: a status newer than this vouch: 2, with its reason" 2 \
		"vouchd: a newer vouchd refused" "$VOUCH" status --state "$T/s2"
	printf 'ok\nversion\t0.1.0\n' >s2/answer
	expect_err "ctl: an older vouchd, which names no protocol: said so, 2" 2 \
		"vouchd does not speak vouch-ctl/1.*older" "$VOUCH" status --state "$T/s2"
	run "$VOUCH" status --state "$T/s2" --json
	check "ctl: and --json says it is not running" grep -qx '{"running":false}' "$OUT"
	printf 'vouch-ctl/2 0 ok\nanything\n' >s2/answer
	expect_err "ctl: a vouchd of another version: both named, 2" 2 \
		"vouchd speaks vouch-ctl/2, this vouch .* vouch-ctl/1" "$VOUCH" status --state "$T/s2"
	printf 'vouch-ctl/1 0 ok\nmode\tenforce\x1b[2J\nend\t1\n' >s2/answer
	expect_err "ctl: a raw control byte in a value: malformed, 2" 2 \
		"answer is malformed" "$VOUCH" status --state "$T/s2"
	printf 'vouch-ctl/1 0 ok\nmode\tenforce\npid\t1\n' >s2/answer
	expect_err "ctl: an answer cut short (no end line): malformed, 2" 2 \
		"answer is malformed: wrong length" "$VOUCH" status --state "$T/s2"
	: >s2/answer
	expect_err "ctl: no answer at all: 2" 2 "closed the connection without answering" \
		"$VOUCH" status --state "$T/s2"
	stop_fake "$T/s2"
else
	for n in $(seq 23); do pass "status $n # SKIP python3 missing"; done
fi
done_testing
