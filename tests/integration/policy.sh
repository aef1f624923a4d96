#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Policy end to end: manifests signed, policy compiled to a signed bundle, installed, checked.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2

sha() { sha256sum "$1" | cut -d' ' -f1; }
key_line() { sed -n 2p "$1"; }
json_get() { # json_get FIELD: value of a top-level string/bool field in $OUT's first line
	sed -n '1s/.*"'"$1"'":\("[^"]*"\|true\|false\|null\).*/\1/p' "$OUT" | tr -d '"'
}

"$VOUCH" keygen -W -p owner.pub -s owner.sec >/dev/null
"$VOUCH" keygen -W -p release.pub -s release.sec >/dev/null
"$VOUCH" keygen -W -p stranger.pub -s stranger.sec >/dev/null

# The software: two trusted ELF programs and a script; one of them later withdrawn.
mkdir -p app/bin other
cp /bin/true app/bin/tool
cp /bin/ls app/bin/withdrawn
printf '#!/bin/sh\necho hi\n' >app/bin/run.sh
printf 'not code\n' >app/README
cp /bin/echo other/untrusted
cp /bin/cat other/site-tool

expect_rc "manifest create" 0 "$VOUCH" manifest create -o app.manifest "$PWD/app"
check "manifest lists the 3 code files" test "$(wc -l <app.manifest)" -eq 3
expect_rc "sign the manifest" 0 "$VOUCH" sign -s release.sec app.manifest

cat >policy.txt <<EOF
# test policy
mode enforce
message "Ask IT at x1234."
signer release $(key_line release.pub)
manifest app.manifest signer release
deny $(sha app/bin/withdrawn) "Withdrawn: use the new one."
allow $(sha other/site-tool) "site tool"
EOF

expect_rc "policy compile" 0 "$VOUCH" policy compile policy.txt -s owner.sec -o p.bundle
check "compile reports the hash count" grep -q "p.bundle: 4 hashes" "$OUT"
expect_rc "policy verify with the owner key" 0 "$VOUCH" policy verify -p owner.pub p.bundle
check "verify names the mode" grep -q "mode enforce" "$OUT"
expect_err "policy verify with another key" 1 "wrong key" \
	"$VOUCH" policy verify -p stranger.pub p.bundle
expect_rc "policy show" 0 "$VOUCH" policy show p.bundle
check "show: mode" grep -q "^mode: *enforce" "$OUT"
check "show: manifest and signer" grep -q "manifest: *app.manifest, signed by release, 3 files" "$OUT"
check "show: the policy text" grep -qF "| message \"Ask IT at x1234.\"" "$OUT"
check "show: max-size, the default" grep -qx "max-size: *1073741824 bytes, the default (larger files are denied unread)" "$OUT"
{ cat policy.txt; echo "max-size 512M"; } >sized.txt
expect_rc "compile a policy with max-size" 0 "$VOUCH" policy compile sized.txt -s owner.sec -o sized.bundle
run "$VOUCH" policy show --json sized.bundle
check "show --json: max_size" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["max_size"] == 512 << 20' "$OUT"
check "show --json: no update deadline is null" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["update_every"] is None' "$OUT"
{ cat policy.txt; echo "update-every 180d"; } >due.txt
expect_rc "compile a policy with update-every" 0 "$VOUCH" policy compile due.txt -s owner.sec -o due.bundle
run "$VOUCH" policy show due.bundle
check "show: the update deadline" grep -qx "updates: *at least every 180 days" "$OUT"
run "$VOUCH" policy show --json due.bundle
check "show --json: update_every in seconds" python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["update_every"] == 180 * 86400 and d["max_size"] == 1 << 30' "$OUT"
expect_rc "the bundle with a deadline verifies" 0 "$VOUCH" policy verify -p owner.pub due.bundle
{ cat policy.txt; echo "update-every 6m"; } >badue.txt
expect_err "update-every in minutes is refused, with the line" 2 "badue.txt:.*not a duration" \
	"$VOUCH" policy compile badue.txt -s owner.sec -o badue.bundle
check "and no bundle is written" test ! -e badue.bundle
big=$(mktemp -p .)
truncate -s 600M "$big"
chmod 0755 "$big"
run "$VOUCH" check --bundle sized.bundle -p owner.pub "$big"
check "check: a file over max-size is denied unread (rule too-large)" \
	bash -c "[ $RC -eq 1 ] && grep -q 'too-large' '$OUT'"
rm -f "$big"
expect_rc "policy show --entries --json" 0 "$VOUCH" policy show --entries --json p.bundle
check "show --json has 4 entries" test "$(grep -o '"sha256":"[0-9a-f]*"' "$OUT" | wc -l)" -ge 4
if command -v python3 >/dev/null; then
	check "show --json is valid JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT"
fi

B=(--bundle p.bundle -p owner.pub)
expect_rc "check: trusted by manifest" 0 "$VOUCH" check "${B[@]}" app/bin/tool
check "rule manifest" grep -q "allow (manifest): listed in manifest app.manifest signed by release" "$OUT"
expect_rc "check: script in manifest" 0 "$VOUCH" check "${B[@]}" app/bin/run.sh
expect_rc "check: not vouched for" 1 "$VOUCH" check "${B[@]}" other/untrusted
check "rule default with the policy message" grep -q "deny (default)" "$OUT"
check "default message shown" grep -q "message: Ask IT at x1234." "$OUT"
expect_rc "check: deny beats manifest" 1 "$VOUCH" check "${B[@]}" app/bin/withdrawn
check "rule deny-hash with its message" grep -q "deny (deny-hash)" "$OUT"
check "deny message shown" grep -q "message: Withdrawn: use the new one." "$OUT"
expect_rc "check: allowed by hash" 0 "$VOUCH" check "${B[@]}" other/site-tool
check "rule allow-hash" grep -q "allow (allow-hash)" "$OUT"
expect_rc "check several: worst wins" 1 "$VOUCH" check "${B[@]}" app/bin/tool other/untrusted

# A path or name never decides.
cp app/bin/tool elsewhere-copy
expect_rc "trusted file copied elsewhere still allowed" 0 "$VOUCH" check "${B[@]}" elsewhere-copy
mkdir -p fake/app/bin
cp other/untrusted fake/app/bin/tool
expect_rc "untrusted file under a trusted name denied" 1 "$VOUCH" check "${B[@]}" fake/app/bin/tool
printf 'x' >>elsewhere-copy
expect_rc "trusted file modified: denied" 1 "$VOUCH" check "${B[@]}" elsewhere-copy

expect_rc "check --json" 1 "$VOUCH" check --json "${B[@]}" other/untrusted
check "json decision" test "$(json_get decision)" = deny
check "json rule" test "$(json_get rule)" = default
check "json sha256" test "$(json_get sha256)" = "$(sha other/untrusted)"
check "json kind" test "$(json_get kind)" = elf-dyn
check "json policy_verified" test "$(json_get policy_verified)" = true
if command -v python3 >/dev/null; then
	check "check --json is valid JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT"
fi
expect_rc "why: denied" 1 "$VOUCH" why "${B[@]}" other/untrusted
check "why says it may not run" grep -q "other/untrusted may not run" "$OUT"
check "why gives the rule in words" grep -q "anything not vouched for is denied" "$OUT"
check "why gives the owner's message" grep -q "message from the policy's owner: Ask IT at x1234." "$OUT"
expect_rc "why: allowed" 0 "$VOUCH" why "${B[@]}" app/bin/tool
check "why says it may run" grep -q "app/bin/tool may run." "$OUT"

# Installed policy: the same answers from the LMDB store.
expect_rc "policy install" 0 "$VOUCH" policy install -p owner.pub --state state p.bundle
check "store file exists" test -f state/trust.mdb
check "bundle copy kept" cmp -s state/policy.bundle p.bundle
check "no lock or temp files in the state dir" test "$(ls state | wc -l)" -eq 2
expect_rc "check by the store: manifest" 0 "$VOUCH" check --state state app/bin/tool
expect_rc "check by the store: default deny" 1 "$VOUCH" check --state state other/untrusted
expect_rc "check by the store: deny-hash" 1 "$VOUCH" check --state state app/bin/withdrawn
check "store gives the deny message" grep -q "Withdrawn: use the new one." "$OUT"
VOUCH_STATE_DIR=$PWD/state expect_rc "VOUCH_STATE_DIR is honoured" 0 "$VOUCH" check app/bin/tool
expect_err "no policy installed" 2 "no policy installed" "$VOUCH" check --state nowhere app/bin/tool

# Rollback: an older bundle does not replace a newer one without --allow-rollback.
sleep 1
expect_rc "compile a newer bundle" 0 "$VOUCH" policy compile policy.txt -s owner.sec -o new.bundle
expect_rc "install the newer" 0 "$VOUCH" policy install -p owner.pub --state state new.bundle
expect_err "older bundle refused" 1 "older than the installed policy" \
	"$VOUCH" policy install -p owner.pub --state state p.bundle
check "the store still holds the newer bundle" cmp -s state/policy.bundle new.bundle
expect_rc "--allow-rollback installs it" 0 \
	"$VOUCH" policy install -p owner.pub --state state --allow-rollback p.bundle
expect_err "install with the wrong key" 1 "wrong key" \
	"$VOUCH" policy install -p stranger.pub --state state new.bundle
check "a refused install leaves the bundle copy" cmp -s state/policy.bundle p.bundle

# Monitor mode allows but says enforce would deny.
sed 's/^mode enforce/mode monitor/' policy.txt >monitor.txt
expect_rc "compile monitor policy" 0 "$VOUCH" policy compile monitor.txt -s owner.sec -o m.bundle
expect_rc "monitor: untrusted allowed" 0 "$VOUCH" check --json --bundle m.bundle other/untrusted
check "monitor: would_deny" test "$(json_get would_deny)" = true
check "monitor: unverified bundle flagged" test "$(json_get policy_verified)" = false

# Tampering with the bundle is caught.
cp p.bundle t.bundle
printf '\x01' | dd of=t.bundle bs=1 seek=200 conv=notrunc status=none
expect_err "tampered bundle not verified" 1 "not verified" "$VOUCH" policy verify -p owner.pub t.bundle
expect_err "tampered bundle not installed" 1 "not verified" \
	"$VOUCH" policy install -p owner.pub --state state2 t.bundle
check "nothing installed from it" test ! -e state2/trust.mdb

# Compile errors: one line naming file, line and column; nothing written.
printf 'mode enforce\nallow 1234\n' >bad.txt
expect_err "syntax error has file:line:col" 2 "^vouch: policy: bad.txt:2:7: .*not a SHA-256" \
	"$VOUCH" policy compile bad.txt -s owner.sec -o bad.bundle
check "no bundle after a syntax error" test ! -e bad.bundle
# base64 keys may hold '/', never '|'.
sed "s|^signer release .*|signer release $(key_line stranger.pub)|" policy.txt >wrongsigner.txt
check "the stranger's key is in the policy" grep -qF "$(key_line stranger.pub)" wrongsigner.txt
expect_err "manifest signed by another key" 2 "app.manifest: not verified by signer 'release'.*wrong key" \
	"$VOUCH" policy compile wrongsigner.txt -s owner.sec -o bad.bundle
check "no bundle after a bad manifest" test ! -e bad.bundle
cp app.manifest app.manifest.orig
sed -i '1s/^./0/' app.manifest
expect_err "modified manifest" 2 "app.manifest: not verified.*modified" \
	"$VOUCH" policy compile policy.txt -s owner.sec -o bad.bundle
mv app.manifest.orig app.manifest
mv app.manifest.minisig away.minisig
expect_err "manifest without signature" 2 "cannot read its signature" \
	"$VOUCH" policy compile policy.txt -s owner.sec -o bad.bundle
mv away.minisig app.manifest.minisig
printf 'mode enforce\nexpires 2001-01-01T00:00:00Z\n' >expired.txt
expect_err "expired policy not compiled" 2 "expired at 2001-01-01T00:00:00Z" \
	"$VOUCH" policy compile expired.txt -s owner.sec -o bad.bundle
check "still no bundle" test ! -e bad.bundle
expect_err "compile with a public key as -s" 2 "not a minisign secret key" \
	"$VOUCH" policy compile policy.txt -s owner.pub -o bad.bundle
printf 'garbage' >g.bundle
expect_err "show a non-bundle" 2 "g.bundle: not a valid policy bundle" "$VOUCH" policy show g.bundle
expect_err "unknown policy subcommand" 2 "unknown subcommand 'frob'" "$VOUCH" policy frob
done_testing
