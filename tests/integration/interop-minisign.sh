# SPDX-License-Identifier: Apache-2.0
# Interoperability with the reference minisign (Debian's 0.11): keys, signatures, vectors.
# Encrypted keys cost a 1 GiB scrypt each use, so there are six such operations in all.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
FIX=$DATA/integration
PW='interop pass phrase'

if ! command -v minisign >/dev/null 2>&1; then
	fail "minisign is installed" "minisign not found in PATH"
	done_testing
fi
# mverify NAME RC ARGS...: minisign -V with ARGS exits RC (stdin closed: never prompts).
mverify() {
	local name=$1 want=$2
	shift 2
	expect_rc "$name" "$want" minisign -V "$@"
}
# vverify NAME RC ARGS...: vouch verify with ARGS exits RC.
vverify() {
	local name=$1 want=$2
	shift 2
	expect_rc "$name" "$want" "$VOUCH" verify "$@"
}
msign() { minisign -S "$@" </dev/null >/dev/null 2>&1; }
tamper() { cp "$1" "$2" && printf 'x' >>"$2"; }

for f in m1 m2 m3 m4 v1 v2 v3 v4 v5 v6; do printf 'interop file %s\n' "$f" >"$f"; done

# ---- keys made by minisign ----------------------------------------------------------
printf '%s\n%s\n' "$PW" "$PW" | minisign -G -p menc.pub -s menc.key >/dev/null 2>&1
check "minisign -G makes an encrypted key pair" test -s menc.pub -a -s menc.key
minisign -G -W -p mraw.pub -s mraw.key </dev/null >/dev/null 2>&1
check "minisign -G -W makes an unencrypted key pair" test -s mraw.pub -a -s mraw.key
MENC=$(sed -n 2p menc.pub) MRAW=$(sed -n 2p mraw.pub)

printf '%s\n' "$PW" | minisign -S -s menc.key -m m1 >/dev/null 2>&1
check "minisign -S with its encrypted key" test -s m1.minisig
vverify "vouch verifies minisign's signature (encrypted minisign key)" 0 -p menc.pub m1
check "vouch prints minisign's trusted comment" grep -q '^trusted comment: timestamp:.*file:m1' "$OUT"
msign -s mraw.key -t "minisign comment 2" -m m2
check "minisign -S with its unencrypted key" test -s m2.minisig
vverify "vouch verifies minisign's signature (unencrypted minisign key)" 0 -p mraw.pub m2
check "vouch shows minisign's -t comment" grep -qx 'trusted comment: minisign comment 2' "$OUT"
vverify "vouch verifies with minisign's key inline (-P)" 0 -q -P "$MRAW" m2
msign -l -s mraw.key -m m3 -x m3.legacy
check "minisign -S -l makes a legacy signature" \
	test "$(sed -n 2p m3.legacy | base64 -d 2>/dev/null | head -c 2)" = Ed
vverify "vouch verifies minisign's legacy signature" 0 -p mraw.pub -x m3.legacy m3
check "vouch reports it as legacy" grep -q legacy "$OUT"
msign -s mraw.key -m m3
vverify "vouch verifies minisign's signatures of several files" 0 -p mraw.pub m2 m3
check "... each one" test "$(grep -c ': verified' "$OUT")" -eq 2
tamper m2 m2.bad && cp m2.minisig m2.bad.minisig
vverify "vouch rejects a tampered file signed by minisign" 1 -p mraw.pub m2.bad
check "... as a modified file" grep -q 'modified file' "$ERR"
mverify "minisign rejects it too" 1 -m m2.bad -p mraw.pub
tamper m3 m3.bad
vverify "vouch rejects a tampered file, minisign legacy signature" 1 -p mraw.pub -x m3.legacy m3.bad
mverify "minisign rejects it too (legacy)" 1 -m m3.bad -x m3.legacy -p mraw.pub
vverify "vouch rejects minisign's signature under another key" 1 -p menc.pub m2
check "... as the wrong key" grep -q 'wrong key' "$ERR"

# vouch signs with minisign's secret keys.
expect_rc "vouch sign with minisign's encrypted secret key" 0 \
	"$VOUCH" sign -s menc.key --password-fd 3 -t "vouch with minisign key" m4 3< <(echo "$PW")
mverify "minisign verifies it" 0 -m m4 -p menc.pub
check "minisign shows vouch's comment" grep -q 'vouch with minisign key' "$OUT"
expect_rc "vouch sign with minisign's unencrypted (-W) secret key" 0 \
	"$VOUCH" sign -s mraw.key -x m4.raw.minisig m4
mverify "minisign verifies that one" 0 -m m4 -x m4.raw.minisig -p mraw.pub

# ---- keys made by vouch -------------------------------------------------------------
"$VOUCH" keygen -p venc.pub -s venc.key --password-fd 3 3< <(echo "$PW") >/dev/null 2>&1
check "vouch keygen makes an encrypted key pair" test -s venc.pub -a -s venc.key
"$VOUCH" keygen -W -p vraw.pub -s vraw.key >/dev/null 2>&1
check "vouch keygen -W makes an unencrypted key pair" test -s vraw.pub -a -s vraw.key
VENC=$(sed -n 2p venc.pub) VRAW=$(sed -n 2p vraw.pub)

expect_rc "vouch sign with its encrypted key" 0 \
	"$VOUCH" sign -s venc.key --password-fd 3 v1 3< <(echo "$PW")
mverify "minisign -V verifies vouch's signature (encrypted vouch key)" 0 -m v1 -p venc.pub
mverify "minisign -V -P verifies it with the inline key" 0 -m v1 -P "$VENC"
check "minisign shows vouch's default trusted comment" grep -q 'Trusted comment: timestamp:.*file:v1' "$OUT"
expect_rc "vouch sign with its unencrypted key, -t comment" 0 \
	"$VOUCH" sign -s vraw.key -t "vouch comment 2" v2
mverify "minisign -V verifies vouch's signature (unencrypted vouch key)" 0 -m v2 -p vraw.pub
check "minisign shows vouch's -t comment" grep -q 'vouch comment 2' "$OUT"
mverify "minisign -V -P verifies it too" 0 -m v2 -P "$VRAW"
mverify "minisign -V -H (prehashed required) accepts vouch's default signature" 0 -H -m v2 -p vraw.pub
expect_rc "vouch sign -l" 0 "$VOUCH" sign -l -s vraw.key -x v3.legacy v3
mverify "minisign -V verifies vouch's legacy signature" 0 -m v3 -x v3.legacy -p vraw.pub
mverify "minisign -V -H refuses vouch's legacy signature" 1 -H -m v3 -x v3.legacy -p vraw.pub
tamper v2 v2.bad && cp v2.minisig v2.bad.minisig
mverify "minisign rejects a tampered file signed by vouch" 1 -m v2.bad -p vraw.pub
vverify "vouch rejects it too" 1 -p vraw.pub v2.bad
tamper v3 v3.bad
mverify "minisign rejects a tampered file, vouch legacy signature" 1 -m v3.bad -x v3.legacy -p vraw.pub
mverify "minisign rejects vouch's signature under another key" 1 -m v2 -p venc.pub
sed '3s/vouch comment 2/vouch comment 3/' v2.minisig >v2.comment.minisig
mverify "minisign rejects vouch's signature with an edited trusted comment" 1 \
	-m v2 -x v2.comment.minisig -p vraw.pub
vverify "vouch rejects it as a modified comment" 1 -p vraw.pub -x v2.comment.minisig v2
check "... with that reason" grep -q 'modified comment' "$ERR"

# minisign signs with vouch's secret keys.
printf '%s\n' "$PW" | minisign -S -s venc.key -m v4 >/dev/null 2>&1
check "minisign -S with vouch's encrypted secret key" test -s v4.minisig
vverify "vouch verifies it" 0 -p venc.pub v4
mverify "minisign verifies it" 0 -m v4 -p venc.pub
msign -s vraw.key -m v5
check "minisign -S with vouch's unencrypted secret key" test -s v5.minisig
vverify "vouch verifies it" 0 -p vraw.pub v5
msign -l -s vraw.key -m v6 -x v6.legacy
vverify "vouch verifies minisign's legacy signature with vouch's key" 0 -p vraw.pub -x v6.legacy v6

# Long trusted comments: what vouch signs, minisign must be able to verify. minisign
# 0.11 reads at most 8173 bytes of comment text (8192 with "trusted comment: " and "\n").
c8173=$(head -c 8173 /dev/zero | tr '\0' c)
expect_rc "vouch signs with an 8173-byte trusted comment" 0 \
	"$VOUCH" sign -s vraw.key -t "$c8173" -x long1.sig v2
mverify "minisign verifies the 8173-byte comment" 0 -m v2 -x long1.sig -p vraw.pub
c8192=$(head -c 8192 /dev/zero | tr '\0' c)
run "$VOUCH" sign -s vraw.key -t "$c8192" -x long2.sig v2
if [ "$RC" -ne 0 ]; then
	check "vouch refuses an 8192-byte trusted comment, writing nothing" test "$RC" -eq 2 -a ! -e long2.sig
else
	mverify "an 8192-byte trusted comment vouch signed is verified by minisign" 0 \
		-m v2 -x long2.sig -p vraw.pub
fi

# ---- the same key and comments give the same bytes ----------------------------------
cp "$FIX/golden.key" golden.key && cp "$FIX/golden.pub" golden.pub && cp "$FIX/golden.txt" golden.txt
chmod 600 golden.key
expect_rc "vouch re-signs the golden file" 0 \
	"$VOUCH" sign -s golden.key -c "golden signature" -t "golden prehashed" -x g.vouch golden.txt
check "vouch's signature equals the committed golden signature byte for byte" \
	cmp -s g.vouch "$FIX/golden.txt.minisig"
expect_rc "vouch re-signs the golden file, legacy" 0 \
	"$VOUCH" sign -l -s golden.key -c "golden signature" -t "golden legacy" -x g.vouch.l golden.txt
check "... equal to the committed legacy signature" cmp -s g.vouch.l "$FIX/golden.txt.legacy.minisig"
msign -s golden.key -c "golden signature" -t "golden prehashed" -m golden.txt -x g.mini
check "minisign's signature with the same key and comments is byte-identical to vouch's" \
	cmp -s g.mini "$FIX/golden.txt.minisig"
msign -l -s golden.key -c "golden signature" -t "golden legacy" -m golden.txt -x g.mini.l
check "... and so is minisign's legacy one" cmp -s g.mini.l "$FIX/golden.txt.legacy.minisig"
mverify "minisign verifies the committed golden signature" 0 \
	-m golden.txt -x "$FIX/golden.txt.minisig" -p golden.pub

# ---- published vectors (jedisct1/rust-minisign-verify) ------------------------------
cp "$FIX/minisign-vector.txt" test && cp "$FIX/minisign-vector.pub" vec.pub
check "vector message is the 4 bytes 'test'" test "$(cat test)" = test -a "$(stat -c %s test)" -eq 4
for s in legacy prehashed prehashed2; do
	sig=$FIX/minisign-vector.$s.minisig
	mverify "vector $s: minisign -V verifies" 0 -m test -x "$sig" -p vec.pub
	vverify "vector $s: vouch verifies" 0 -p vec.pub -x "$sig" test
	check "vector $s: vouch names key E7620F1842B4E81F" grep -q E7620F1842B4E81F "$OUT"
	vverify "vector $s: vouch verifies with -P" 0 -q -P "$(sed -n 2p vec.pub)" -x "$sig" test
done
vverify "vector legacy: vouch prints the trusted comment with its TAB" 0 \
	-p vec.pub -x "$FIX/minisign-vector.legacy.minisig" test
check "... exactly" grep -qx "trusted comment: timestamp:1555779966	file:test" "$OUT"
printf 'tesT' >tampered
for s in legacy prehashed; do
	sig=$FIX/minisign-vector.$s.minisig
	mverify "vector $s, tampered message: minisign rejects" 1 -m tampered -x "$sig" -p vec.pub
	vverify "vector $s, tampered message: vouch rejects" 1 -p vec.pub -x "$sig" tampered
done
mverify "vector legacy: minisign -H refuses it" 1 -H -m test -x "$FIX/minisign-vector.legacy.minisig" -p vec.pub
vverify "vector signature under another key: vouch rejects" 1 -p vraw.pub \
	-x "$FIX/minisign-vector.prehashed.minisig" test

done_testing
