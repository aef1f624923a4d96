# SPDX-License-Identifier: Apache-2.0
# Every reason vouch verify rejects a signature for: its exit code and its one-line message.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2

# rejected NAME RC REGEX CMD...: like expect_err, and nothing at all on stdout.
rejected() {
	local name=$1
	expect_err "$@"
	check "$name: stdout empty" test ! -s "$OUT"
}
# mksig LINE1 LINE2 LINE3 LINE4 > FILE: a signature file from its four lines.
mksig() { printf '%s\n' "$@"; }
# flip_byte IN OUT I MASK: copy binary IN to OUT with byte I xor-ed with MASK.
flip_byte() {
	local b
	b=$(od -An -tu1 -j "$3" -N1 "$1" | tr -d ' ')
	{
		head -c "$3" "$1"
		printf "\\$(printf %03o $((b ^ $4)))"
		tail -c +$(($3 + 2)) "$1"
	} >"$2"
}

"$VOUCH" keygen -W -p k.pub -s k.key >/dev/null 2>&1
"$VOUCH" keygen -W -p other.pub -s other.key >/dev/null 2>&1
check "setup: two key pairs" test -s k.key -a -s other.key
printf 'the quick brown fox\n' >data
"$VOUCH" sign -s k.key -t "build 42" data >/dev/null 2>&1
check "setup: signature" test -s data.minisig
cp data.minisig good.sig
L1=$(sed -n 1p good.sig) L2=$(sed -n 2p good.sig) L3=$(sed -n 3p good.sig) L4=$(sed -n 4p good.sig)
expect_rc "the untouched signature verifies" 0 "$VOUCH" verify -q -p k.pub data

# ---- not verified: exit 1 -----------------------------------------------------------
rejected "wrong key" 1 '^vouch: verify: data: wrong key' "$VOUCH" verify -p other.pub data
KID=$(sed -n '1s/.* //p' k.pub) OID=$(sed -n '1s/.* //p' other.pub)
check "wrong key: the message names both key ids" \
	bash -c 'grep -q "$1" "$3" && grep -q "$2" "$3"' _ "$KID" "$OID" "$ERR"

cp data data.orig
printf 'the quick brown fax\n' >data
rejected "modified file (same length)" 1 '^vouch: verify: data: modified file' \
	"$VOUCH" verify -p k.pub data
printf 'the quick brown fox\n\n' >data
rejected "modified file (one byte appended)" 1 '^vouch: verify: data: modified file' \
	"$VOUCH" verify -p k.pub data
: >data
rejected "modified file (emptied)" 1 '^vouch: verify: data: modified file' \
	"$VOUCH" verify -p k.pub data
mv data.orig data

"$VOUCH" sign -s k.key -l -t "build 42" -x legacy.sig data >/dev/null 2>&1
printf 'the quick brown fax\n' >data.l
rejected "modified file, legacy signature" 1 '^vouch: verify: data.l: modified file' \
	"$VOUCH" verify -p k.pub -x legacy.sig data.l

mksig "$L1" "$L2" "trusted comment: build 43" "$L4" >data.minisig
rejected "modified trusted comment" 1 '^vouch: verify: data: modified comment' \
	"$VOUCH" verify -p k.pub data
mksig "$L1" "$L2" "${L3} " "$L4" >data.minisig
rejected "trusted comment with a space appended" 1 '^vouch: verify: data: modified comment' \
	"$VOUCH" verify -p k.pub data
printf 'other\n' >other && "$VOUCH" sign -s k.key -t "build 42" other >/dev/null 2>&1
mksig "$L1" "$L2" "$L3" "$(sed -n 4p other.minisig)" >data.minisig
check "setup: another file's global signature differs" test "$(sed -n 4p other.minisig)" != "$L4"
rejected "global signature of another signature" 1 '^vouch: verify: data: modified comment' \
	"$VOUCH" verify -p k.pub data
mksig "untrusted comment: anything at all here" "$L2" "$L3" "$L4" >data.minisig
expect_rc "a changed untrusted comment still verifies (it is not signed)" 0 \
	"$VOUCH" verify -q -p k.pub data

# Malformed signature files: exit 1, "malformed signature", naming the signature file.
M='^vouch: verify: data: malformed signature.*data\.minisig'
mksig "$L1" "RUQ!!!!not*base64~~~~" "$L3" "$L4" >data.minisig
rejected "garbled base64 signature line" 1 "$M" "$VOUCH" verify -p k.pub data
mksig "$L1" "${L2%????}" "$L3" "$L4" >data.minisig
rejected "signature line four characters short" 1 "$M" "$VOUCH" verify -p k.pub data
mksig "$L1" "${L2}AAAA" "$L3" "$L4" >data.minisig
rejected "signature line four characters long" 1 "$M" "$VOUCH" verify -p k.pub data
mksig "$L1" "$L2" "$L3" "${L4%????}" >data.minisig
rejected "global signature line four characters short" 1 "$M" "$VOUCH" verify -p k.pub data
head -c 100 good.sig >data.minisig
rejected "signature file truncated at 100 bytes" 1 "$M" "$VOUCH" verify -p k.pub data
: >data.minisig
rejected "empty signature file" 1 "$M" "$VOUCH" verify -p k.pub data
mksig "$L1" "$L2" >data.minisig
rejected "missing trusted comment line" 1 "$M" "$VOUCH" verify -p k.pub data
mksig "$L1" "$L2" "$L4" >data.minisig
rejected "trusted comment line left out, global signature in its place" 1 "$M" \
	"$VOUCH" verify -p k.pub data
mksig "$L1" "$L2" "$L3" >data.minisig
rejected "missing global signature line" 1 "$M" "$VOUCH" verify -p k.pub data
mksig "$L2" "$L3" "$L4" >data.minisig
rejected "missing untrusted comment line" 1 "$M" "$VOUCH" verify -p k.pub data
mksig "$L1" "$L2" $'trusted comment: build\x0142' "$L4" >data.minisig
rejected "control character (0x01) in the trusted comment" 1 "$M" "$VOUCH" verify -p k.pub data
mksig "$L1" "$L2" $'trusted comment: build\x1b[31m42' "$L4" >data.minisig
rejected "escape sequence in the trusted comment" 1 "$M" "$VOUCH" verify -p k.pub data
mksig "$L1" "$L2" "$L3" "$L4" "extra line" >data.minisig
rejected "trailing garbage after the last line" 1 "$M" "$VOUCH" verify -p k.pub data
{ printf 'untrusted comment: '; head -c 17000 /dev/zero | tr '\0' x; printf '\n%s\n%s\n%s\n' "$L2" "$L3" "$L4"; } >data.minisig
check "setup: oversized signature file is over 16384 bytes" test "$(stat -c %s data.minisig)" -gt 16384
rejected "oversized signature file" 1 "$M" "$VOUCH" verify -p k.pub data
tr '\n' '\0' <good.sig >data.minisig
rejected "NUL bytes instead of newlines" 1 "$M" "$VOUCH" verify -p k.pub data
head -c 74 /dev/zero | base64 -w0 >zeros.b64
mksig "$L1" "$(cat zeros.b64)" "$L3" "$L4" >data.minisig
rejected "an all-zero signature blob (unknown algorithm)" 1 "$M" "$VOUCH" verify -p k.pub data
# A signify signature file (two lines) where a minisign one is expected, for a minisign key.
mksig "untrusted comment: signature from signify secret key" \
	"$({ printf Ed; sed -n 2p good.sig | base64 -d 2>/dev/null | tail -c +3; } | base64 -w0)" \
	>data.minisig
expect_rc "a two-line signify-style signature of other bytes is rejected" 1 \
	"$VOUCH" verify -p k.pub data

# What minisign accepts as well: CRLF line ends, no newline after the last line.
sed 's/$/\r/' good.sig >data.minisig
expect_rc "CRLF line ends are accepted (as minisign does)" 0 "$VOUCH" verify -q -p k.pub data
head -c -1 good.sig >data.minisig
expect_rc "no newline at the end is accepted (as minisign does)" 0 \
	"$VOUCH" verify -q -p k.pub data
cp good.sig data.minisig

# ---- cannot check: exit 2, naming the file ------------------------------------------
rm data.minisig
expect_err "missing signature file: exit 2, names it" 2 '^vouch: verify: data: .*data\.minisig' \
	"$VOUCH" verify -p k.pub data
expect_err "missing -x signature file: exit 2, names it" 2 '^vouch: verify: data: .*nosuch\.sig' \
	"$VOUCH" verify -p k.pub -x nosuch.sig data
cp good.sig gone.minisig
expect_err "missing data file: exit 2, names it" 2 '^vouch: verify: gone: ' \
	"$VOUCH" verify -p k.pub gone
mkdir dir.minisig
expect_err "signature path is a directory: exit 2" 2 '^vouch: verify: dir: .*dir\.minisig' \
	"$VOUCH" verify -p k.pub dir
mkdir ddir && cp good.sig ddir.minisig
expect_err "data path is a directory: exit 2" 2 '^vouch: verify: ddir: ' \
	"$VOUCH" verify -p k.pub ddir
cp good.sig data.minisig
mkfifo fifo && cp good.sig fifo.minisig
expect_err "data path is a FIFO: exit 2 at once, not waiting for a writer" 2 '^vouch: verify: fifo: ' \
	timeout 5 "$VOUCH" verify -p k.pub fifo
expect_err "signature from an endless device: refused, not read" 2 \
	'^vouch: verify: data: cannot read signature: /dev/zero: not a regular file' \
	timeout 60 "$VOUCH" verify -p k.pub -x /dev/zero data
expect_err "public key from an endless device is capped: exit 2" 2 '^vouch: verify: /dev/zero: ' \
	timeout 60 "$VOUCH" verify -p /dev/zero data
# Only "-" may be a pipe, where a command offers it: keys and signatures are files.
expect_err "key through a pipe (process substitution): refused at once" 2 \
	'^vouch: verify: /dev/fd/[0-9]+: cannot read public key: not a regular file' \
	timeout 10 "$VOUCH" verify -q -p <(cat k.pub) -x <(cat good.sig) data
expect_err "missing public key file: exit 2, names it" 2 '^vouch: verify: nokey\.pub: ' \
	"$VOUCH" verify -p nokey.pub data

# Unreadable files: root reads anything, so drop to nobody with setpriv when root.
chmod 0711 "$T"
cp data locked && cp good.sig locked.minisig && chmod 0644 locked.minisig k.pub
cp data sigl && cp good.sig sigl.minisig && chmod 0644 sigl k.pub
chmod 000 locked sigl.minisig
if [ "$(id -u)" -ne 0 ]; then
	as_other() { "$@"; }
elif command -v setpriv >/dev/null 2>&1; then
	as_other() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
	as_other() { return 99; }
fi
expect_err "unreadable data file: exit 2, names it" 2 '^vouch: verify: [^ ]*/locked: .*(ermission|denied)' \
	as_other "$VOUCH" verify -p "$T/k.pub" "$T/locked"
expect_err "unreadable signature file: exit 2, names it" 2 '^vouch: verify: .*sigl\.minisig.*(ermission|denied)' \
	as_other "$VOUCH" verify -p "$T/k.pub" "$T/sigl"
chmod 0700 "$T"

# ---- every single-byte change of the 74-byte signature blob -------------------------
sed -n 2p good.sig | base64 -d >blob 2>/dev/null
check "setup: the signature blob is 74 bytes" test "$(stat -c %s blob)" -eq 74
bad=0 badlist=
for ((i = 0; i < 74; i++)); do
	flip_byte blob blob.x "$i" 255
	mksig "$L1" "$(base64 -w0 blob.x)" "$L3" "$L4" >data.minisig
	run "$VOUCH" verify -p k.pub data
	if [ "$RC" -ne 1 ] || [ "$(wc -l <"$ERR")" -ne 1 ] ||
		! grep -qE '^vouch: verify: data: (wrong key|modified file|malformed signature)' "$ERR"; then
		bad=$((bad + 1)) badlist="$badlist $i:$RC"
	fi
	case $i in
	0 | 1) want='malformed signature' ;;
	[2-9]) want='wrong key' ;;
	*) want='modified file' ;;
	esac
	if ! grep -q "$want" "$ERR"; then bad=$((bad + 1)) badlist="$badlist $i:reason"; fi
done
if [ "$bad" -eq 0 ]; then pass "all 74 single-byte changes (xor 0xff) rejected, exit 1, right reason"
else fail "single-byte changes of the signature blob" "accepted or wrong reason:$badlist"; fi

# Turning "ED" into "Ed" (a prehashed signature claimed to be legacy) must not verify.
flip_byte blob blob.x 1 32
check "setup: 'ED' became 'Ed'" test "$(head -c 2 blob.x)" = Ed
mksig "$L1" "$(base64 -w0 blob.x)" "$L3" "$L4" >data.minisig
rejected "prehashed signature relabelled legacy" 1 '^vouch: verify: data: modified file' \
	"$VOUCH" verify -p k.pub data
# And the 64-byte global signature: each change is a modified comment.
printf '%s\n' "$L4" | base64 -d >gblob 2>/dev/null
check "setup: the global signature is 64 bytes" test "$(stat -c %s gblob)" -eq 64
bad=0 badlist=
for ((i = 0; i < 64; i++)); do
	flip_byte gblob gblob.x "$i" 1
	mksig "$L1" "$L2" "$L3" "$(base64 -w0 gblob.x)" >data.minisig
	run "$VOUCH" verify -p k.pub data
	if [ "$RC" -ne 1 ] || ! grep -q '^vouch: verify: data: modified comment' "$ERR"; then
		bad=$((bad + 1)) badlist="$badlist $i:$RC"
	fi
done
if [ "$bad" -eq 0 ]; then pass "all 64 single-bit changes of the global signature: modified comment"
else fail "changes of the global signature" "accepted or wrong reason:$badlist"; fi
cp good.sig data.minisig
expect_rc "the original signature still verifies afterwards" 0 "$VOUCH" verify -q -p k.pub data

done_testing
