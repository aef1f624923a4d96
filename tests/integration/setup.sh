#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vouch setup over a small real dpkg tree (and once over this machine's), in the scratch
# directory with --dir and --state there and --no-start: vouchd is never started and the
# host's /etc/vouch, /var/lib/vouch and systemd units are never touched. vouch log summary
# over logs written by the library (log-fixture).
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
FX=$VOUCH_BUILD/tests/log-fixture
pty() { python3 "$VOUCH_SRC/tests/integration/ptyrun.py" "$@"; }
hash_of() { sha256sum <"$1" | cut -c1-64; }
mode_of() { stat -c %a "$1"; }
# json EXPR: $OUT is one JSON object o for which the python expression EXPR holds.
json() {
	python3 -c '
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
assert text.endswith("\n") and text.count("\n") == 1, text
o = json.loads(text)
sys.exit(0 if eval(sys.argv[2]) else 1)
' "$OUT" "$1"
}
# A tree's names and contents, to show a refused run changed nothing.
tree_sum() { (cd "$1" && find . -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum 2>/dev/null; find . | LC_ALL=C sort); }

# ---- a small dpkg tree: two packages, code and not, one changed file ------------------
R=$T/root A=$T/admin
mkdir -p "$R/usr/bin" "$R/usr/share/doc/a" "$A/info"
cp /bin/true "$R/usr/bin/tool"
printf '#!/bin/sh\necho script\n' >"$R/usr/bin/script"
echo "text" >"$R/usr/share/doc/a/README"
printf '#!/bin/sh\necho before\n' >"$R/usr/bin/edited"
(cd "$R" && md5sum usr/bin/tool usr/share/doc/a/README usr/bin/edited) >"$A/info/a.md5sums"
(cd "$R" && md5sum usr/bin/script) >"$A/info/b:amd64.md5sums"
printf '#!/bin/sh\necho after\n' >"$R/usr/bin/edited"
printf '#!/bin/sh\necho untrusted\n' >"$T/untrusted"
chmod +x "$R/usr/bin/"* "$T/untrusted"
E=$T/etc S=$T/state
opts=(--dir "$E" --state "$S" --admindir "$A" --root "$R" --no-start)

expect_rc "vouch setup --help" 0 "$VOUCH" setup --help
check "help names the options" grep -q -- "--owner-key PUBKEY" "$OUT"

# ---- bad usage: one line, exit 2, nothing made ------------------------------------------
expect_err "unknown option" 2 "^vouch: setup: unknown option '--frob'" "$VOUCH" setup --frob
expect_err "stray argument" 2 "unexpected argument 'x'" "$VOUCH" setup "${opts[@]}" x
expect_err "--enforce with --monitor" 2 "exclude each other" "$VOUCH" setup "${opts[@]}" --enforce --monitor
expect_err "--secret-key with --owner-key" 2 "exclude each other" \
	"$VOUCH" setup "${opts[@]}" --secret-key a --owner-key b
expect_err "--no-password with --password-fd" 2 "exclude each other" \
	"$VOUCH" setup "${opts[@]}" --no-password --password-fd 3
expect_err "-y without --enforce" 2 "go with --enforce" "$VOUCH" setup "${opts[@]}" -y
expect_err "a bad --since" 2 "--since yesterday: not a time" \
	"$VOUCH" setup "${opts[@]}" --enforce --since yesterday
expect_err "a message with a control character" 2 "--message: no control characters" \
	"$VOUCH" setup "${opts[@]}" --message $'a\033b'
expect_err "--enforce before any setup" 2 "no policy to switch: run 'vouch setup' first" \
	"$VOUCH" setup "${opts[@]}" --enforce
expect_err "--password-fd not a number" 2 "not a file descriptor number" \
	"$VOUCH" setup "${opts[@]}" --password-fd x
check "bad usage made nothing" test ! -e "$E" -a ! -e "$S"

# ---- nothing left behind after a failure ---------------------------------------------
: >"$T/afile"
expect_err "a state directory that is a file: refused first" 2 \
	"^vouch: setup: $T/afile: the state directory is not a directory$" \
	"$VOUCH" setup "${opts[@]}" --state "$T/afile" --no-password
check "nothing made (no owner's directory)" test ! -e "$E"
expect_err "a state directory whose parent is missing" 2 "cannot create the state directory" \
	"$VOUCH" setup "${opts[@]}" --state "$T/no/such" --no-password
check "nothing made" test ! -e "$E" -a ! -e "$T/no"
mkdir -p "$T/bad/trust.mdb"
run "$VOUCH" setup "${opts[@]}" --state "$T/bad" --no-password
check "install fails late (the store is a directory): exit 2" test "$RC" -eq 2
check "it says which file" grep -q "^vouch: setup: $T/bad/trust.mdb: is a directory; not replacing it$" "$ERR"
check "the key, manifest, policy and bundle it made are gone, and its directory" test ! -e "$E"
check "the state directory holds only what was there" test "$(ls -A "$T/bad")" = trust.mdb
rm -rf "$T/bad"

# ---- the first run --------------------------------------------------------------------
run "$VOUCH" setup "${opts[@]}" --no-password --json
check "first run: exit 0" test "$RC" -eq 0
check "first run --json: the counts and what was done" json \
	"o['key_made'] and o['signed'] and o['installed'] and o['mode'] == 'monitor' and \
o['packages'] == 2 and o['files'] == 2 and o['elf'] == 1 and o['scripts'] == 1 and o['changed'] == 1 and \
not o['policy_kept'] and o['secret_key'] == '$E/owner.key' and o['vouchd'].startswith('not started') and \
o['would_deny'] is None"
check "the changed file is reported, one line" \
	grep -qx "vouch: setup: /usr/bin/edited: changed since installation (package a): left out" "$ERR"
check "a loud note: the secret key is on this device, move it off" \
	grep -q "^vouch: setup: $E/owner.key: note: the owner's SECRET key is on this device (UNENCRYPTED): move it off" "$ERR"
check "secret key mode 0600" test "$(mode_of "$E/owner.key")" = 600
check "public key mode 0644" test "$(mode_of "$E/owner.pub")" = 644
check "the owner's directory holds exactly its files" test \
	"$(ls "$E" | tr '\n' ' ')" = "owner.key owner.pub policy policy.bundle system.manifest system.manifest.minisig "
check "the manifest lists the unchanged code files, not the text or the changed one" test \
	"$(cut -d' ' -f3 "$E/system.manifest" | tr '\n' ' ')" = "/usr/bin/script /usr/bin/tool "
check "the manifest line is sha256sum's hash" grep -qx \
	"$(hash_of "$R/usr/bin/tool") $(stat -c %s "$R/usr/bin/tool") /usr/bin/tool" "$E/system.manifest"
expect_rc "the manifest verifies with vouch verify" 0 "$VOUCH" verify -q -p "$E/owner.pub" "$E/system.manifest"
if command -v minisign >/dev/null; then
	expect_rc "and with minisign" 0 minisign -Vm "$E/system.manifest" -p "$E/owner.pub"
else
	pass "and with minisign # SKIP minisign is not installed"
fi
check "the policy: monitor mode" grep -qx "mode monitor" "$E/policy"
check "the policy: the owner's key as signer" grep -qx "signer owner $(sed -n 2p "$E/owner.pub")" "$E/policy"
check "the policy: trusts the manifest" grep -qx "manifest system.manifest signer owner" "$E/policy"
check "the policy: tells people whom to ask" grep -q '^message "Not vouched for on .*administrator' "$E/policy"
expect_rc "the installed bundle verifies with the owner's key" 0 \
	"$VOUCH" policy verify -q -p "$E/owner.pub" "$S/policy.bundle"
check "the installed bundle is the one in the owner's directory" cmp "$S/policy.bundle" "$E/policy.bundle"
expect_rc "vouch policy show" 0 "$VOUCH" policy show "$S/policy.bundle"
check "policy show: monitor mode" grep -qx "mode:       monitor" "$OUT"
check "policy show: 2 files from the manifest" grep -q "manifest:   system.manifest, signed by owner, 2 files" "$OUT"
expect_rc "vouch check: a dpkg-installed program is allowed" 0 \
	"$VOUCH" check --state "$S" "$R/usr/bin/tool" "$R/usr/bin/script"
check "by the manifest" grep -q "tool: allow (manifest)" "$OUT"
expect_rc "vouch check: an untrusted program: allowed in monitor mode" 0 \
	"$VOUCH" check --state "$S" "$T/untrusted"
check "but enforce mode would deny it" grep -q "untrusted: allow, but enforce mode would deny (default)" "$OUT"
expect_rc "vouch check: the changed file left out is not vouched for" 0 \
	"$VOUCH" check --state "$S" "$R/usr/bin/edited"
check "would deny" grep -q "would deny" "$OUT"

# ---- running it again -------------------------------------------------------------------
key_before=$(hash_of "$E/owner.key") pub_before=$(hash_of "$E/owner.pub")
printf '# the owner edited this\nallow %s "site tool"\n' "$(hash_of "$T/untrusted")" >>"$E/policy"
pol_before=$(hash_of "$E/policy")
run "$VOUCH" setup "${opts[@]}" --no-password
check "second run: exit 0" test "$RC" -eq 0
check "the owner's key is kept" test "$(hash_of "$E/owner.key")" = "$key_before" -a "$(hash_of "$E/owner.pub")" = "$pub_before"
check "the owner's edited policy is kept, byte for byte" test "$(hash_of "$E/policy")" = "$pol_before"
check "and it says so, and how to start again" grep -q "policy: kept as it is (to start again from a new one, move it away" "$OUT"
check "it prints how to read the would-deny summary" grep -qF "vouch log summary --since 24h --state $S" "$OUT"
check "and the exact command to switch to enforce" grep -qF "vouch setup --enforce --dir $E --state $S" "$OUT"
expect_rc "the owner's edit is installed: the allowed program" 0 "$VOUCH" check --state "$S" "$T/untrusted"
check "allowed by its hash" grep -q "untrusted: allow (allow-hash)" "$OUT"

# The owner moved the secret key off the device: setup never makes another.
mv "$E/owner.key" "$T/usb.key"
before=$(tree_sum "$E")
expect_err "the secret key moved away: refused, no new key" 2 \
	"owner.pub: the owner's public key is here but not owner.key .*--secret-key FILE.*--owner-key" \
	"$VOUCH" setup "${opts[@]}" --no-password
check "nothing changed" test "$(tree_sum "$E")" = "$before"
expect_rc "--secret-key with the moved key" 0 "$VOUCH" setup "${opts[@]}" --secret-key "$T/usb.key"
check "no secret key written to the device" test ! -e "$E/owner.key"
check "no note about a secret key on the device" bash -c '! grep -q "SECRET key" "$1"' _ "$ERR"
"$VOUCH" keygen -W -p "$T/other.pub" -s "$T/other.key" >/dev/null
before=$(tree_sum "$E")
expect_err "--secret-key of another owner: refused" 2 \
	"owner.pub: the owner's key here is key [0-9A-F]{16}, not key [0-9A-F]{16}; not replacing it" \
	"$VOUCH" setup "${opts[@]}" --secret-key "$T/other.key"
check "nothing changed" test "$(tree_sum "$E")" = "$before"
mv "$T/usb.key" "$E/owner.key"

# ---- a password-protected key --------------------------------------------------------------
E2=$T/etc2 S2=$T/state2
expect_rc "a new encrypted key (--password-fd)" 0 \
	"$VOUCH" setup --dir "$E2" --state "$S2" --admindir "$A" --root "$R" --no-start --password-fd 3 \
	3< <(printf 'pw one\n')
check "the secret key is encrypted" grep -q "encrypted secret key" "$E2/owner.key"
check "the note says it is on the device" grep -q "note: the owner's SECRET key is on this device: move it off" "$ERR"
before=$(tree_sum "$E2")
expect_err "the wrong password: refused" 2 "owner.key: wrong password" \
	"$VOUCH" setup --dir "$E2" --state "$S2" --admindir "$A" --root "$R" --no-start --password-fd 3 \
	3< <(printf 'pw two\n')
check "nothing changed" test "$(tree_sum "$E2")" = "$before"
expect_rc "the right password" 0 \
	"$VOUCH" setup --dir "$E2" --state "$S2" --admindir "$A" --root "$R" --no-start --password-fd 3 \
	3< <(printf 'pw one\n')

# ---- vouch log summary over a known log ----------------------------------------------------
now=$(date -u +%Y-%m-%dT%H:%M:%S) old=2020-01-01T00:00:00
hx=$(printf 'ab%.0s' {1..32})
ent() { # TIME DECISION MODE RULE PATH
	printf '{"time":"%s.000000Z","decision":"%s","mode":"%s","event":"exec","rule":"%s","reason":"r","path":"%s","sha256":"%s","pid":7,"uid":1000}\n' \
		"$1" "$2" "$3" "$4" "$5" "$hx"
}
{
	ent "$now" would-deny monitor default /opt/x
	ent "$now" allow monitor manifest /usr/bin/tool
	ent "$now" would-deny monitor default /opt/x
	ent "$now" would-deny monitor default /opt/y
	ent "$now" would-deny monitor writable /opt/y
	ent "$now" deny enforce deny-hash /opt/z
	ent "$old" would-deny monitor default /opt/old
	ent "$old" would-deny monitor default /opt/old
	ent "$old" would-deny monitor default /opt/old
	printf '{"time":"%s.000000Z","decision":"summary","mode":"monitor","event":"summary","rule":"rate-limit","reason":"flood","path":"","pid":0,"uid":1000,"allowed":5,"denied":4}\n' "$now"
} >ents
check "a log with known entries (log-fixture)" "$FX" "$S/log" "$S/log.pub" --lines ents
expect_rc "log summary" 0 "$VOUCH" log summary --state "$S"
check "summary: a header, then one line per program and rule, most frequent first (ties by path)" test \
	"$(awk 'NR > 1 && NR <= 6 {print $1 "/" $2 "/" $3 "/" $4 "/" $5}' "$OUT" | tr '\n' ' ')" = \
	"3/3/0/default//opt/old 2/2/0/default//opt/x 1/1/0/default//opt/y 1/1/0/writable//opt/y 1/0/1/deny-hash//opt/z "
check "summary: the totals" grep -qx "7 would-deny and 1 deny decisions, 5 programs, in 10 entries read" "$OUT"
check "summary: rate-limited denials said" grep -q "^4 denials were rate-limited" "$OUT"
check "summary: allows not listed" bash -c '! grep -q /usr/bin/tool "$1"' _ "$OUT"
expect_rc "log summary --since 1h" 0 "$VOUCH" log summary --state "$S" --since 1h
check "--since: the old entries left out" bash -c '! grep -q /opt/old "$1"' _ "$OUT"
check "--since: totals" grep -qx "4 would-deny and 1 deny decisions, 4 programs since 1h, in 10 entries read" "$OUT"
expect_rc "log summary -n 1" 0 "$VOUCH" log summary --state "$S" -n 1
check "-n 1: one program and how many more" test "$(grep -c /opt/ "$OUT")" -eq 1 -a "$(grep -c '^\.\.\. and 4 more programs' "$OUT")" -eq 1
expect_rc "log summary --json" 0 "$VOUCH" log summary --state "$S" --json
check "--json: one object with the groups, most frequent first" json \
	"o['would_deny'] == 7 and o['deny'] == 1 and o['programs'] == 5 and o['entries'] == 10 and \
o['rate_limited_denied'] == 4 and o['since'] is None and \
[(g['path'], g['rule'], g['count'], g['would_deny'], g['deny']) for g in o['groups']] == \
[('/opt/old', 'default', 3, 3, 0), ('/opt/x', 'default', 2, 2, 0), ('/opt/y', 'default', 1, 1, 0), \
('/opt/y', 'writable', 1, 1, 0), ('/opt/z', 'deny-hash', 1, 0, 1)] and \
o['groups'][0]['first'] == '2020-01-01T00:00:00Z'"
expect_err "log summary: a bad --since" 2 "--since nope: not a time" "$VOUCH" log summary --state "$S" --since nope
expect_err "log summary: no log" 2 "no such log directory" "$VOUCH" log summary --dir "$T/nolog"
cp -r "$S/log" "$T/badlog"
f=$(find "$T/badlog" -path '*entries*' -type f | head -n1)
if [ -n "$f" ]; then
	python3 -c 'import sys; f = sys.argv[1]; b = bytearray(open(f, "rb").read()); i = b.index(b"/opt/x"); b[i + 5] ^= 1; open(f, "wb").write(bytes(b))' "$f"
	run "$VOUCH" log summary --dir "$T/badlog" --key "$S/log.pub"
	check "log summary of an edited log: not verified, exit 1, nothing counted" test "$RC" -eq 1 -a ! -s "$OUT"
else
	pass "log summary of an edited log # SKIP no entry bundle found in the fixture"
fi

# ---- switching to enforce -----------------------------------------------------------------
pol_before=$(hash_of "$E/policy") bun_before=$(hash_of "$S/policy.bundle")
cp "$E/policy" pol.before
run "$VOUCH" setup "${opts[@]}" --enforce
check "--enforce with would-deny decisions in the last 24h: refused, exit 1" test "$RC" -eq 1
check "it shows them first" grep -q " /opt/x$" "$OUT"
check "and says why, in one line" test "$(wc -l <"$ERR")" -eq 1 -a \
	"$(grep -c "not switching to enforce mode: 4 would-deny decisions since 24h (above) would be refused" "$ERR")" -eq 1
check "the policy and the installed bundle are unchanged" test \
	"$(hash_of "$E/policy")" = "$pol_before" -a "$(hash_of "$S/policy.bundle")" = "$bun_before"
run "$VOUCH" setup "${opts[@]}" --enforce --since 2021-01-01T00:00:00Z --json
check "--enforce --json refused too, stdout empty" test "$RC" -eq 1 -a ! -s "$OUT"
run "$VOUCH" setup "${opts[@]}" --enforce -y --json
check "--enforce -y: exit 0" test "$RC" -eq 0
check "--json: enforce mode, the would-deny count" json "o['mode'] == 'enforce' and o['would_deny'] == 4 and o['policy_kept']"
check "the policy's mode line now says enforce" grep -qx "mode enforce" "$E/policy"
check "every other byte as the owner left it" cmp <(sed 's/^mode enforce$/mode monitor/' "$E/policy") pol.before
expect_rc "policy show" 0 "$VOUCH" policy show "$S/policy.bundle"
check "policy show: enforce mode" grep -qx "mode:       enforce" "$OUT"
printf '#!/bin/sh\necho new\n' >"$T/new"
expect_rc "vouch check: an untrusted copy is denied now" 1 "$VOUCH" check --state "$S" "$T/new"
check "by the default rule, with the owner's message" grep -q "new: message: Not vouched for on" "$OUT"
expect_rc "vouch check: the dpkg-installed program still allowed" 0 "$VOUCH" check --state "$S" "$R/usr/bin/tool"
expect_rc "--monitor switches back" 0 "$VOUCH" setup "${opts[@]}" --monitor
check "the policy says monitor again" grep -qx "mode monitor" "$E/policy"
expect_rc "policy show" 0 "$VOUCH" policy show "$S/policy.bundle"
check "policy show: monitor mode" grep -qx "mode:       monitor" "$OUT"
run "$VOUCH" setup --dir "$E2" --state "$S2" --admindir "$A" --root "$R" --no-start --enforce --password-fd 3 \
	3< <(printf 'pw one\n')
check "--enforce with no log to read: refused, exit 1" test "$RC" -eq 1
check "it says the log could not be read" grep -q "not switching to enforce mode: the log could not be read" "$ERR"
{ ent "$now" allow monitor manifest /usr/bin/tool; ent "$old" would-deny monitor default /opt/old; } >ents2
"$FX" "$S2/log" "$S2/log.pub" --lines ents2
run "$VOUCH" setup --dir "$E2" --state "$S2" --admindir "$A" --root "$R" --no-start --enforce --password-fd 3 \
	3< <(printf 'pw one\n')
check "--enforce with only older would-deny decisions: exit 0" test "$RC" -eq 0
check "it says what is refused now and how to go back" grep -qF "Back to monitor mode: vouch setup --monitor --dir $E2 --state $S2" "$OUT"
mkdir -p "$T/bad2/trust.mdb" && cp "$E2/policy" pol2.before
run "$VOUCH" setup --dir "$E2" --state "$T/bad2" --admindir "$A" --root "$R" --no-start --monitor \
	--password-fd 3 3< <(printf 'pw one\n')
check "--monitor whose install fails: exit 2" test "$RC" -eq 2
check "the owner's policy keeps its mode line as it was" cmp "$E2/policy" pol2.before

# ---- fleets: the owner's secret key never reaches the device ---------------------------------
"$VOUCH" keygen -W -p "$T/fleet.pub" -s "$T/fleet.key" >/dev/null
E3=$T/etc3 S3=$T/state3
run "$VOUCH" setup --owner-key "$T/fleet.pub" --dir "$E3" --state "$S3" --admindir "$A" --root "$R" --no-start
check "--owner-key: exit 0" test "$RC" -eq 0
check "it writes the owner's public key, the manifest and the policy only" test \
	"$(ls "$E3" | tr '\n' ' ')" = "owner.pub policy system.manifest "
check "nothing installed: no state directory" test ! -e "$S3"
check "the owner's public key, as given" cmp "$E3/owner.pub" "$T/fleet.pub"
check "it prints the owner's commands: sign" grep -q "^  vouch sign -s owner.key system.manifest$" "$OUT"
check "compile" grep -q "^  vouch policy compile policy -s owner.key -o policy.bundle$" "$OUT"
check "and the device's install" grep -qF "  vouch policy install -p $E3/owner.pub --state $S3 $E3/policy.bundle" "$OUT"
check "and what vouchd does meanwhile" grep -q "with no policy installed it refuses nothing" "$OUT"
# The owner, elsewhere: exactly the printed commands.
mkdir "$T/owner" && cp "$E3/system.manifest" "$E3/policy" "$T/owner/" && cp "$T/fleet.key" "$T/owner/owner.key"
(cd "$T/owner" && "$VOUCH" sign -s owner.key system.manifest &&
	"$VOUCH" policy compile policy -s owner.key -o policy.bundle) >/dev/null
cp "$T/owner/policy.bundle" "$E3/"
expect_rc "the bundle the owner made installs with the owner's public key" 0 \
	"$VOUCH" policy install -p "$E3/owner.pub" --state "$S3" "$E3/policy.bundle"
expect_rc "and the device's programs are vouched for" 0 "$VOUCH" check --state "$S3" "$R/usr/bin/tool"
run "$VOUCH" setup --owner-key "$T/fleet.pub" --dir "$E3" --state "$S3" --admindir "$A" --root "$R" --no-start --json
check "--owner-key --json: unsigned, not installed, the policy kept" json \
	"not o['signed'] and not o['installed'] and o['secret_key'] is None and o['policy_kept'] and o['files'] == 2"
expect_err "--owner-key of another owner than the device's: refused" 2 "not replacing it" \
	"$VOUCH" setup --owner-key "$T/other.pub" --dir "$E3" --state "$S3" --admindir "$A" --root "$R" --no-start
expect_err "--owner-key with --enforce: usage" 2 "the mode is the owner's to set" \
	"$VOUCH" setup --owner-key "$T/fleet.pub" --dir "$E3" --enforce

# ---- progress: one updating line on a terminal, nothing in a pipe ----------------------------
# A large (sparse) code file keeps the workers busy long enough to be watched.
cp /bin/true "$R/usr/bin/big" && truncate -s 256M "$R/usr/bin/big"
(cd "$R" && md5sum usr/bin/big) >"$A/info/big.md5sums"
if command -v python3 >/dev/null; then
	run pty screen.txt -- "$VOUCH" setup "${opts[@]}"
	check "under a terminal: exit 0" test "$RC" -eq 0
	check "under a terminal: a progress line, files checked of all and the package" \
		grep -aqE $'\r''vouch: setup: checking [0-9]+/5 files \([0-9]+%\) (a|b:amd64|big)?' screen.txt
	check "rewritten in place (carriage return, erase to the end of the line)" grep -aqF $'\033[K' screen.txt
else
	pass "progress under a terminal # SKIP python3 is needed to drive a pseudo-terminal"
fi
run "$VOUCH" setup "${opts[@]}"
check "into a pipe: exit 0" test "$RC" -eq 0
check "into a pipe: no progress on stderr" bash -c '! grep -aq -e checking -e $'"'"'\r'"'"' "$1"' _ "$ERR"
expect_rc "from-dpkg into a pipe" 0 "$VOUCH" manifest from-dpkg -o "$T/m" --admindir "$A" --root "$R"
check "from-dpkg into a pipe: no progress" bash -c '! grep -aq checking "$1"' _ "$ERR"
if command -v python3 >/dev/null; then
	run pty screen2.txt -- "$VOUCH" manifest from-dpkg -o "$T/m" --admindir "$A" --root "$R"
	check "from-dpkg under a terminal: a progress line" grep -aqE 'vouch: manifest: checking [0-9]+/5 files' screen2.txt
else
	pass "from-dpkg progress under a terminal # SKIP python3 is needed"
fi
rm -f "$R/usr/bin/big" "$A/info/big.md5sums"

# ---- this machine's dpkg database, once, bounded -----------------------------------------
if [ -d /var/lib/dpkg/info ] && [ -e /usr/bin/ls ] && compgen -G '/var/lib/dpkg/info/*.md5sums' >/dev/null; then
	start=$(date +%s)
	run timeout -s KILL 180 "$VOUCH" setup --dir "$T/sys" --state "$T/sysstate" --no-password --no-start --json
	took=$(($(date +%s) - start))
	if [ "$RC" -eq 0 ]; then pass "setup over this system's dpkg database in ${took}s"; else
		fail "setup over this system's dpkg database" "exit $RC after ${took}s"
	fi
	check "this system: --json counts" json "o['installed'] and o['packages'] > 10 and o['files'] > 100 and o['elf'] > 50"
	expect_rc "this system: /usr/bin/ls is allowed by the installed policy" 0 \
		"$VOUCH" check --state "$T/sysstate" /usr/bin/ls
	check "by the manifest" grep -q "allow (manifest)" "$OUT"
else
	pass "setup over this system's dpkg database # SKIP no dpkg database"
fi
check "the host's state directory was not used" test ! -e "$T/var"
done_testing
