# SPDX-License-Identifier: Apache-2.0
# The vouch command line: keygen, sign and verify options, outputs, exit codes and messages.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2

# unchanged NAME BEFORE: the directory is as the snapshot BEFORE shows.
unchanged() {
	local now
	now=$(snap)
	if [ "$now" = "$2" ]; then pass "$1"; else
		local d
		mapfile -t d < <(diff <(echo "$2") <(echo "$now") | head -n 5 | LC_ALL=C tr -c '[:print:]\n' '?')
		fail "$1" "directory changed:" "${d[@]}"
	fi
}
# json_check NAME PYTHON-EXPR: every line of $OUT is one JSON object; EXPR (over the list
# `objs`) is true. Without python3, only the one-object-per-line shape is checked.
json_check() {
	local name=$1 expr=$2
	if command -v python3 >/dev/null 2>&1; then
		if python3 -c '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]]
assert all(isinstance(o, dict) for o in objs)
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)
' "$OUT" "$expr" 2>"$T/.pyerr"; then pass "$name"; else
			# Keep the TAP log plain text: show other bytes as '?'.
			LC_ALL=C tr -c '[:print:]\n' '?' <"$OUT" >"$T/.safe" && cat "$T/.safe" >"$OUT"
			fail "$name" "python: $expr" "$(tail -n 1 "$T/.pyerr")"
		fi
	else
		check "$name (shape only, no python3)" \
			bash -c '! grep -qvE "^\{.*\}$" "$1"' _ "$OUT"
	fi
}
mode() { stat -c %a "$1"; }
pw() { echo "correct horse"; }

# ---- keygen -------------------------------------------------------------------------
expect_rc "keygen -W makes a key pair" 0 "$VOUCH" keygen -W -p k.pub -s k.key
check "keygen -W: public key file exists" test -f k.pub
check "keygen -W: secret key file exists" test -f k.key
check "keygen: secret key has mode 0600" test "$(mode k.key)" = 600
check "keygen: public key has mode 0644" test "$(mode k.pub)" = 644
check "keygen: stderr is empty on success" test ! -s "$ERR"
ID=$(sed -n '1s/^untrusted comment: minisign public key \([0-9A-F]\{16\}\)$/\1/p' k.pub)
check "keygen: public key's comment names a 16-digit key id" test -n "$ID"
check "keygen: public key is two lines, the second 56 base64 characters" \
	test "$(wc -l <k.pub)" -eq 2 -a "$(sed -n 2p k.pub | grep -cE '^RW[A-Za-z0-9+/]{54}$')" -eq 1
check "keygen: stdout names the key id" grep -q "$ID" "$OUT"
check "keygen -W: secret key is marked unencrypted (kdf bytes 0)" \
	test "$(sed -n 2p k.key | base64 -d 2>/dev/null | head -c 4 | od -An -tx1 | tr -d ' ')" = 45640000
PK=$(sed -n 2p k.pub)

(umask 000 && "$VOUCH" keygen -W -p u0.pub -s u0.key >/dev/null 2>&1)
check "keygen: secret key is 0600 even under umask 000" test "$(mode u0.key)" = 600
(umask 077 && "$VOUCH" keygen -W -p u7.pub -s u7.key >/dev/null 2>&1)
check "keygen: public key is 0644 even under umask 077" test "$(mode u7.pub)" = 644
rm -f u0.* u7.*

# Refusing to overwrite leaves both files byte for byte as they were.
cp k.pub k.pub.orig && cp k.key k.key.orig
before=$(snap)
expect_err "keygen refuses an existing secret key" 2 '^vouch: keygen: k\.key: .*exist' \
	"$VOUCH" keygen -W -p k.pub -s k.key
check "keygen refusal: secret key unchanged" cmp -s k.key k.key.orig
check "keygen refusal: public key unchanged" cmp -s k.pub k.pub.orig
unchanged "keygen refusal: nothing else written" "$before"
expect_err "keygen refuses an existing public key" 2 '^vouch: keygen: k\.pub: .*exist' \
	"$VOUCH" keygen -W -p k.pub -s other.key
check "keygen refusal: no secret key left behind" test ! -e other.key
unchanged "keygen refusal (public): nothing written" "$before"

# -f replaces both; the new secret key is 0600 even where the old file was 0644.
chmod 0644 k.key
expect_rc "keygen -f replaces an existing pair" 0 "$VOUCH" keygen -W -f -p k.pub -s k.key
check "keygen -f: new secret key differs" bash -c '! cmp -s k.key k.key.orig'
check "keygen -f: new public key differs" bash -c '! cmp -s k.pub k.pub.orig'
check "keygen -f: replaced secret key has mode 0600" test "$(mode k.key)" = 600
PK=$(sed -n 2p k.pub)
ID=$(sed -n '1s/^untrusted comment: minisign public key //p' k.pub)
rm -f k.pub.orig k.key.orig

before=$(snap)
expect_err "keygen refuses an empty password" 2 '^vouch: keygen: .*password' \
	"$VOUCH" keygen -p e.pub -s e.key --password-fd 3 3< <(echo)
unchanged "keygen empty password: no file written" "$before"
expect_err "keygen refuses -p and -s naming the same file" 2 '^vouch: keygen: ' \
	"$VOUCH" keygen -W -p same -s same
unchanged "keygen same path: no file written" "$before"
expect_err "keygen refuses -W with --password-fd" 2 '^vouch: keygen: ' \
	"$VOUCH" keygen -W -p e.pub -s e.key --password-fd 0
expect_err "keygen without -s is a usage error" 2 '^vouch: keygen: ' \
	"$VOUCH" keygen -W -p e.pub
expect_err "keygen --password-fd with a non-number" 2 '^vouch: keygen: ' \
	"$VOUCH" keygen -p e.pub -s e.key --password-fd 3x
expect_err "keygen with a stray argument" 2 '^vouch: keygen: ' \
	"$VOUCH" keygen -W -p e.pub -s e.key extra
unchanged "keygen usage errors: no file written" "$before"

# A public key that cannot be written: no secret key is left behind, and with -f the
# existing pair stays as it was (replacing only its secret half would break the pair).
before=$(snap)
expect_err "keygen into a missing directory fails" 2 '^vouch: keygen: nodir/n\.pub: ' \
	"$VOUCH" keygen -W -p nodir/n.pub -s n.key
unchanged "keygen into a missing directory: no secret key left behind" "$before"
cp k.pub k.pub.orig && cp k.key k.key.orig
before=$(snap)
expect_err "keygen -f with an unwritable public key path fails" 2 '^vouch: keygen: nodir/k\.pub: ' \
	"$VOUCH" keygen -W -f -p nodir/k.pub -s k.key
check "keygen -f failure: the existing secret key is left as it was" cmp -s k.key k.key.orig
unchanged "keygen -f failure: nothing written" "$before"
cp k.key.orig k.key && rm -f k.pub.orig k.key.orig

# Encrypted key (scrypt, 1 GiB: kept to one keygen and one signature).
expect_rc "keygen with --password-fd makes an encrypted key" 0 \
	"$VOUCH" keygen -p enc.pub -s enc.key --password-fd 3 3< <(pw)
check "keygen encrypted: secret key is 0600" test "$(mode enc.key)" = 600
check "keygen encrypted: secret key uses scrypt (kdf bytes 'Sc')" \
	test "$(sed -n 2p enc.key | base64 -d 2>/dev/null | head -c 4)" = EdSc
echo "signed with an encrypted key" >encdata
expect_rc "sign with the encrypted key and its password" 0 \
	"$VOUCH" sign -s enc.key --password-fd 3 encdata 3< <(pw)
expect_rc "its signature verifies" 0 "$VOUCH" verify -q -p enc.pub encdata

# ---- sign ---------------------------------------------------------------------------
printf 'alpha\n' >a
printf 'bravo\n' >b
printf 'charlie\n' >c
: >empty
expect_rc "sign one file" 0 "$VOUCH" sign -s k.key a
check "sign writes FILE.minisig" test -f a.minisig
check "sign prints nothing on stderr" test ! -s "$ERR"
check "signature file is four lines" test "$(wc -l <a.minisig)" -eq 4
check "default untrusted comment line" grep -q '^untrusted comment: ' a.minisig
check "default signature is prehashed (ED)" test "$(sed -n 2p a.minisig | base64 -d 2>/dev/null | head -c 2)" = ED
tc=$(sed -n 3p a.minisig)
check "default trusted comment has timestamp:<digits>" grep -qE 'timestamp:[0-9]+' <<<"$tc"
check "default trusted comment has file:a" grep -qE '(^|[[:space:]])file:a([[:space:]]|$)' <<<"$tc"

mkdir sub && printf 'delta\n' >sub/d.txt
expect_rc "sign a file in a subdirectory" 0 "$VOUCH" sign -s k.key sub/d.txt
check "its comment names the base name only (file:d.txt)" \
	grep -qE 'file:d\.txt([[:space:]]|$)' sub/d.txt.minisig

expect_rc "sign with -t COMMENT" 0 "$VOUCH" sign -s k.key -t "release 1.2 of thing" b
check "-t comment is the trusted comment line" \
	test "$(sed -n 3p b.minisig)" = "trusted comment: release 1.2 of thing"
expect_rc "verify the -t signature" 0 "$VOUCH" verify -p k.pub b
check "verify prints the -t comment" grep -qx "trusted comment: release 1.2 of thing" "$OUT"
check "verify names the file as verified" grep -q '^b: verified' "$OUT"
check "verify names the key id" grep -q "$ID" "$OUT"
check "verify prints nothing on stderr" test ! -s "$ERR"

expect_rc "sign with -c untrusted comment" 0 "$VOUCH" sign -s k.key -c "just a note" -t x c
check "-c sets the untrusted comment line" \
	test "$(sed -n 1p c.minisig)" = "untrusted comment: just a note"

# Ed25519 is deterministic: the same key, file and comment give the same signature.
cp b.minisig b.first
expect_rc "sign the same file again" 0 "$VOUCH" sign -s k.key -t "release 1.2 of thing" b
check "re-signing replaces the signature with identical bytes" cmp -s b.minisig b.first
rm -f b.first

expect_rc "sign -x SIGFILE" 0 "$VOUCH" sign -s k.key -x a.alt.sig a
check "-x writes the named signature file" test -f a.alt.sig
check "-x writes no FILE.minisig" test ! -e a.alt.sig.minisig
expect_rc "verify -x SIGFILE" 0 "$VOUCH" verify -q -p k.pub -x a.alt.sig a
before=$(snap)
expect_err "sign -x with two files is a usage error" 2 '^vouch: sign: ' \
	"$VOUCH" sign -s k.key -x two.sig a b
unchanged "sign -x two files: nothing written" "$before"

expect_rc "sign -l (legacy)" 0 "$VOUCH" sign -s k.key -l -x a.legacy a
check "-l writes a legacy (Ed) signature" test "$(sed -n 2p a.legacy | base64 -d 2>/dev/null | head -c 2)" = Ed
expect_rc "verify a legacy signature" 0 "$VOUCH" verify -p k.pub -x a.legacy a
check "verify says the signature is legacy" grep -q legacy "$OUT"

expect_rc "sign an empty file" 0 "$VOUCH" sign -s k.key empty
expect_rc "verify an empty file" 0 "$VOUCH" verify -q -p k.pub empty
expect_rc "sign an empty file, legacy" 0 "$VOUCH" sign -s k.key -l -x empty.legacy empty
expect_rc "verify an empty file, legacy" 0 "$VOUCH" verify -q -p k.pub -x empty.legacy empty

rm -f a.minisig b.minisig c.minisig
expect_rc "sign several files" 0 "$VOUCH" sign -s k.key a b c
check "each file gets its signature" test -f a.minisig -a -f b.minisig -a -f c.minisig
check "each signature names its own file" \
	bash -c 'grep -q file:a a.minisig && grep -q file:b b.minisig && grep -q file:c c.minisig'
expect_rc "verify several files" 0 "$VOUCH" verify -p k.pub a b c
check "verify reports each of them" test "$(grep -c ': verified' "$OUT")" -eq 3

rm -f a.minisig b.minisig c.minisig
before=$(snap)
expect_err "sign with a missing file among several" 2 '^vouch: sign: missing: ' \
	"$VOUCH" sign -s k.key a missing b
unchanged "missing file among several: no signature written for any" "$before"
mkdir adir
before=$(snap)
expect_err "sign a directory among files" 2 '^vouch: sign: adir: ' \
	"$VOUCH" sign -s k.key a adir
unchanged "directory among files: no signature written" "$before"
# A FIFO is not a regular file: refused at once, without waiting for a writer.
mkfifo fifo
before=$(snap)
expect_err "sign a FIFO among files: refused without blocking" 2 '^vouch: sign: fifo: ' \
	timeout 5 "$VOUCH" sign -s k.key a fifo
unchanged "sign a FIFO: nothing written" "$before"
before=$(snap)
expect_err "sign -x into a missing directory" 2 '^vouch: sign: nodir/a\.sig: ' \
	"$VOUCH" sign -s k.key -x nodir/a.sig a
unchanged "sign -x into a missing directory: nothing written" "$before"

# A signature never replaces a file being signed.
before=$(snap)
expect_err "sign -x naming the file being signed is refused" 2 '^vouch: sign: a: ' \
	"$VOUCH" sign -s k.key -x a a
unchanged "sign -x FILE FILE: the file is left as it was" "$before"
printf 'not a signature\n' >b.minisig
before=$(snap)
expect_err "signing FILE and FILE.minisig together is refused" 2 '^vouch: sign: b\.minisig: ' \
	"$VOUCH" sign -s k.key b b.minisig
unchanged "FILE and FILE.minisig: nothing replaced or written" "$before"
rm -f b.minisig
before=$(snap)

expect_err "sign -t with ESC is a usage error" 2 '^vouch: sign: .*(control|-t)' \
	"$VOUCH" sign -s k.key -t $'a\x1bb' a
unchanged "-t with ESC: nothing written" "$before"
expect_err "sign -t with a newline is a usage error" 2 '^vouch: sign: .*(control|-t)' \
	"$VOUCH" sign -s k.key -t $'one\ntwo' a
unchanged "-t with a newline: nothing written" "$before"
expect_err "sign -t with a carriage return is a usage error" 2 '^vouch: sign: ' \
	"$VOUCH" sign -s k.key -t $'one\rtwo' a
expect_err "sign -c with a newline is a usage error" 2 '^vouch: sign: ' \
	"$VOUCH" sign -s k.key -c $'one\ntwo' a
unchanged "-t/-c with control characters: nothing written" "$before"
expect_err "sign without -s is a usage error" 2 '^vouch: sign: ' "$VOUCH" sign a
expect_err "sign without a file is a usage error" 2 '^vouch: sign: ' "$VOUCH" sign -s k.key
unchanged "sign usage errors: nothing written" "$before"

# A file name with a control character cannot go into the default comment.
escname=$'esc\x1bname'
printf 'escaped\n' >"$escname"
before=$(snap)
expect_err "sign a file named with ESC without -t is refused" 2 '^vouch: sign: ' \
	"$VOUCH" sign -s k.key "$escname"
unchanged "file name with ESC: nothing written" "$before"
expect_rc "sign it with -t" 0 "$VOUCH" sign -s k.key -t escaped "$escname"
expect_rc "and it verifies" 0 "$VOUCH" verify -q -p k.pub "$escname"

# ---- verify -------------------------------------------------------------------------
"$VOUCH" sign -s k.key a b c >/dev/null 2>&1
expect_rc "verify -q succeeds" 0 "$VOUCH" verify -q -p k.pub a
check "verify -q prints nothing on stdout" test ! -s "$OUT"
check "verify -q prints nothing on stderr" test ! -s "$ERR"
expect_rc "verify -P with the inline key" 0 "$VOUCH" verify -q -P "$PK" a
expect_rc "verify --quiet (long option)" 0 "$VOUCH" verify --quiet --public k.pub a
check "verify --quiet prints nothing" test ! -s "$OUT" -a ! -s "$ERR"

cp c c.orig && printf 'tampered\n' >>c
expect_err "verify -q still reports a failure" 1 '^vouch: verify: c: .*modified file' \
	"$VOUCH" verify -q -p k.pub c
check "verify -q failure: stdout empty" test ! -s "$OUT"

expect_rc "verify --json of one good file" 0 "$VOUCH" verify --json -p k.pub a
json_check "--json: one object, verified, with file, key id and comment" \
	"len(objs) == 1 and objs[0]['file'] == 'a' and objs[0]['verified'] is True
	 and objs[0].get('key_id') == '$ID' and 'file:a' in objs[0].get('trusted_comment', '')"
check "--json success: stderr empty" test ! -s "$ERR"

expect_rc "verify --json with a good and a modified file exits 1" 1 \
	"$VOUCH" verify --json -p k.pub a c
json_check "--json: one object per file, the modified one not verified with a reason" \
	"len(objs) == 2 and objs[0]['file'] == 'a' and objs[0]['verified'] is True
	 and objs[1]['file'] == 'c' and objs[1]['verified'] is False
	 and 'modified file' in objs[1].get('reason', '')"

# JSON escaping of names with a quote, backslash and TAB.
odd=$'q"b\\s\tt'
printf 'odd\n' >"$odd"
"$VOUCH" sign -s k.key -t odd "$odd" >/dev/null 2>&1
expect_rc "verify --json of a file with quote, backslash and TAB in its name" 0 \
	"$VOUCH" verify --json -p k.pub "$odd"
json_check "--json escapes the name correctly" "objs[0]['file'] == 'q\"b\\\\s\\tt'"
check "--json output is a single line for it" test "$(wc -l <"$OUT")" -eq 1

# JSON text is UTF-8 (RFC 8259): bytes that are not UTF-8, in a trusted comment or in a
# file name, must still come out as valid JSON (escaped or replaced).
printf 'latin1\n' >l1
"$VOUCH" sign -s k.key -t $'caf\xe9 cr\xe8me' l1 >/dev/null 2>&1
expect_rc "verify --json of a signature whose trusted comment is not UTF-8" 0 \
	"$VOUCH" verify --json -p k.pub l1
json_check "--json output is valid UTF-8 JSON (trusted comment)" "objs[0]['verified'] is True"
l1name=$'name-\xff\xfe'
cp l1 "$l1name" && "$VOUCH" sign -s k.key -t plain "$l1name" >/dev/null 2>&1
expect_rc "verify --json of a file whose name is not UTF-8" 0 \
	"$VOUCH" verify --json -p k.pub "$l1name"
json_check "--json output is valid UTF-8 JSON (file name)" "objs[0]['verified'] is True"

expect_rc "verify several files, one modified: exit 1" 1 "$VOUCH" verify -p k.pub a b c
check "the good files are still reported verified" \
	test "$(grep -cE '^(a|b): verified' "$OUT")" -eq 2
check "the modified file gets one stderr line" \
	test "$(wc -l <"$ERR")" -eq 1 -a "$(grep -c '^vouch: verify: c: ' "$ERR")" -eq 1
rm -f b.minisig
expect_rc "verify several: modified (1) and missing signature (2) exits 2" 2 \
	"$VOUCH" verify -p k.pub a b c
check "both failures reported, one line each" test "$(wc -l <"$ERR")" -eq 2
check "the good one still verified" grep -q '^a: verified' "$OUT"
expect_rc "verify several: missing signature first, modified last still exits 2" 2 \
	"$VOUCH" verify -q -p k.pub b c a
mv c.orig c

before=$(snap)
expect_err "verify with both -p and -P is a usage error" 2 '^vouch: verify: ' \
	"$VOUCH" verify -p k.pub -P "$PK" a
expect_err "verify with neither -p nor -P is a usage error" 2 '^vouch: verify: ' \
	"$VOUCH" verify a
expect_err "verify without a file is a usage error" 2 '^vouch: verify: ' \
	"$VOUCH" verify -p k.pub
expect_err "verify -x with two files is a usage error" 2 '^vouch: verify: ' \
	"$VOUCH" verify -p k.pub -x a.minisig a c
expect_err "verify -P with a garbled key" 2 '^vouch: verify: ' \
	"$VOUCH" verify -P "RWQ!!!notbase64" a
unchanged "verify never writes" "$before"

# ---- help and unknown commands ------------------------------------------------------
for cmd in keygen sign verify hash; do
	expect_rc "$cmd --help exits 0" 0 "$VOUCH" "$cmd" --help
	check "$cmd --help prints Usage: vouch $cmd" grep -q "^Usage: vouch $cmd" "$OUT"
	check "$cmd --help prints nothing on stderr" test ! -s "$ERR"
	expect_rc "$cmd -h exits 0" 0 "$VOUCH" "$cmd" -h
	check "$cmd -h prints Usage" grep -q "^Usage: vouch $cmd" "$OUT"
	expect_err "$cmd with an unknown option exits 2" 2 "^vouch: $cmd: .*--no-such-option" \
		"$VOUCH" "$cmd" --no-such-option
done
expect_rc "vouch --help exits 0" 0 "$VOUCH" --help
check "vouch --help prints Usage and lists every command" \
	bash -c 'grep -q "^Usage: vouch" "$1" && grep -q keygen "$1" && grep -q sign "$1" &&
		grep -q verify "$1" && grep -q hash "$1"' _ "$OUT"
expect_rc "vouch without a command exits 2" 2 "$VOUCH"
check "vouch without a command: usage on stderr, stdout empty" \
	bash -c 'grep -q "Usage" "$1" && test ! -s "$2"' _ "$ERR" "$OUT"
expect_err "unknown command exits 2" 2 "^vouch: .*frobnicate" "$VOUCH" frobnicate
expect_rc "vouch --version exits 0" 0 "$VOUCH" --version
check "--version prints 'vouch VERSION'" grep -qE '^vouch [0-9]' "$OUT"
unchanged "help and usage errors write nothing" "$before"

done_testing
