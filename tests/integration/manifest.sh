#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vouch manifest: create over a scratch tree and from-dpkg over a fake dpkg database and the real one.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2

# esc PATH: PATH escaped as a manifest line carries it (as sha256sum escapes names).
esc() {
	local p=$1
	p=${p//\\/\\\\}
	p=${p//$'\n'/\\n}
	p=${p//$'\r'/\\r}
	printf '%s' "$p"
}
# line FILE [RECORDED]: the manifest line for FILE (recorded as RECORDED, default FILE),
# from sha256sum and stat, independently of vouch.
line() {
	printf '%s %s %s\n' "$(sha256sum <"$1" | cut -c1-64)" "$(stat -c %s -- "$1")" \
		"$(esc "${2:-$1}")"
}
hash_of() { sha256sum <"$1" | cut -c1-64; }
absent() { ! grep -qF -- "$1" "$2"; }
lines() { [ "$(wc -l <"$2")" -eq "$1" ]; }
sorted_like_sort() { LC_ALL=C sort "$1" | cmp -s - "$1"; }
no_file() { [ ! -e "$1" ] && ! compgen -G "$1.tmp-*" >/dev/null; }
# json EXPR: $OUT is one JSON object o for which the python expression EXPR holds.
json() {
	if ! command -v python3 >/dev/null 2>&1; then
		grep -qE '^\{.*\}$' "$OUT"
		return
	fi
	python3 -c '
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
assert text.endswith("\n") and text.count("\n") == 1
o = json.loads(text)
sys.exit(0 if eval(sys.argv[2]) else 1)
' "$OUT" "$1"
}

# ---- a scratch tree with code and non-code files -------------------------------------
tree=$T/tree
mkdir -p "$tree/bin" "$tree/lib/deep/er" "$tree/empty-dir"
cp /bin/true "$tree/bin/true"
libc=
for l in /lib/x86_64-linux-gnu/libc.so.6 /usr/lib/x86_64-linux-gnu/libc.so.6 /lib64/libc.so.6 \
	/usr/lib/libc.so.6 /lib/aarch64-linux-gnu/libc.so.6; do
	if [ -e "$l" ]; then libc=$l; break; fi
done
# A copy, not a link: links are never followed, so a link would not be listed.
[ -n "$libc" ] && cp -L "$libc" "$tree/lib/deep/er/libc.so.6"
printf '#!/bin/sh\necho hello\n' >"$tree/bin/hello"
printf '#!/bin/sh\necho spaced\n' >"$tree/bin/with space"
printf '#!/bin/sh\necho newline\n' >"$tree/bin/new"$'\n'"line"
printf '#!/bin/sh\necho backslash\n' >"$tree/bin/back\\slash"
echo "just text" >"$tree/readme.txt"
printf '#' >"$tree/hash-only"
printf '#\n!/bin/sh\n' >"$tree/not-a-shebang"
: >"$tree/empty"
ln -s true "$tree/bin/link-to-true"
ln -s /bin/true "$tree/bin/abs-link"
skipped=7 # readme, hash-only, not-a-shebang, empty, two links, and the FIFO or .o below
if mkfifo "$tree/fifo" 2>/dev/null; then :; else skipped=$((skipped - 1)); fi
if command -v gcc >/dev/null 2>&1 &&
	echo 'int f(void) { return 1; }' >"$T/obj.c" && gcc -c -o "$tree/lib/obj.o" "$T/obj.c"; then
	skipped=$((skipped + 1))
	check "gcc made a relocatable object" test -s "$tree/lib/obj.o"
fi

{
	line "$tree/bin/true"
	[ -n "$libc" ] && line "$tree/lib/deep/er/libc.so.6"
	line "$tree/bin/hello"
	line "$tree/bin/with space"
	line "$tree/bin/new"$'\n'"line"
	line "$tree/bin/back\\slash"
} | LC_ALL=C sort >want
ncode=$(wc -l <want)

expect_rc "create over a tree" 0 "$VOUCH" manifest create -o m "$tree"
check "create: nothing on stdout without --json" test ! -s "$OUT"
check "create: nothing on stderr without -v" test ! -s "$ERR"
check "create: exactly the code files, with sha256sum's hashes and stat's sizes" cmp m want
check "create: lines in LC_ALL=C sort order" sorted_like_sort m
check "create: ELF executable listed by its hash" grep -q "^$(hash_of "$tree/bin/true") " m
if [ -n "$libc" ]; then
	check "create: shared library listed" grep -q " $tree/lib/deep/er/libc.so.6\$" m
fi
check "create: relocatable .o not listed" absent obj.o m
check "create: text file not listed" absent readme.txt m
check "create: '#' alone is not a script" absent hash-only m
check "create: symlinks not listed" absent link m
check "create: newline in a name escaped as \\n" grep -qF 'bin/new\nline' m
check "create: backslash in a name escaped as \\\\" grep -qF 'bin/back\\slash' m
check "create: space in a name kept" grep -qF 'bin/with space' m
check "create: manifest mode 0644" test "$(stat -c %a m)" = 644

expect_rc "create --json" 0 "$VOUCH" manifest create --json -o mj "$tree"
check "create --json: the counts" json \
	"o == {'files': $ncode, 'elf': $(grep -c -e /true -e libc m), 'scripts': 4, \
'skipped': $skipped, 'bytes': $(awk '{s += $2} END {print s}' m)}"
check "create --json: same manifest" cmp m mj
expect_rc "create -v" 0 "$VOUCH" manifest create -v -o mv "$tree"
check "create -v: a one-line summary on stderr" lines 1 "$ERR"
check "create -v: summary counts the files" grep -q "^vouch: manifest: mv: $ncode code files" "$ERR"
check "create -v: nothing on stdout" test ! -s "$OUT"

# The same files named in other ways give the same manifest.
expect_rc "create with a relative, unnormal PATH" 0 \
	"$VOUCH" manifest create -o mr ./tree/../tree//bin/ tree/lib
check "create: relative PATHs recorded absolute and normal" cmp mr m
expect_rc "create with overlapping PATHs" 0 "$VOUCH" manifest create -o mo "$tree" "$tree/bin"
check "create: overlapping PATHs list each file once" cmp mo m

# ---- --base --------------------------------------------------------------------------
{
	line "$tree/bin/true" /bin/true
	line "$tree/bin/hello" /bin/hello
	line "$tree/bin/with space" "/bin/with space"
	line "$tree/bin/new"$'\n'"line" "/bin/new"$'\n'"line"
	line "$tree/bin/back\\slash" "/bin/back\\slash"
} | LC_ALL=C sort >want-base
expect_rc "create --base" 0 "$VOUCH" manifest create -o mb --base "$tree" "$tree/bin"
check "create --base: paths relative to the base, with a leading /" cmp mb want-base
expect_rc "create --base with relative names" 0 "$VOUCH" manifest create -o mb2 --base . tree/bin
sed 's| /bin/| /tree/bin/|' want-base >want-base2
check "create --base .: paths below the base" cmp mb2 want-base2
expect_rc "create --base DIR DIR" 0 "$VOUCH" manifest create -o mb3 --base "$tree/" "$tree"
check "create --base DIR DIR: every path /-rooted" bash -c '! grep -v " /bin/\| /lib/" "$1"' _ mb3
check "create --base DIR DIR: as many files" lines "$ncode" mb3
# An absolute link in a staging tree resolves inside the tree, not on this machine.
mkdir -p "$T/stage/usr/bin" && ln -s /usr/bin "$T/stage/bin"
printf '#!/bin/sh\necho staged\n' >"$T/stage/usr/bin/staged"
expect_rc "create --base through an absolute link in the tree" 0 \
	"$VOUCH" manifest create -o ms --base "$T/stage" "$T/stage/bin/staged"
check "create --base: link resolved inside the base" cmp ms <(line "$T/stage/usr/bin/staged" /bin/staged)
expect_err "create --base: PATH outside the base" 2 "^vouch: manifest: /etc: not under" \
	"$VOUCH" manifest create -o nb --base "$tree" /etc
check "create --base: outside: nothing written" no_file nb
expect_err "create --base: a sibling with the base as prefix is outside" 2 "tree2: not under" \
	"$VOUCH" manifest create -o nb --base "$tree" "${tree}2"
expect_err "create --base: missing base" 2 "^vouch: manifest: nobase: No such file" \
	"$VOUCH" manifest create -o nb --base nobase tree

# ---- a changed file gets a new hash ---------------------------------------------------
mkdir "$T/copy" && cp /bin/true "$T/copy/prog"
expect_rc "create over a copy" 0 "$VOUCH" manifest create -o mc1 "$T/copy"
printf 'x' >>"$T/copy/prog"
expect_rc "create after modifying it" 0 "$VOUCH" manifest create -o mc2 "$T/copy"
check "modified copy: the hash changed" bash -c '[ "$(cut -c1-64 "$1")" != "$(cut -c1-64 "$2")" ]' \
	_ mc1 mc2
check "modified copy: the new hash is sha256sum's" cmp mc2 <(line "$T/copy/prog")

# ---- errors ----------------------------------------------------------------------------
cp m m.before
expect_err "create: nonexistent PATH" 2 "^vouch: manifest: nope: No such file or directory$" \
	"$VOUCH" manifest create -o never "$tree" nope
check "nonexistent PATH: no manifest written" no_file never
expect_err "create: nonexistent PATH over an existing OUT" 2 "nope" \
	"$VOUCH" manifest create -o m "$tree" nope
check "nonexistent PATH: existing OUT unchanged" cmp m m.before
if [ "$(id -u)" -ne 0 ]; then
	mkdir -p "$T/locked/in" && cp /bin/true "$T/locked/in/x" && chmod 000 "$T/locked/in"
	expect_err "create: unreadable directory" 2 "^vouch: manifest: $T/locked/in: Permission denied$" \
		"$VOUCH" manifest create -o never "$T/locked"
	chmod 755 "$T/locked/in"
fi
expect_err "create: a symlink PATH is reported and skipped" 0 \
	"^vouch: manifest: tree/bin/link-to-true: not a regular file" \
	"$VOUCH" manifest create -o ml tree/bin/link-to-true tree/bin/hello
check "symlink PATH: not listed, the rest is" cmp ml <(line "$tree/bin/hello")
expect_err "create: name with a newline printed on one line" 2 'nl\\x0amissing: No such file' \
	"$VOUCH" manifest create -o never "nl"$'\n'"missing"
expect_err "create: no -o" 2 "-o OUT is required" "$VOUCH" manifest create "$tree"
expect_err "create: no PATH" 2 "no PATH" "$VOUCH" manifest create -o never
expect_err "create: unknown option" 2 "unknown option '--frob'" \
	"$VOUCH" manifest create --frob -o never "$tree"
expect_err "manifest: no subcommand" 2 "^vouch: manifest: no subcommand" "$VOUCH" manifest
expect_err "manifest: unknown subcommand" 2 "unknown subcommand 'frob'" "$VOUCH" manifest frob
check "no manifest left by failed runs" no_file never
for sub in "" create from-dpkg; do
	# shellcheck disable=SC2086
	expect_rc "manifest $sub --help" 0 "$VOUCH" manifest $sub --help
	check "manifest $sub --help prints Usage" grep -q "^Usage: vouch manifest" "$OUT"
done

# ---- signing a manifest ----------------------------------------------------------------
expect_rc "keygen for signing" 0 "$VOUCH" keygen -W -p k.pub -s k.key
expect_rc "sign the manifest" 0 "$VOUCH" sign -s k.key m
expect_rc "the signed manifest verifies" 0 "$VOUCH" verify -q -p k.pub m
printf 'x' >>m
expect_rc "a changed manifest does not verify" 1 "$VOUCH" verify -q -p k.pub m

# ---- from-dpkg over a fake database ------------------------------------------------------
R=$T/root A=$T/admin
mkdir -p "$R/usr/bin" "$R/usr/share/doc/fake" "$A/info"
ln -s /usr/bin "$R/bin" # merged /usr, by an absolute link: must resolve inside --root
cp /bin/true "$R/usr/bin/tool"
printf '#!/bin/sh\necho script\n' >"$R/usr/bin/script"
echo "documentation" >"$R/usr/share/doc/fake/README"
cp /bin/true "$R/usr/bin/changed"
cp /bin/true "$R/usr/bin/gone"
printf '#!/bin/sh\necho via bin\n' >"$R/usr/bin/viabin"
printf '#!/bin/sh\necho diverted\n' >"$R/usr/bin/div.distrib"
printf '#!/bin/sh\necho mine\n' >"$R/usr/bin/mine"
{
	(cd "$R" && md5sum usr/bin/tool usr/bin/script usr/share/doc/fake/README usr/bin/changed \
		usr/bin/gone)
	# Listed under /bin, which is a link to /usr/bin: resolved inside --root.
	(cd "$R" && md5sum usr/bin/viabin) | sed 's|usr/bin/viabin$|bin/viabin|'
	(cd "$R" && md5sum usr/bin/mine)
	# Installed as usr/bin/div, diverted away by another package.
	(cd "$R" && md5sum usr/bin/div.distrib) | sed 's|usr/bin/div.distrib$|usr/bin/div|'
} >"$A/info/fake:amd64.md5sums"
(cd "$R" && md5sum usr/bin/tool) | sed 's|usr/bin/tool$|usr/bin/tool2|' >"$A/info/other.md5sums"
cp /bin/true "$R/usr/bin/tool2"
printf '/usr/bin/div\n/usr/bin/div.distrib\nother\n/usr/bin/mine\n/usr/bin/mine.orig\nfake\n' \
	>"$A/diversions"
# Changed after installation: a code file (reported) and a text file (not code: not hashed).
printf 'tampered' >>"$R/usr/bin/changed"
echo "edited" >>"$R/usr/share/doc/fake/README"
rm "$R/usr/bin/gone"
{
	line "$R/usr/bin/tool" /usr/bin/tool
	line "$R/usr/bin/tool2" /usr/bin/tool2
	line "$R/usr/bin/script" /usr/bin/script
	line "$R/usr/bin/viabin" /bin/viabin
	line "$R/usr/bin/div.distrib" /usr/bin/div.distrib
	line "$R/usr/bin/mine" /usr/bin/mine
} | LC_ALL=C sort >want-dpkg

expect_rc "from-dpkg over a fake database" 0 \
	"$VOUCH" manifest from-dpkg -o dm --admindir "$A" --root "$R" --json
check "from-dpkg: exactly the unchanged code files" cmp dm want-dpkg
check "from-dpkg: changed and missing files reported, one line each" lines 2 "$ERR"
check "from-dpkg: changed code file reported" grep -qx \
	'vouch: manifest: /usr/bin/changed: changed since installation (package fake:amd64): left out' \
	"$ERR"
check "from-dpkg: missing file reported" grep -qx \
	'vouch: manifest: /usr/bin/gone: missing (package fake:amd64): left out' "$ERR"
check "from-dpkg: changed file left out" absent /usr/bin/changed dm
check "from-dpkg: non-code file not listed" absent README dm
check "from-dpkg: absolute link resolved inside --root" grep -q " /bin/viabin\$" dm
check "from-dpkg: diverted file recorded at its new name" grep -q " /usr/bin/div.distrib\$" dm
check "from-dpkg: the diverting package's own file stays" grep -q " /usr/bin/mine\$" dm
check "from-dpkg --json: the counts" json \
	"o == {'packages': 2, 'listed': 9, 'conffiles': 0, 'maintscripts': 0, 'files': 6, 'elf': 2, 'scripts': 4, 'skipped': 1, \
'diverted': 1, 'changed': 1, 'missing': 1, 'unreadable': 0, 'bytes': $(awk '{s += $2} END {print s}' dm)}"

# Maintainer scripts (an upgrade runs the installed version's prerm and postrm): listed from
# the admindir's info/ when it is below --root, at their path there, hashed as found.
R2=$T/root2
mkdir -p "$R2/usr/bin" "$R2/var/lib/dpkg/info"
cp /bin/true "$R2/usr/bin/tool"
(cd "$R2" && md5sum usr/bin/tool) >"$R2/var/lib/dpkg/info/pkg.md5sums"
for s in preinst postinst prerm postrm config; do
	printf '#!/bin/sh\necho %s\n' "$s" >"$R2/var/lib/dpkg/info/pkg.$s"
done
printf '#!/bin/sh\necho arch\n' >"$R2/var/lib/dpkg/info/lib:amd64.postinst"
echo "/usr/bin/tool" >"$R2/var/lib/dpkg/info/pkg.list"
printf '#!/bin/sh\necho not run by dpkg\n' >"$R2/var/lib/dpkg/info/pkg.triggers-not"
printf 'not code\n' >"$R2/var/lib/dpkg/info/pkg.templates"
{
	line "$R2/usr/bin/tool" /usr/bin/tool
	for s in preinst postinst prerm postrm config; do
		line "$R2/var/lib/dpkg/info/pkg.$s" "/var/lib/dpkg/info/pkg.$s"
	done
	line "$R2/var/lib/dpkg/info/lib:amd64.postinst" "/var/lib/dpkg/info/lib:amd64.postinst"
} | LC_ALL=C sort >want-scripts
expect_rc "from-dpkg: an admindir below --root" 0 \
	"$VOUCH" manifest from-dpkg -o dms --admindir "$R2/var/lib/dpkg" --root "$R2" --json
check "from-dpkg: the maintainer scripts are listed beside the files, nothing else of info/" \
	cmp dms want-scripts
check "from-dpkg --json: six maintainer scripts, one listed file" \
	json "o['maintscripts'] == 6 and o['listed'] == 1 and o['files'] == 7"
printf '#!/bin/sh\necho changed\n' >"$R2/var/lib/dpkg/info/pkg.prerm"
expect_rc "from-dpkg: a maintainer script is hashed as found (dpkg keeps no MD5 of it)" 0 \
	"$VOUCH" manifest from-dpkg -o dms2 --admindir "$R2/var/lib/dpkg" --root "$R2"
check "from-dpkg: so its new hash is listed" \
	grep -qx "$(line "$R2/var/lib/dpkg/info/pkg.prerm" /var/lib/dpkg/info/pkg.prerm)" dms2
expect_rc "from-dpkg: an admindir outside --root lists no maintainer scripts" 0 \
	"$VOUCH" manifest from-dpkg -o dms3 --admindir "$R2/var/lib/dpkg" --root "$R"
check "from-dpkg: (none listed)" bash -c "! grep -q /info/ dms3"
expect_rc "from-dpkg -v" 0 "$VOUCH" manifest from-dpkg -v -o dm2 --admindir "$A" --root "$R"
check "from-dpkg -v: summary after the reports" grep -q "^vouch: manifest: dm2: 2 packages list 9 files; 6 code" "$ERR"
check "from-dpkg -v: says how many changed" grep -q "left out: 1 changed, 1 missing" "$ERR"
check "from-dpkg: same manifest every run" cmp dm dm2

printf '%s  usr/bin/tool\nnot an md5 line\n' "$(md5sum <"$R/usr/bin/tool" | cut -c1-32)" \
	>"$A/info/broken.md5sums"
expect_err "from-dpkg: malformed md5sums line" 2 \
	"^vouch: manifest: $A/info/broken.md5sums: line 2: malformed line$" \
	"$VOUCH" manifest from-dpkg -o never --admindir "$A" --root "$R"
check "malformed md5sums: nothing written" no_file never
rm "$A/info/broken.md5sums"

# Conffiles, from the status file: only an installed package's current ones.
mkdir -p "$R/etc/init.d" "$R/etc/cron.daily"
printf '#!/bin/sh\necho init\n' >"$R/etc/init.d/fake"
printf '#!/bin/sh\necho edited\n' >"$R/etc/init.d/edited"
printf '#!/bin/sh\necho old\n' >"$R/etc/cron.daily/old"
printf '#!/bin/sh\necho gone\n' >"$R/etc/init.d/gone"
printf '#!/bin/sh\necho spaced\n' >"$R/etc/init.d/with space"
echo "setting=1" >"$R/etc/fake.conf"
md5() { md5sum <"$R/$1" | cut -c1-32; }
cat >"$A/status" <<EOF
Package: fake
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Description: a package
 whose description goes on
 .
 over several lines
Conffiles:
 /etc/init.d/fake $(md5 etc/init.d/fake)
 /etc/fake.conf $(md5 etc/fake.conf)
 /etc/init.d/edited $(md5 etc/init.d/edited)
 /etc/cron.daily/old $(md5 etc/cron.daily/old) obsolete
 /etc/init.d/with space $(md5 "etc/init.d/with space")
 /etc/new newconffile

Package: gone
status: deinstall ok config-files
Conffiles:
 /etc/init.d/gone $(md5 etc/init.d/gone)

Package: other
Status: install ok installed
Version: 1.0

EOF
printf '# edited\n' >>"$R/etc/init.d/edited"
expect_rc "from-dpkg with a status file" 0 \
	"$VOUCH" manifest from-dpkg -o dc --admindir "$A" --root "$R" --json
check "conffiles: an installed package's script listed" \
	grep -qx "$(line "$R/etc/init.d/fake" /etc/init.d/fake)" dc
check "conffiles: a path with a space" grep -q " /etc/init.d/with space\$" dc
check "conffiles: not code, not listed" absent /etc/fake.conf dc
check "conffiles: obsolete ones not listed" absent /etc/cron.daily/old dc
check "conffiles: a removed package's not listed" absent /etc/init.d/gone dc
check "conffiles: an edited one left out" absent /etc/init.d/edited dc
check "conffiles: an edited one reported, with the package as its info files name it" grep -qx \
	'vouch: manifest: /etc/init.d/edited: changed since installation (package fake:amd64): left out' \
	"$ERR"
check "conffiles: the md5sums files' code still listed" grep -q " /usr/bin/tool\$" dc
check "conffiles: counted" json "o['conffiles'] == 4 and o['files'] == 8 and o['changed'] == 2"
cp "$A/status" "$T/status.good"
sed 's/^Status: install ok installed$/Status: install ok bogus/' "$T/status.good" >"$A/status"
expect_err "from-dpkg: malformed status line" 2 \
	"^vouch: manifest: $A/status: line 2: malformed line$" \
	"$VOUCH" manifest from-dpkg -o never --admindir "$A" --root "$R"
{
	cat "$T/status.good"
	printf 'Package: dup\nStatus: install ok installed\nStatus: purge ok not-installed\n'
} >"$A/status"
expect_err "from-dpkg: a field given twice" 2 \
	"^vouch: manifest: $A/status: line 28: malformed line$" \
	"$VOUCH" manifest from-dpkg -o never --admindir "$A" --root "$R"
sed 's|^ /etc/new newconffile$| /etc/new 123|' "$T/status.good" >"$A/status"
expect_err "from-dpkg: malformed conffile line" 2 \
	"^vouch: manifest: $A/status: line 15: malformed line$" \
	"$VOUCH" manifest from-dpkg -o never --admindir "$A" --root "$R"
check "malformed status: nothing written" no_file never
rm "$A/status"
printf '/usr/bin/a\n/usr/bin/b\n' >"$A/diversions"
expect_err "from-dpkg: diversions not in triples" 2 "^vouch: manifest: $A/diversions: line 3: " \
	"$VOUCH" manifest from-dpkg -o never --admindir "$A" --root "$R"
expect_err "from-dpkg: missing admindir" 2 "^vouch: manifest: $T/noadmin/info: No such file" \
	"$VOUCH" manifest from-dpkg -o never --admindir "$T/noadmin" --root "$R"
expect_err "from-dpkg: missing root" 2 "^vouch: manifest: $T/noroot: No such file" \
	"$VOUCH" manifest from-dpkg -o never --admindir "$A" --root "$T/noroot"
expect_err "from-dpkg: no -o" 2 "-o OUT is required" "$VOUCH" manifest from-dpkg
expect_err "from-dpkg: stray argument" 2 "unexpected argument 'x'" \
	"$VOUCH" manifest from-dpkg -o never x
check "from-dpkg: no manifest left by failed runs" no_file never

# ---- from-dpkg over this machine, bounded -----------------------------------------------
if [ -d /var/lib/dpkg/info ] && [ -e /usr/bin/ls ] && compgen -G '/var/lib/dpkg/info/*.md5sums' >/dev/null; then
	start=$(date +%s)
	run timeout 120 "$VOUCH" manifest from-dpkg -o sysm --json
	took=$(($(date +%s) - start))
	if [ "$RC" -eq 0 ]; then pass "from-dpkg over this system in ${took}s"; else
		fail "from-dpkg over this system" "exit $RC after ${took}s"
	fi
	check "system manifest: /usr/bin/ls listed with sha256sum's hash" \
		grep -qE "^$(hash_of /usr/bin/ls) $(stat -c %s /usr/bin/ls) /(usr/)?bin/ls\$" sysm
	check "system manifest: lines in LC_ALL=C sort order" sorted_like_sort sysm
	check "system manifest: every report is one 'left out' line" \
		bash -c '! grep -v ": left out$" "$1"' _ "$ERR"
else
	pass "from-dpkg over this system # SKIP no dpkg database"
fi

done_testing
