#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Untrusted bytes never reach a terminal raw: file names, proofs, log entries, vouchd's answers
# and policy text are escaped (\xHH, \\) in messages and in text output; JSON stays valid JSON;
# formats that promise exact bytes (vouch hash, proofs) stay exact in a pipe.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
FX=$VOUCH_BUILD/tests/log-fixture
pty() { python3 "$VOUCH_SRC/tests/integration/ptyrun.py" "$@"; }
fpid=
cleanup() { [ -n "$fpid" ] && kill "$fpid" 2>/dev/null; cd / && rm -rf "$T"; }
trap cleanup EXIT
ESC=$'\e'
# raw_free FILE: no byte a terminal obeys (C0 but tab/LF, DEL, C1 raw or UTF-8) and valid UTF-8.
raw_free() { python3 -c '
import re, sys
b = open(sys.argv[1], "rb").read()
t = b.decode("utf-8")  # raises on bytes that are not UTF-8
assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", t), repr(t)' "$1"; }
# one_line FILE: exactly one line.
one_line() { [ "$(wc -l <"$1")" -eq 1 ]; }

# Messages: a file name with controls and a newline, on the command line.
evil="a${ESC}]0;owned"$'\a'"${ESC}[2J"$'\n'"b"
expect_err "a name with controls and a newline: the message is one line" 2 \
	'a\\x1b]0;owned\\x07\\x1b\[2J\\x0ab: ' "$VOUCH" hash "$evil"
check "with no raw control byte" raw_free "$ERR"
expect_err "an unknown command's name is escaped too" 2 "unknown command 'x\\\\x1b\[31m'" \
	"$VOUCH" "x${ESC}[31m"
expect_err "an unknown option's too" 2 "unknown option '--x\\\\x1b'" "$VOUCH" verify "--x${ESC}"
run "$VOUCH" hash "$(printf 'k\xc2\x9b1m\xff')"
check "C1 (U+009B in UTF-8) and a stray byte in a message: escaped" raw_free "$ERR"
check "as their bytes" grep -qF 'k\xc2\x9b1m\xff: ' "$ERR"

# check-proof: the proof is another's bytes.
check "setup: a log with hostile entries" "$FX" L pub 300
printf 'c2sp.org/tlog-proof@v1\nextra %s\nindex 1\n' "$(printf 'x' | base64)" >p1
printf '\e]0;pwned\a\e[2J\e[1;31mFAKE: ok\n\n' >>p1
expect_err "check-proof: a malformed line with escape sequences: one line, 1" 1 "p1: line 4: " \
	"$VOUCH" log check-proof --key pub p1
check "no raw byte of the proof in it" raw_free "$ERR"
printf '\e[31mc2sp.org/tlog-proof@v1\nindex 1\n\nx\n' >p2
expect_err "check-proof: an escape sequence in the header" 1 "p2: line 1: not a proof" \
	"$VOUCH" log check-proof --key pub p2
check "no raw byte in it" raw_free "$ERR"
"$VOUCH" log prove --index 1 --dir L --key pub >p3
expect_rc "check-proof of entry 1, whose path holds controls" 0 "$VOUCH" log check-proof --key pub p3
check "prints the entry on one line, escaped" bash -c "one_line() { [ \$(wc -l <\"\$1\") -eq 1 ]; }; one_line '$OUT'"
check "no raw control byte" raw_free "$OUT"

# log show: other users' file names in paths, executables and reasons.
expect_rc "log show of the hostile entries" 0 "$VOUCH" log show --dir L --key pub
check "one line per entry (a newline in a path forges none)" test "$(wc -l <"$OUT")" -eq 300
check "no raw control byte, C1 or stray byte" raw_free "$OUT"
check "the path shows its bytes escaped" \
	grep -qF '/tmp/evil\x1b]0;owned\x07\x1b[2J\x0d\x0a#99 fake\\\xff (pid 2' "$OUT"
check "the executable's C1 control escaped as its bytes" grep -qF '/tmp/x\xc2\x9b31m)' "$OUT"
check "an entry of another format escaped" grep -qF '#2 (entry of another format) \x1b[31mnot an entry\x0d\x0a\x07' "$OUT"
expect_rc "log show --json" 0 "$VOUCH" log show --dir L --key pub --json
check "every line valid JSON (UTF-8), no raw control or C1" python3 -c '
import json, re, sys
for l in open(sys.argv[1], "rb"):
    t = l.decode("utf-8")
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", t), repr(t)
    json.loads(t)' "$OUT"
check "the path reads back as written (its stray byte: U+FFFD, and the bytes in path_b64)" python3 -c '
import base64, json, sys
o = [json.loads(l) for l in open(sys.argv[1])]
assert o[1]["path"] == "/tmp/evil\x1b]0;owned\x07\x1b[2J\r\n#99 fake\\\ufffd", repr(o[1]["path"])
assert base64.b64decode(o[1]["path_b64"]) == b"/tmp/evil\x1b]0;owned\x07\x1b[2J\r\n#99 fake\\\xff"
assert "exe_b64" not in o[1] and "path_b64" not in o[0]
assert o[1]["exe"] == "/tmp/x\x9b31m" and o[2]["unparsed"].startswith("\x1b[31mnot")' "$OUT"
expect_rc "log tail -n 300" 0 "$VOUCH" log tail -n 300 --dir L --key pub
check "tail escapes as show does" raw_free "$OUT"

# Formats that promise bytes: exact in a pipe, escaped on a terminal.
printf 'x' >"n${ESC}[1mq"
run "$VOUCH" hash "n${ESC}[1mq"
check "vouch hash into a pipe: byte for byte sha256sum's line" cmp -s "$OUT" <(sha256sum "n${ESC}[1mq")
printf 'y' >"back\\slash"
run "$VOUCH" hash "back\\slash"
check "a backslash: sha256sum's escape, in a pipe too" cmp -s "$OUT" <(sha256sum "back\\slash")
pty tty.out -- "$VOUCH" hash "n${ESC}[1mq"
check "vouch hash on a terminal: the escape sequence escaped, the line marked" \
	grep -qaE '^\\[0-9a-f]{64}  n\\x1b\[1mq' tty.out
check "nothing raw on the terminal" bash -c "! grep -qa \$'\\e' tty.out"
run "$VOUCH" log prove --index 1 --dir L --key pub
check "a proof into a pipe: exact (it checks)" cmp -s "$OUT" p3

# vouch verify: the file name and its trusted comment.
"$VOUCH" keygen -W -p k.pub -s k.sec >/dev/null
printf 'data' >"f${ESC}[5m"
"$VOUCH" sign -s k.sec -t "release 1" "f${ESC}[5m" 2>/dev/null
expect_rc "verify a file whose name holds an escape sequence" 0 "$VOUCH" verify -p k.pub "f${ESC}[5m"
check "its name is escaped in the output" grep -qF 'f\x1b[5m: verified' "$OUT"
check "no raw control byte" raw_free "$OUT"
printf 'data' >"u$(printf '\xc2\x9b')"
"$VOUCH" sign -s k.sec -t "release 2" "u$(printf '\xc2\x9b')" 2>/dev/null
run "$VOUCH" verify -p k.pub --json "u$(printf '\xc2\x9b')"
check "--json: a C1 control in a name as \\u009b" grep -qF '"file":"u\u009b"' "$OUT"

# vouch check / why: file names and the policy's own words.
printf 'mode enforce\n' >pol.txt
"$VOUCH" policy compile pol.txt -s k.sec -o p.bundle >/dev/null
cp /bin/true "t${ESC}[8m"
run "$VOUCH" check --bundle p.bundle "t${ESC}[8m"
check "check: the name escaped" bash -c "grep -qF 't\\x1b[8m: deny' '$OUT'"
check "check: nothing raw" raw_free "$OUT"
run "$VOUCH" why --bundle p.bundle "t${ESC}[8m"
check "why: nothing raw" raw_free "$OUT"
check "why: the name escaped" grep -qF 't\x1b[8m may not run' "$OUT"
run "$VOUCH" policy show "p${ESC}"
check "policy show: the missing bundle's name escaped in the message" grep -qF 'p\x1b' "$ERR"

# vouchd's answers (status), from a stand-in on the socket: the control protocol carries
# control bytes escaped (\x1b), and the tool gets them back raw, to escape them itself.
mkdir st
printf 'vouch-ctl/1 0 ok\nversion\t0.1\\x1b[2J\npid\t1\nstarted\t0\nmode\tenforce\\x1b]0;x\\x07\npolicy_sha256\t\xc2\x9b\xff\nlog_dir\t/l\\x1b[1m\nlog_entries\t1\nlog_checkpointed\t1\nlog_error\tdisk \\x1b[31mfull\nfilesystem\t0:1 tmpfs /m\\x1b[5mnt\nend\t10\n' >st/answer
python3 - "$T/st/vouchd.sock" "$T/st/answer" <<'PY' &
import signal, socket, sys
signal.alarm(60)
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8)
while True:
    c, _ = s.accept(); c.recv(4096); c.sendall(open(sys.argv[2], "rb").read()); c.close()
PY
fpid=$!
for _ in $(seq 100); do [ -S st/vouchd.sock ] && break; sleep 0.05; done
expect_rc "status from a vouchd whose answer holds escape sequences" 0 "$VOUCH" status --state "$T/st"
check "every value shown escaped" raw_free "$OUT"
check "the filesystem line too" grep -qF '0:1 tmpfs /m\x1b[5mnt' "$OUT"
check "and the log error" grep -qF 'disk \x1b[31mfull' "$OUT"
run "$VOUCH" status --state "$T/st" --json
check "status --json: valid JSON, no raw control or C1" python3 -c '
import json, re, sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", t), repr(t)
d = json.loads(t); assert d["mode"].startswith("enforce")' "$OUT"
kill "$fpid"; wait "$fpid" 2>/dev/null; fpid=
done_testing
