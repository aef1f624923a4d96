#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Careless use: an output naming an input, a key or another output is refused (by
# device and inode, however spelt); a FIFO, device or directory given where a file is
# read is refused at once, never waited on; 'policy install' into a bad state path
# says one accurate thing. Each refusal: exit 2, one stderr line, nothing changed.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2

# Every command runs under timeout: a command blocked on a FIFO fails (exit 124).
V() { timeout 10 "$VOUCH" "$@"; }
# bad NAME REGEX CMD...: exit 2, one stderr line matching REGEX, nothing on stdout,
# and the scratch directory unchanged (no file created, replaced or removed).
bad() {
	local name=$1 re=$2 before now
	shift 2
	restore
	before=$(snap)
	expect_err "$name" 2 "$re" "$@"
	check "$name: stdout empty" test ! -s "$OUT"
	now=$(snap)
	if [ "$now" = "$before" ]; then pass "$name: nothing changed"; else
		local d
		mapfile -t d < <(diff <(echo "$before") <(echo "$now") | head -n 5)
		fail "$name: nothing changed" "directory changed:" "${d[@]}"
	fi
}
key_line() { sed -n 2p "$1"; }

"$VOUCH" keygen -W -p k.pub -s k.sec >/dev/null
printf 'data\n' >f
"$VOUCH" sign -s k.sec f >/dev/null
mkfifo fifo
mkdir -p tree/bin sub
cp /bin/true tree/bin/true
cp /bin/true true
"$VOUCH" manifest create -o app.manifest tree >/dev/null
"$VOUCH" sign -s k.sec app.manifest >/dev/null
cat >policy.txt <<EOF
mode enforce
signer rel $(key_line k.pub)
manifest app.manifest signer rel
EOF
"$VOUCH" policy compile policy.txt -s k.sec -o p.bundle >/dev/null
check "setup: a signed manifest and a bundle" test -s app.manifest.minisig -a -s p.bundle
# Kept aside: a version that lets a refused command change a file does not make the
# checks after it fail too (bad() restores them first).
mkdir orig && cp -a k.sec k.pub f f.minisig true tree app.manifest app.manifest.minisig \
	policy.txt p.bundle orig/
restore() {
	local x
	for x in orig/* fifo key-link key-hardlink; do rm -rf "./${x#orig/}"; done
	cp -a orig/. . && mkfifo fifo && ln -s k.sec key-link && ln k.sec key-hardlink
}
ln -s k.sec key-link
ln k.sec key-hardlink

# ---- 15: an output that is an input, a key or another output ----------------------
bad "sign -x naming the secret key" 'vouch: sign: k.sec: is the secret key' \
	V sign -s k.sec -x k.sec f
bad "sign -x: the key spelt ./k.sec" 'sign: \./k\.sec: is the secret key \(k\.sec\)' \
	V sign -s k.sec -x ./k.sec f
bad "sign -x: the key through sub/.." 'sign: sub/\.\./k\.sec: is the secret key' \
	V sign -s k.sec -x sub/../k.sec f
bad "sign -x: a symlink to the key" 'sign: key-link: is the secret key' \
	V sign -s k.sec -x key-link f
bad "sign -x: a hard link of the key" 'sign: key-hardlink: is the secret key' \
	V sign -s k.sec -x key-hardlink f
bad "sign -x: the key named through a symlink" 'sign: k\.sec: is the secret key \(key-link\)' \
	V sign -s key-link -x k.sec f
bad "sign: two FILEs whose signatures are one file" \
	'sign: \./f\.minisig: is the same file as a signature \(f\.minisig\)' V sign -s k.sec f ./f
bad "sign -x: an existing FIFO is not replaced" 'sign: fifo: is not a regular file' \
	V sign -s k.sec -x fifo f
bad "sign -x: a directory" 'sign: sub: is a directory' V sign -s k.sec -x sub f

bad "policy compile -o the secret key" 'vouch: policy: k\.sec: is the secret key' \
	V policy compile policy.txt -s k.sec -o k.sec
bad "policy compile -o the policy" 'policy: policy\.txt: is the policy' \
	V policy compile policy.txt -s k.sec -o policy.txt
bad "policy compile -o the policy spelt otherwise" 'policy: sub/\.\./policy\.txt: is the policy' \
	V policy compile policy.txt -s k.sec -o sub/../policy.txt
bad "policy compile -o a manifest of the policy" 'policy: app\.manifest: is a manifest' \
	V policy compile policy.txt -s k.sec -o app.manifest
bad "policy compile -o a manifest's signature" \
	'policy: app\.manifest\.minisig: is the signature of a manifest' \
	V policy compile policy.txt -s k.sec -o app.manifest.minisig
bad "policy compile -o a FIFO" 'policy: fifo: is not a regular file' \
	V policy compile policy.txt -s k.sec -o fifo

bad "keygen -p X -s X" 'vouch: keygen: X: is the same file as the public key' \
	V keygen -W -p X -s X
bad "keygen -p X -s ./X" 'keygen: \./X: is the same file as the public key \(X\)' \
	V keygen -W -p X -s ./X
bad "keygen -p sub/../X -s X" 'keygen: X: is the same file as the public key \(sub/\.\./X\)' \
	V keygen -W -p sub/../X -s X
cp k.pub a.pub && ln a.pub b.pub
bad "keygen -f: -p and -s hard links of one file" 'keygen: b\.pub: is the same file as' \
	V keygen -W -f -p a.pub -s b.pub
bad "keygen -f: -s a FIFO" 'keygen: fifo: is not a regular file' V keygen -W -f -p n.pub -s fifo

bad "manifest create -o the PATH listed" 'vouch: manifest: true: is a PATH being listed' \
	V manifest create -o true true
bad "manifest create -o a file the manifest lists" \
	'manifest: tree/bin/true: is a code file the manifest lists' \
	V manifest create -o tree/bin/true tree
bad "manifest create -o a FIFO" 'manifest: fifo: is not a regular file' \
	V manifest create -o fifo tree
check "the program is intact" cmp -s tree/bin/true /bin/true
expect_rc "manifest create -o a new file inside the tree" 0 V manifest create -o tree/m tree
expect_rc "... and again over it (not code, not listed)" 0 V manifest create -o tree/m tree
rm tree/m

mkdir -p adm/info root/usr/bin
cp /bin/true root/usr/bin/true
echo "$(md5sum </bin/true | cut -c1-32)  /usr/bin/true" >adm/info/coreutils.md5sums
: >adm/diversions
: >adm/status
expect_rc "setup: from-dpkg" 0 V manifest from-dpkg -o dpkg.manifest --admindir adm --root root
cp -a adm root orig/
bad "from-dpkg -o an md5sums file" 'manifest: adm/info/coreutils\.md5sums: is a dpkg md5sums' \
	V manifest from-dpkg -o adm/info/coreutils.md5sums --admindir adm --root root
bad "from-dpkg -o the diversions file" "manifest: adm/diversions: is dpkg's diversions" \
	V manifest from-dpkg -o adm/diversions --admindir adm --root root
bad "from-dpkg -o the status file" "manifest: adm/status: is dpkg's status" \
	V manifest from-dpkg -o adm/status --admindir adm --root root
bad "from-dpkg -o a file the manifest lists" \
	'manifest: root/usr/bin/true: is a code file the manifest lists' \
	V manifest from-dpkg -o root/usr/bin/true --admindir adm --root root

# ---- 16: a FIFO, device or directory where a file is read ----------------------------
restore
bad "sign -s FIFO" 'vouch: sign: fifo: cannot read secret key: not a regular file' \
	V sign -s fifo f
bad "sign -s /dev/null" 'sign: /dev/null: cannot read secret key: not a regular file' \
	V sign -s /dev/null f
bad "sign -s a directory" 'sign: sub: cannot read secret key: Is a directory' V sign -s sub f
bad "sign a FIFO" 'sign: fifo: cannot open: not a regular file' V sign -s k.sec fifo
bad "verify -p FIFO" 'verify: fifo: cannot read public key: not a regular file' \
	V verify -p fifo f
bad "verify -x FIFO" 'verify: .*fifo: not a regular file' V verify -p k.pub -x fifo f
bad "verify -x /dev/null" 'verify: .*/dev/null: not a regular file' \
	V verify -p k.pub -x /dev/null f
bad "verify a FIFO" 'verify: fifo: cannot read: not a regular file' V verify -p k.pub -x f.minisig fifo
bad "policy compile FIFO" 'policy: fifo: .*not a regular file' \
	V policy compile fifo -s k.sec -o n.bundle
bad "policy compile /dev/null" 'policy: /dev/null: .*not a regular file' \
	V policy compile /dev/null -s k.sec -o n.bundle
bad "policy compile -s FIFO" 'policy: fifo: cannot read secret key: not a regular file' \
	V policy compile policy.txt -s fifo -o n.bundle
cat >fifo-manifest.txt <<EOF
mode enforce
signer rel $(key_line k.pub)
manifest fifo signer rel
EOF
bad "policy compile: the policy names a FIFO as manifest" \
	'manifest .*fifo: cannot read: not a regular file' \
	V policy compile fifo-manifest.txt -s k.sec -o n.bundle
cat >fifo-sig.txt <<EOF
mode enforce
signer rel $(key_line k.pub)
manifest app.manifest signer rel signature fifo
EOF
bad "policy compile: the policy names a FIFO as signature" \
	'cannot read its signature .*fifo: not a regular file' \
	V policy compile fifo-sig.txt -s k.sec -o n.bundle
bad "policy show FIFO" 'policy: fifo: cannot read policy bundle: not a regular file' \
	V policy show fifo
bad "policy show a directory" 'policy: sub: cannot read policy bundle: Is a directory' \
	V policy show sub
bad "policy verify -p FIFO" 'policy: fifo: cannot read public key: not a regular file' \
	V policy verify -p fifo p.bundle
bad "policy verify FIFO" 'policy: fifo: cannot read policy bundle: not a regular file' \
	V policy verify -p k.pub fifo
bad "policy install FIFO" 'policy: fifo: cannot read policy bundle: not a regular file' \
	V policy install -p k.pub --state st fifo
bad "check --bundle FIFO" 'check: fifo: cannot read policy bundle: not a regular file' \
	V check --bundle fifo f
bad "check a FIFO" 'check: fifo: not a regular file' V check --bundle p.bundle fifo
bad "hash a FIFO" 'vouch: hash: fifo: not a regular file' V hash fifo
bad "hash a directory" 'hash: sub: Is a directory' V hash sub
expect_rc "hash /dev/null still hashes it (as sha256sum does)" 0 V hash /dev/null
run bash -c 'echo hi | timeout 10 "$1" hash -' _ "$VOUCH"
check "hash - still reads a pipe" test "$RC" -eq 0 -a -s "$OUT"

VK=$(python3 -c '
import base64, hashlib, sys
pk = base64.b64decode(open(sys.argv[1]).read().split("\n")[1])[10:]
name = b"careless.example/log"
kid = hashlib.sha256(name + b"\n\x01" + pk).digest()[:4]
print(name.decode() + "+" + kid.hex() + "+" + base64.b64encode(b"\x01" + pk).decode())' k.pub)
bad "log check-proof FIFO" 'log check-proof: fifo: not a regular file' \
	V log check-proof --key "$VK" fifo
bad "log check-proof /dev/null" 'log check-proof: /dev/null: not a regular file' \
	V log check-proof --key "$VK" /dev/null

mkfifo tree/bin/pipe
expect_rc "manifest create: a FIFO in the tree is passed over" 0 V manifest create -o m1 tree
check "... and the program listed" grep -q ' /.*/tree/bin/true$' m1
rm tree/bin/pipe m1
cp -a adm adm2 && mkfifo adm2/info/bad.md5sums
bad "from-dpkg: an md5sums FIFO" 'manifest: adm2/info/bad\.md5sums: not a regular file' \
	V manifest from-dpkg -o n.manifest --admindir adm2 --root root
rm adm2/info/bad.md5sums adm2/diversions && mkfifo adm2/diversions
bad "from-dpkg: a diversions FIFO" 'manifest: adm2/diversions: not a regular file' \
	V manifest from-dpkg -o n.manifest --admindir adm2 --root root

# ---- 17: policy install into a bad state path ---------------------------------------
restore
: >statefile
bad "install --state a file" '^vouch: policy: statefile: not a directory$' \
	V policy install -p k.pub --state statefile p.bundle
bad "install --state below a missing directory" \
	'^vouch: policy: nodir/st: cannot create the state directory: No such file' \
	V policy install -p k.pub --state nodir/st p.bundle
mkdir -p st1/trust.mdb
bad "install: trust.mdb is a directory" \
	'^vouch: policy: st1/trust\.mdb: is a directory; not replacing it$' \
	V policy install -p k.pub --state st1 p.bundle
mkdir -p st2/policy.bundle
bad "install: policy.bundle is a directory (the store is not replaced either)" \
	'^vouch: policy: st2/policy\.bundle: is a directory; not replacing it$' \
	V policy install -p k.pub --state st2 p.bundle
mkdir st3 && mkfifo st3/trust.mdb
bad "install: trust.mdb is a FIFO" \
	'^vouch: policy: st3/trust\.mdb: is not a regular file; not replacing it$' \
	V policy install -p k.pub --state st3 p.bundle
bad "check: a trust store that is a FIFO is refused, not waited on" \
	'^vouch: check: st3/trust\.mdb: cannot open the trust store: not a regular file$' \
	V check --state st3 f
bad "log verify: a --key that is a FIFO is refused, not waited on" \
	'^vouch: log verify: fifo: not a regular file$' \
	V log verify st1 --key fifo
mkdir st4 && echo junk >st4/trust.mdb
run V policy install -p k.pub --state st4 p.bundle
check "install over a corrupt store: done, with one warning" \
	test "$RC" -eq 0 -a "$(wc -l <"$ERR")" -eq 1
check "... that says it was replaced" grep -q 'st4/trust.mdb: warning: .*; replaced' "$ERR"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 0711 "$T" && chmod 0644 k.pub p.bundle
	mkdir st5 && V policy install -p k.pub --state st5 p.bundle >/dev/null
	bad "install as a user who cannot write the state directory" \
		"^vouch: policy: $T/st5: cannot install: Permission denied$" \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		timeout 10 "$VOUCH" policy install -p k.pub --state "$T/st5" --allow-rollback p.bundle
	chmod 0700 "$T"
fi

# ---- a run that fails writes no signature at all, not the first few ----------------
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 0711 "$T" && mkdir -m 0777 w && mkdir -m 0755 ro
	printf 'one\n' >w/one && printf 'two\n' >ro/two && cp k.sec w/k.sec
	chmod 0644 w/one ro/two w/k.sec
	bad "sign: one signature cannot be written, so none is" '^vouch: sign: .*ro/two\.minisig: ' \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		timeout 10 "$VOUCH" sign -s "$T/w/k.sec" "$T/w/one" "$T/ro/two"
	chmod 0700 "$T"
fi

left=$(find . -name '*.tmp-*' | wc -l)
check "no temporary files left" test "$left" -eq 0
done_testing
