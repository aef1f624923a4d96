# SPDX-License-Identifier: Apache-2.0
# Interoperability with OpenBSD's signify (Debian's signify-openbsd) and its regress vectors.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
FIX=$DATA/integration
SIGNIFY=signify-openbsd

if ! command -v "$SIGNIFY" >/dev/null 2>&1; then
	fail "signify-openbsd is installed" "signify-openbsd not found in PATH"
	done_testing
fi

# ---- signatures made by signify -----------------------------------------------------
expect_rc "signify -G -n makes a key pair" 0 "$SIGNIFY" -G -n -p s.pub -s s.sec
expect_rc "signify -G -n makes a second key pair" 0 "$SIGNIFY" -G -n -p s2.pub -s s2.sec
printf 'signed by signify\n' >data
: >empty
head -c 3145728 /dev/urandom >big
expect_rc "signify -S signs a file" 0 "$SIGNIFY" -S -s s.sec -m data -x data.sig
expect_rc "signify -S signs an empty file" 0 "$SIGNIFY" -S -s s.sec -m empty -x empty.sig
expect_rc "signify -S signs a 3 MiB file" 0 "$SIGNIFY" -S -s s.sec -m big -x big.sig
expect_rc "signify -S with its own untrusted comment" 0 \
	"$SIGNIFY" -S -c "a comment of my own" -s s.sec -m data -x data.c.sig

expect_rc "vouch verifies signify's signature" 0 "$VOUCH" verify -p s.pub -x data.sig data
check "vouch names the file and says verified" grep -q '^data: verified' "$OUT"
check "vouch prints no trusted comment (signify has none)" bash -c '! grep -q "trusted comment" "$1"' _ "$OUT"
check "vouch's stderr is empty" test ! -s "$ERR"
expect_rc "vouch verifies signify's signature of an empty file" 0 \
	"$VOUCH" verify -q -p s.pub -x empty.sig empty
expect_rc "vouch verifies signify's signature of a 3 MiB file" 0 \
	"$VOUCH" verify -q -p s.pub -x big.sig big
expect_rc "vouch verifies a signify signature with a custom comment" 0 \
	"$VOUCH" verify -q -p s.pub -x data.c.sig data
expect_rc "vouch verifies with signify's key given inline (-P)" 0 \
	"$VOUCH" verify -q -P "$(sed -n 2p s.pub)" -x data.sig data
expect_rc "vouch --json on a signify signature" 0 "$VOUCH" verify --json -p s.pub -x data.sig data
if command -v python3 >/dev/null 2>&1; then
	check "--json: verified, no trusted comment" python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
sys.exit(0 if o["verified"] is True and o["file"] == "data" and "trusted_comment" not in o else 1)' "$OUT"
else
	check "--json: verified (grep, no python3)" grep -q '"verified":true' "$OUT"
fi
cp data.sig data.minisig
expect_rc "a signify signature found as FILE.minisig without -x" 0 "$VOUCH" verify -q -p s.pub data
rm data.minisig

cp data tampered && printf '!' >>tampered
expect_err "tampered file: exit 1, modified file" 1 '^vouch: verify: tampered: modified file' \
	"$VOUCH" verify -p s.pub -x data.sig tampered
expect_rc "signify rejects it too" 1 "$SIGNIFY" -V -q -p s.pub -x data.sig -m tampered
printf 'x' | dd of=big bs=1 seek=2000000 conv=notrunc status=none
expect_err "one byte changed in the 3 MiB file: exit 1" 1 '^vouch: verify: big: modified file' \
	"$VOUCH" verify -p s.pub -x big.sig big
expect_err "signify signature under another signify key: wrong key" 1 \
	'^vouch: verify: data: wrong key' "$VOUCH" verify -p s2.pub -x data.sig data
{ sed -n 1p data.sig; sed -n 2p data.sig | cut -c1-60; } >short.sig
expect_err "truncated signify signature: malformed" 1 '^vouch: verify: data: malformed signature' \
	"$VOUCH" verify -p s.pub -x short.sig data

before=$(snap)
expect_err "a signify secret key given as -p" 2 '^vouch: verify: s\.sec: ' \
	"$VOUCH" verify -p s.sec -x data.sig data
expect_err "a signify secret key given to vouch sign" 2 '^vouch: sign: s\.sec: ' \
	"$VOUCH" sign -s s.sec data
check "... writes no signature" test "$(snap)" = "$before"

# ---- signatures made by vouch that signify checks -----------------------------------
"$VOUCH" keygen -W -p v.pub -s v.key >/dev/null 2>&1
check "setup: a vouch key pair" test -s v.pub -a -s v.key
expect_rc "vouch sign -l" 0 "$VOUCH" sign -l -s v.key -x data.vouch.sig data
expect_rc "signify -V verifies vouch's legacy signature with vouch's public key" 0 \
	"$SIGNIFY" -V -p v.pub -x data.vouch.sig -m data
expect_rc "signify -V rejects it for a tampered file" 1 \
	"$SIGNIFY" -V -q -p v.pub -x data.vouch.sig -m tampered
expect_rc "signify -V rejects it under a signify key" 1 \
	"$SIGNIFY" -V -q -p s.pub -x data.vouch.sig -m data

# ---- signify's regress vectors ------------------------------------------------------
for f in regresskey.pub orders.txt orders.txt.sig forgery.txt; do cp "$FIX/$f" "$f"; done
check "orders.txt is 'Attack at dawn!'" test "$(cat orders.txt)" = 'Attack at dawn!'
expect_rc "signify -V verifies the regress vector (sanity)" 0 \
	"$SIGNIFY" -V -q -p regresskey.pub -m orders.txt
expect_rc "vouch verifies orders.txt with regresskey.pub" 0 \
	"$VOUCH" verify -p regresskey.pub -x orders.txt.sig orders.txt
check "... naming key DDC5C4D449A278C0 (the key number as minisign shows it)" \
	grep -q DDC5C4D449A278C0 "$OUT"
expect_err "vouch rejects forgery.txt with orders.txt.sig" 1 '^vouch: verify: forgery\.txt: modified file' \
	"$VOUCH" verify -p regresskey.pub -x orders.txt.sig forgery.txt
expect_rc "signify rejects forgery.txt too (sanity)" 1 \
	"$SIGNIFY" -V -q -p regresskey.pub -x orders.txt.sig -m forgery.txt
expect_rc "vouch verifies orders.txt with the key inline" 0 \
	"$VOUCH" verify -q -P RWTAeKJJ1MTF3YCo0ivtKH8kuiFWJuLpNoUmpDd6iTFYhn6/tRu5qKJe \
	-x orders.txt.sig orders.txt
expect_err "regress signature under a fresh signify key: wrong key" 1 \
	'^vouch: verify: orders\.txt: wrong key' "$VOUCH" verify -p s.pub -x orders.txt.sig orders.txt

# Re-signing orders.txt with the regress secret key reproduces the signature line.
expect_rc "signify re-signs orders.txt with regresskey.sec" 0 \
	"$SIGNIFY" -S -s "$FIX/regresskey.sec" -m orders.txt -x resigned.sig
check "the signature line equals the committed vector" \
	test "$(sed -n 2p resigned.sig)" = "$(sed -n 2p orders.txt.sig)"

done_testing
