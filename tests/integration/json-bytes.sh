#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# File names that are not UTF-8, hold controls or are as long as Linux allows, decided by a
# real vouchd in a private mount namespace over a scratch tmpfs: every --json output that
# carries them (log show, root's and a user's through vouchd; check; status) gives their exact
# bytes back to Python's json and to Go's encoding/json, which know nothing of vouch.
VOUCH_NS_NEEDS="setpriv python3"
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib-daemon.sh" || exit 2
U=${VOUCH_TEST_UID:-65534}
cleanup() {
	daemon_cleanup
	umount "$T/m"* 2>/dev/null
	cd / && rm -rf "$T"
}
trap cleanup EXIT
chmod 0711 "$T"
scratch_mount 64m
ASU=(timeout 10 setpriv --reuid="$U" --regid="$U" --clear-groups -- env -i PATH=/usr/bin:/bin)
ST=$T/st L=$T/st/log

# The names, as bytes (Python literals): every file is a copy of /bin/true, which no
# manifest lists, so each exec is denied and logged. names.txt: each full path in hex.
cat >names.py <<'EOF'
import os, sys
S = os.fsencode(sys.argv[1])
names = [
    b"caf\xe9",                     # Latin-1
    b"\xff\xfe",                    # bytes never in UTF-8
    b"\x80alone",                   # a continuation byte alone
    b"over\xc0\xaf",                # an overlong '/'
    b"sur\xed\xa0\x80",             # a surrogate
    b"past\xf4\x90\x80\x80",        # past U+10FFFF
    b"cut\xe2\x82",                 # cut short
    b"ctl\x01\x1b[2J\x7f",          # C0 controls, ESC, DEL
    b"nl\nname\r",                  # a line break
    b"c1\xc2\x9b31m\xc2\x85",       # C1 controls, valid UTF-8
    b"q\"b\\s",                     # a quote and a backslash
    b"\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",  # valid UTF-8
    b"\xe9" * 255,                  # the longest component, none of it UTF-8
]
paths = [S + b"/" + n for n in names]
# A path of 4095 bytes, PATH_MAX less its NUL: components of up to 255 bytes mixing
# stray bytes, controls and valid UTF-8.
d = S + b"/long"
os.mkdir(d)
unit = b"\xff\x01\xc3\xa9\x80"
while True:
    room = 4095 - len(d) - 1
    if room <= 255 + 1 + 10:
        break
    d = d + b"/" + (unit * 60)[:250]
    os.mkdir(d)
paths.append(d + b"/" + (b"\xfe" * 255)[:4095 - len(d) - 1])
assert len(paths[-1]) == 4095, len(paths[-1])
data = open("/bin/true", "rb").read()
for p in paths:
    with open(p, "wb") as f:
        f.write(data)
    os.chmod(p, 0o755)
with open("names.txt", "w") as f:
    for p in paths:
        f.write(p.hex() + "\n")
EOF
check "setup: files with hostile and long names" python3 names.py "$S"
n_names=$(wc -l <names.txt)
cp /bin/echo "$S/trusted"
trust_policy "$S/trusted"
"$VOUCH" policy compile policy.txt -s owner.sec -o p.bundle >/dev/null
chmod 0755 "$S"
# A second marked tmpfs and a log directory whose names are not UTF-8 either.
M=$T/m$'\xe9\x1b'
mkdir "$M" && mount -t tmpfs -o size=1m,mode=0755 vouch-m "$M"
LD=$T/log$'\xff'

log_size() { sed -n 2p "$LD/checkpoint" 2>/dev/null || echo 0; }
wait_size() { for _ in $(seq 100); do [ "$(log_size)" -ge "$1" ] && return 0; sleep 0.05; done; return 1; }

check "vouchd starts (a second --watch and --log-dir with bytes that are not UTF-8)" \
	start_daemon --policy p.bundle --key owner.pub --log-interval 100 --watch "$M" --log-dir "$LD"
# exec_all [as]: run every file once (as the user with "as"); each must be denied.
exec_all() {
	local denied=0 h p
	while read -r h; do
		p=$(printf '%s' "$h" | python3 -c 'import os, sys; sys.stdout.buffer.write(bytes.fromhex(sys.stdin.read()))')
		if [ "${1:-}" = as ]; then "${ASU[@]}" "$p" 2>/dev/null; else timeout 10 "$p" 2>/dev/null; fi
		[ $? -eq 126 ] && denied=$((denied + 1))
	done <names.txt
	[ "$denied" -eq "$n_names" ]
}
check "root: every file denied" exec_all
check "the user: every file denied" exec_all as
check "the decisions reach a checkpoint" wait_size $((2 * n_names))

# recover.py FILE [UID]: with Python's json, the exact bytes of every entry's path (path_b64
# when there, else path), and each named file among them (for UID, when given); the readable
# form is U+FFFD for each byte that is not UTF-8, and only such bytes have a companion.
cat >recover.py <<'EOF'
import base64, json, sys
def lossy(b):
    out, i = [], 0
    while i < len(b):
        for l in (1, 2, 3, 4):
            try:
                out.append(b[i:i + l].decode("utf-8")); i += l; break
            except UnicodeDecodeError:
                pass
        else:
            out.append("\ufffd"); i += 1
    return "".join(out)
def exact(o, k):
    if k + "_b64" in o:
        b = base64.b64decode(o[k + "_b64"], validate=True)
        try:
            b.decode("utf-8"); raise SystemExit("%s_b64 on valid UTF-8: %r" % (k, b))
        except UnicodeDecodeError:
            pass
        assert o[k] == lossy(b), (o[k], lossy(b))
        return b
    return o[k].encode("utf-8")
want = [bytes.fromhex(l) for l in open("names.txt")]
uid = int(sys.argv[2]) if len(sys.argv) > 2 else None
got = set()
for line in open(sys.argv[1], "rb"):
    o = json.loads(line)
    if uid is not None and o["uid"] != uid:
        continue
    got.add(exact(o, "path"))
    if "exe" in o:
        exact(o, "exe")
    exact(o, "reason")
missing = [w for w in want if w not in got]
assert not missing, missing
EOF
expect_rc "root: vouch log show --json" 0 "$VOUCH" log show --dir "$LD" --key "$ST/log.pub" --json
cp "$OUT" root.json
check "Python's json recovers every path's exact bytes, root's and the user's" \
	python3 recover.py root.json
check "and those of the user's entries alone" python3 recover.py root.json "$U"
check "the readable forms: U+FFFD in place of stray bytes, controls escaped, no raw C1" python3 -c '
import json, re, sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", t), "raw control"
assert "caf\ufffd\"" in t and "\\u001b[2J\\u007f" in t and "\\u009b31m\\u0085" in t
assert "\u00e9t\u00e9 \u20ac \U0001F600" in t' root.json
check "a path of 4095 bytes is recorded whole" python3 -c '
import base64, json, sys
ls = [json.loads(l) for l in open(sys.argv[1])]
assert any(len(base64.b64decode(o.get("path_b64", ""))) == 4095 for o in ls)
assert not any(o["path"] == "(path too long to record)" for o in ls)' root.json
expect_rc "the user: vouch log show --json, through vouchd (the control protocol)" 0 \
	"${ASU[@]}" "$VOUCH" log show --state "$ST" --json
cp "$OUT" user.json
check "Python's json recovers the user's paths from vouchd's answer" python3 recover.py user.json "$U"
check "and the user sees only their own" python3 -c '
import json, sys; assert all(json.loads(l)["uid"] == int(sys.argv[2]) for l in open(sys.argv[1]))' \
	user.json "$U"

# Go's encoding/json: the same bytes, and the readable form checked by Go's own UTF-8 decoder.
JB=$VOUCH_BUILD/interop/jsonbytes
run "$VOUCH_SRC/tests/interop/jsonbytes/build.sh" "$VOUCH_BUILD/interop"
if [ "$RC" -eq 77 ]; then
	pass "Go's encoding/json # SKIP $(head -n 1 "$ERR")"
else
	check "jsonbytes builds from Go's standard library, silently" \
		test "$RC" -eq 0 -a -x "$JB" -a ! -s "$OUT" -a ! -s "$ERR"
	for who in root user; do
		run "$JB" path <"$who.json"
		cp "$OUT" "$who.go"
		check "Go ($who's log show --json): every path's bytes, the format's promises kept" \
			test "$RC" -eq 0 -a ! -s "$ERR"
		check "Go and Python agree on every path, byte for byte" python3 -c '
import base64, json, sys
py = []
for l in open(sys.argv[1], "rb"):
    o = json.loads(l)
    b = base64.b64decode(o["path_b64"]) if "path_b64" in o else o["path"].encode()
    py.append(b.hex() or "'"''"'")
go = [l.rstrip("\n") for l in open(sys.argv[2])]
assert go == py, "differ"
assert {l.strip() for l in open("names.txt")} <= set(go)' "$who.json" "$who.go"
	done
fi

# vouch status --json: a marked mount point and the log directory, from vouchd's answer.
expect_rc "vouch status --json" 0 "$VOUCH" status --state "$ST" --json
check "status: the log directory's and the mount point's bytes, by their _b64" python3 -c '
import base64, json, os, sys
d = json.load(open(sys.argv[1], "rb"))
assert base64.b64decode(d["log_dir_b64"]) == os.fsencode(sys.argv[2]), d["log_dir"]
assert any(base64.b64decode(f["path_b64"]) == os.fsencode(sys.argv[3])
           for f in d["filesystems"] if "path_b64" in f), d["filesystems"]' "$OUT" "$LD" "$M"
if [ -x "$JB" ]; then
	cp "$OUT" status.json
	run "$JB" log_dir <status.json
	check "and Go reads the log directory's bytes" \
		test "$(cat "$OUT")" = "$(printf '%s' "$LD" | od -An -tx1 | tr -d ' \n')"
fi

kill -TERM "$dpid"; wait "$dpid" 2>/dev/null; dpid=

# vouch check --json: the file names as given (vouchd stopped: it would refuse vouch's
# reading of files it denies).
python3 -c '
import sys
for l in open("names.txt"): sys.stdout.buffer.write(bytes.fromhex(l) + b"\0")' >check.args
python3 -c '[print(l.strip()) for l in open("names.txt")]' >check.hex
run bash -c 'xargs -0 "$1" check --bundle p.bundle --json <check.args' _ "$VOUCH"
cp "$OUT" check.json
check "vouch check --json: one object per file, all denied" python3 -c '
import json, sys
ls = [json.loads(l) for l in open(sys.argv[1], "rb")]
assert len(ls) == int(sys.argv[2]) and all(o["decision"] == "deny" for o in ls), len(ls)' \
	check.json "$n_names"
check "Python recovers each file name exactly" python3 -c '
import base64, json, sys
got = [base64.b64decode(o["file_b64"]) if "file_b64" in o else o["file"].encode()
       for o in map(json.loads, open(sys.argv[1], "rb"))]
assert [g.hex() for g in got] == [l.strip() for l in open("check.hex")]' check.json
if [ -x "$JB" ]; then
	run "$JB" file <check.json
	check "and Go does" cmp -s "$OUT" check.hex
fi

# The log itself verifies, and Go's sumdb/tlog agrees (its entries are bytes to it).
expect_rc "the log verifies" 0 "$VOUCH" log verify "$LD" --key "$ST/log.pub"
TC=$VOUCH_BUILD/interop/tlogcheck
[ -x "$TC" ] || "$VOUCH_SRC/tests/interop/tlogcheck/build.sh" "$VOUCH_BUILD/interop" >/dev/null 2>&1
if [ -x "$TC" ]; then
	expect_rc "and Go's sumdb/tlog verifies it" 0 "$TC" verify "$LD" "$ST/log.pub"
else
	pass "Go's sumdb/tlog # SKIP golang-go or golang-golang-x-mod-dev missing"
fi
done_testing
