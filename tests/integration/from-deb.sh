#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vouch manifest from-deb: real .debs from dpkg-deb in every compression, compared with create
# over the same tree as installed; a policy from it; crafted packages refused; a Debian package.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2

# Names here are bytes (one is not UTF-8): bash matches patterns byte by byte.
export LC_ALL=C
key_line() { sed -n 2p "$1"; }
no_file() { [ ! -e "$1" ] && ! compgen -G "$1.tmp-*" >/dev/null; }
json() {
	python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).read())
sys.exit(0 if eval(sys.argv[2]) else 1)
' "$OUT" "$1"
}

if ! command -v dpkg-deb >/dev/null || ! command -v python3 >/dev/null; then
	pass "from-deb # SKIP dpkg-deb or python3 missing (scripts/deps test)"
	done_testing
fi

# ---- a package tree: ELF, shared object, script, data, hard link, symlink, odd names -----
pkg=$T/pkg
long=$(printf 'd%.0s' $(seq 1 120))
mkdir -p "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/lib" "$pkg/usr/share/doc/vtest" "$pkg/opt/$long"
cp /bin/true "$pkg/usr/bin/vtrue"
libc=
for l in /lib/x86_64-linux-gnu/libz.so.1 /usr/lib/x86_64-linux-gnu/libz.so.1 \
	/lib/x86_64-linux-gnu/libc.so.6 /lib/aarch64-linux-gnu/libc.so.6; do
	if [ -e "$l" ]; then libc=$l; break; fi
done
cp -L "$libc" "$pkg/usr/lib/libvtest.so.1"
printf '#!/bin/sh\necho vtest\n' >"$pkg/usr/bin/vhello"
printf '#!/bin/sh\necho long\n' >"$pkg/opt/$long/run-me"
printf '#!/bin/sh\necho latin\n' >"$pkg/usr/bin/caf"$'\xe9'
printf '#!/bin/sh\necho spaced\n' >"$pkg/usr/bin/with space"
chmod 755 "$pkg/usr/bin/"* "$pkg/opt/$long/run-me"
echo "just text" >"$pkg/usr/share/doc/vtest/README"
ln "$pkg/usr/bin/vtrue" "$pkg/usr/bin/vtrue-again"
ln -s vtrue "$pkg/usr/bin/vtrue-link"
cat >"$pkg/DEBIAN/control" <<EOF
Package: vtest
Version: 1.0
Architecture: all
Maintainer: vouch tests <tests@example.org>
Description: a package for vouch's tests
EOF
printf '#!/bin/sh\nexit 0\n' >"$pkg/DEBIAN/postinst"
printf '#!/bin/sh\nexit 0\n# prerm\n' >"$pkg/DEBIAN/prerm"
chmod 755 "$pkg/DEBIAN/postinst" "$pkg/DEBIAN/prerm"

# The same tree laid out as dpkg installs it: data where it goes, scripts in dpkg's info dir.
inst=$T/inst
mkdir -p "$inst/var/lib/dpkg/info"
cp -a "$pkg/." "$inst/"
rm -rf "$inst/DEBIAN"
cp "$pkg/DEBIAN/postinst" "$inst/var/lib/dpkg/info/vtest.postinst"
cp "$pkg/DEBIAN/prerm" "$inst/var/lib/dpkg/info/vtest.prerm"
expect_rc "create over the installed layout" 0 "$VOUCH" manifest create -o want --base "$inst" "$inst"
check "the installed layout lists 9 code files" test "$(wc -l <want)" -eq 9

for z in xz gzip zstd none; do
	if ! dpkg-deb --root-owner-group -Z"$z" --build "$pkg" "vtest-$z.deb" >/dev/null 2>"$ERR"; then
		fail "dpkg-deb -Z$z builds the package"
		continue
	fi
	expect_rc "from-deb of a -Z$z package" 0 "$VOUCH" manifest from-deb -o "m-$z" "vtest-$z.deb"
	check "from-deb -Z$z equals create over the installed tree, byte for byte" cmp -s want "m-$z"
done
check "the hard link is listed under both names" \
	test "$(grep -c ' /usr/bin/vtrue' m-xz)" -eq 2
check "the symbolic link is not listed" sh -c '! grep -q vtrue-link m-xz'
check "the long name (GNU 'L' entry) is listed" grep -q "/opt/$long/run-me\$" m-xz
check "the maintainer scripts are listed in dpkg's info directory" \
	grep -q ' /var/lib/dpkg/info/vtest.postinst$' m-xz
check "a name that is not UTF-8 is listed with its bytes" grep -q $'/usr/bin/caf\xe9$' m-xz

expect_rc "from-deb --json" 0 "$VOUCH" manifest from-deb -o mj --json vtest-xz.deb
check "--json counts" json 'o["packages"] == 1 and o["files"] == 9 and o["elf"] == 3 and o["scripts"] == 6 and o["maintainer_scripts"] == 2'
expect_rc "from-deb -v" 0 "$VOUCH" manifest from-deb -o mv -v vtest-xz.deb
check "-v: one summary line naming the package" grep -q "vtest-xz.deb: package vtest: 9 code files" "$ERR"
expect_rc "from-deb of two packages" 0 "$VOUCH" manifest from-deb -o m2 vtest-xz.deb vtest-gzip.deb
check "two packages with the same files: one sorted manifest" cmp -s want m2

# ---- the manifest vouches, through a signed policy, for exactly those files --------------
"$VOUCH" keygen -W -p owner.pub -s owner.sec >/dev/null
expect_rc "sign the from-deb manifest" 0 "$VOUCH" sign -s owner.sec m-xz
cat >policy.txt <<EOF
mode enforce
signer owner $(key_line owner.pub)
manifest m-xz signer owner
EOF
expect_rc "policy compile accepts it" 0 "$VOUCH" policy compile policy.txt -s owner.sec -o p.bundle
allowed=0 want_n=0
while IFS= read -r line; do
	want_n=$((want_n + 1))
	"$VOUCH" check --bundle p.bundle "$inst${line#* * }" >/dev/null 2>&1 && allowed=$((allowed + 1))
done <m-xz
check "check allows every code file of the package as installed ($allowed of $want_n)" \
	test "$allowed" -eq "$want_n" -a "$want_n" -eq 9
expect_rc "check allows the hard link's second name" 0 "$VOUCH" check --bundle p.bundle "$inst/usr/bin/vtrue-again"
cp /bin/ls notinpkg
expect_rc "check denies a program the package does not hold" 1 "$VOUCH" check --bundle p.bundle notinpkg
printf '#!/bin/sh\necho vtest changed\n' >changed
expect_rc "check denies a changed script" 1 "$VOUCH" check --bundle p.bundle changed

# ---- crafted packages: each refused in one line naming the file, exit 2, nothing written ----
mkdir crafted
python3 "$VOUCH_SRC/tests/integration/debcraft.py" crafted /bin/true
expect_rc "the crafted control package is accepted" 0 "$VOUCH" manifest from-deb -o c.m crafted/good.deb
check "it lists its two code files" test "$(wc -l <c.m)" -eq 2
expect_rc "a .deb inside a package is a file like any other" 0 \
	"$VOUCH" manifest from-deb -o c2.m crafted/nested-deb.deb
expect_rc "a name not UTF-8 is accepted" 0 "$VOUCH" manifest from-deb -o c3.m crafted/latin1.deb
check "and listed with its bytes" grep -q $' /usr/bin/caf\xe9$' c3.m
refuse() { # refuse CASE REGEX
	local before
	before=$(snap)
	expect_err "refused: $1" 2 "^vouch: manifest: crafted/$1\\.deb: .*$2" \
		"$VOUCH" manifest from-deb -o bad.m "crafted/$1.deb"
	check "refused $1: no output, nothing changed" sh -c \
		'[ ! -e bad.m ] && ! ls bad.m.tmp-* >/dev/null 2>&1' && [ "$before" = "$(snap)" ]
}
refuse dotdot 'data.tar.xz: a name with a "\.\." component: \./usr/bin/\.\./\.\./etc/evil'
refuse absolute 'an absolute name: /etc/evil'
refuse duplicate 'a name that appears twice'
refuse duplicate-spelling 'a name that appears twice'
refuse empty-component 'an empty or "\." component'
refuse file-slash "ending in '/' that is not a directory"
refuse longname-nul 'long name not ended by its one NUL'
refuse longname-dangling 'long name that no entry follows'
refuse pax 'POSIX extended header'
refuse sparse 'sparse file'
refuse dir-with-size 'not a regular file but has a size'
refuse symlink-with-size 'not a regular file but has a size'
refuse hardlink-nothing 'hard link to a name that is not an earlier file'
refuse tar-truncated 'cut short'
refuse tar-no-end 'cut short'
refuse after-end 'data after the end of the archive'
refuse bad-checksum 'checksum is wrong'
refuse tar-huge 'larger than vouch reads'
refuse ar-truncated 'truncated'
refuse ar-huge 'larger than vouch reads'
refuse ar-odd-size 'truncated'
refuse nested 'data.tar.xz: a tar header whose checksum is wrong'
refuse two-streams 'bytes after the end of the compressed stream'
refuse wrong-order 'data member comes before the control member'
refuse no-binary 'not a Debian binary package'
refuse no-data 'no data member'
refuse version3 'not format version "2.0"'
refuse unknown-member 'not part of a Debian package: evil.tar'
refuse not-ar 'not an ar archive'
refuse lzma-data 'compressed in a way vouch does not read'
refuse no-package 'no Package field'
refuse control-subdir 'something other than files at its top'
expect_rc "one refused package among good ones: nothing written" 2 \
	"$VOUCH" manifest from-deb -o bad.m crafted/good.deb crafted/dotdot.deb
check "no output after a refusal among several" no_file bad.m
expect_err "a missing package" 2 "nope.deb: No such file" "$VOUCH" manifest from-deb -o bad.m nope.deb
expect_err "a directory is not a package" 2 "crafted: " "$VOUCH" manifest from-deb -o bad.m crafted
expect_err "no package given" 2 "no PKG.deb" "$VOUCH" manifest from-deb -o bad.m
expect_err "no -o" 2 "-o OUT is required" "$VOUCH" manifest from-deb crafted/good.deb
cp crafted/good.deb good.copy
expect_err "OUT is the package" 2 "crafted/good.deb" "$VOUCH" manifest from-deb -o crafted/good.deb crafted/good.deb
check "the package is untouched" cmp -s crafted/good.deb good.copy

# ---- a real Debian package: from apt's cache, or downloaded; compared with dpkg-deb -x/-e ----
real=
for d in /var/cache/apt/archives/*.deb; do
	[ -f "$d" ] && [ "$(stat -c %s "$d")" -lt 20000000 ] && { real=$d; break; }
done
if [ -z "$real" ] && timeout -s KILL 60 apt-get download -q hello >/dev/null 2>&1; then
	real=$(ls "$T"/hello_*.deb 2>/dev/null | head -n 1)
fi
if [ -z "$real" ]; then
	pass "a real Debian package # SKIP none in /var/cache/apt/archives and apt-get download failed"
else
	rp=$(dpkg-deb -f "$real" Package)
	mkdir -p real/var/lib/dpkg/info ctl
	dpkg-deb -x "$real" real && dpkg-deb -e "$real" ctl
	for f in ctl/*; do
		[ "$(basename "$f")" = control ] || cp "$f" "real/var/lib/dpkg/info/$rp.$(basename "$f")"
	done
	"$VOUCH" manifest create -o real.want --base real real 2>/dev/null
	expect_rc "from-deb of the Debian package $(basename "$real")" 0 "$VOUCH" manifest from-deb -o real.m "$real"
	check "it equals create over dpkg-deb's extraction of it" cmp -s real.want real.m
fi
done_testing
