# SPDX-License-Identifier: Apache-2.0
# Bad key files given to verify (-p) and sign (-s): exit 2, one stderr line naming the
# file, nothing on stdout and nothing written.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
FIX=$DATA/integration

# bad NAME REGEX CMD...: exit 2, one stderr line matching REGEX, empty stdout, and the
# scratch directory unchanged (in particular no signature file created).
bad() {
	local name=$1 re=$2 before now
	shift 2
	before=$(snap)
	expect_err "$name" 2 "$re" "$@"
	check "$name: stdout empty" test ! -s "$OUT"
	now=$(snap)
	if [ "$now" = "$before" ]; then pass "$name: nothing written"; else
		local d
		mapfile -t d < <(diff <(echo "$before") <(echo "$now") | head -n 5)
		fail "$name: nothing written" "directory changed:" "${d[@]}"
	fi
}
# reblob IN OUT EDIT...: copy key file IN to OUT with its decoded base64 line passed
# through EDIT (a command from stdin to stdout) and re-encoded.
reblob() {
	local in=$1 out=$2
	shift 2
	{
		sed -n 1p "$in"
		sed -n 2p "$in" | base64 -d 2>/dev/null | "$@" | base64 -w0
		echo
	} >"$out"
}
# Replace the first two bytes (the algorithm) with "Ex".
badalg() { printf Ex; tail -c +3; }
# Flip the last byte of the blob.
flip_last() {
	local tmp=$T/.blob b
	cat >"$tmp"
	b=$(tail -c 1 "$tmp" | od -An -tu1 | tr -d ' ')
	head -c -1 "$tmp"
	printf "\\$(printf %03o $((b ^ 1)))"
}

"$VOUCH" keygen -W -p k.pub -s k.key >/dev/null 2>&1
check "setup: a key pair" test -s k.pub -a -s k.key
printf 'payload\n' >data
"$VOUCH" sign -s k.key data >/dev/null 2>&1
expect_rc "setup: the good key verifies the good signature" 0 "$VOUCH" verify -q -p k.pub data
cp data.minisig sig.copy

# ---- public keys --------------------------------------------------------------------
: >empty.pub
head -n 1 k.pub >trunc1.pub
{ sed -n 1p k.pub; sed -n 2p k.pub | cut -c1-40; } >trunc2.pub
{ sed -n 1p k.pub; echo 'RW!!!!not~base64%%%%AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'; } >garbled.pub
reblob k.pub alg.pub badalg
{ cat k.pub; echo 'trailing garbage'; } >trailing.pub
{ printf 'untrusted comment: '; head -c 5000 /dev/zero | tr '\0' y; echo; sed -n 2p k.pub; } >big.pub
{ sed -n 1p k.pub; sed -n 2p k.pub | base64 -d 2>/dev/null | head -c 30 | base64 -w0; echo; } >short.pub
sed -n 2p k.pub >nocomment.pub
mkdir dir.pub
check "setup: big.pub is over 4096 bytes" test "$(stat -c %s big.pub)" -gt 4096
check "setup: alg.pub has other algorithm bytes" \
	test "$(sed -n 2p alg.pub | base64 -d 2>/dev/null | head -c 2)" = Ex

V='^vouch: verify: '
bad "verify -p missing file" "${V}nosuch\.pub: .*(No such|not found|exist)" \
	"$VOUCH" verify -p nosuch.pub data
bad "verify -p empty file" "${V}empty\.pub: " "$VOUCH" verify -p empty.pub data
bad "verify -p with a secret key" "${V}k\.key: .*secret key" "$VOUCH" verify -p k.key data
bad "verify -p with a signature file" "${V}sig\.copy: .*signature" \
	"$VOUCH" verify -p sig.copy data
bad "verify -p with only the comment line" "${V}trunc1\.pub: " "$VOUCH" verify -p trunc1.pub data
bad "verify -p with a truncated base64 line" "${V}trunc2\.pub: " \
	"$VOUCH" verify -p trunc2.pub data
bad "verify -p with valid base64 of the wrong length" "${V}short\.pub: " \
	"$VOUCH" verify -p short.pub data
bad "verify -p with garbled base64" "${V}garbled\.pub: " "$VOUCH" verify -p garbled.pub data
bad "verify -p with wrong algorithm bytes" "${V}alg\.pub: " "$VOUCH" verify -p alg.pub data
bad "verify -p with trailing garbage" "${V}trailing\.pub: " "$VOUCH" verify -p trailing.pub data
bad "verify -p with an oversized key file" "${V}big\.pub: " "$VOUCH" verify -p big.pub data
bad "verify -p without the comment line" "${V}nocomment\.pub: " \
	"$VOUCH" verify -p nocomment.pub data
bad "verify -p with a directory" "${V}dir\.pub: " "$VOUCH" verify -p dir.pub data
bad "verify -P with a secret key's base64" "${V}" "$VOUCH" verify -P "$(sed -n 2p k.key)" data

# ---- secret keys (sign) -------------------------------------------------------------
rm -f data.minisig
: >empty.key
head -n 1 k.key >trunc1.key
{ sed -n 1p k.key; sed -n 2p k.key | cut -c1-100; } >trunc2.key
{ sed -n 1p k.key; sed -n 2p k.key | tr 'A-Za-z' '!-Z'; } >garbled.key
reblob k.key alg.key badalg
reblob k.key corrupt.key flip_last
{ cat k.key; echo 'trailing garbage'; } >trailing.key
{ printf 'untrusted comment: '; head -c 5000 /dev/zero | tr '\0' y; echo; sed -n 2p k.key; } >big.key
mkdir dir.key
check "setup: alg.key has other algorithm bytes" \
	test "$(sed -n 2p alg.key | base64 -d 2>/dev/null | head -c 2)" = Ex
check "setup: corrupt.key differs from k.key" bash -c '! cmp -s corrupt.key k.key'

S='^vouch: sign: '
bad "sign -s missing file" "${S}nosuch\.key: .*(No such|not found|exist)" \
	"$VOUCH" sign -s nosuch.key data
bad "sign -s empty file" "${S}empty\.key: " "$VOUCH" sign -s empty.key data
bad "sign -s with a public key" "${S}k\.pub: .*public key" "$VOUCH" sign -s k.pub data
bad "sign -s with a signature file" "${S}sig\.copy: " "$VOUCH" sign -s sig.copy data
bad "sign -s with only the comment line" "${S}trunc1\.key: " "$VOUCH" sign -s trunc1.key data
bad "sign -s with a truncated base64 line" "${S}trunc2\.key: " "$VOUCH" sign -s trunc2.key data
bad "sign -s with garbled base64" "${S}garbled\.key: " "$VOUCH" sign -s garbled.key data
bad "sign -s with wrong algorithm bytes" "${S}alg\.key: " "$VOUCH" sign -s alg.key data
bad "sign -s with a corrupt checksum" "${S}corrupt\.key: " "$VOUCH" sign -s corrupt.key data
bad "sign -s with trailing garbage" "${S}trailing\.key: " "$VOUCH" sign -s trailing.key data
bad "sign -s with an oversized key file" "${S}big\.key: " "$VOUCH" sign -s big.key data
bad "sign -s with a directory" "${S}dir\.key: " "$VOUCH" sign -s dir.key data

# An encrypted key (committed fixture; its password is "vouch test password").
cp "$FIX/vouch-encrypted.key" enc.key && cp "$FIX/vouch-encrypted.pub" enc.pub && chmod 600 enc.key
bad "sign with a wrong password" "${S}enc\.key: .*password" \
	"$VOUCH" sign -s enc.key --password-fd 3 data 3< <(echo 'not the password')
bad "sign with an encrypted key and no terminal" "${S}.*password" \
	setsid -w "$VOUCH" sign -s enc.key data </dev/null
bad "sign with --password-fd naming a closed descriptor" "${S}.*password" \
	"$VOUCH" sign -s enc.key --password-fd 9 data

# The data file is checked before the key: a missing key and a missing file name the file.
bad "sign a missing file" "${S}nofile: " "$VOUCH" sign -s k.key nofile

done_testing
