#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vouch apt-check run by a real apt-get, with its own private state, from a local repository:
# a vouched-for upgrade reaches dpkg, an unvouched package is refused before dpkg is called.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
export LC_ALL=C

key_line() { sed -n 2p "$1"; }
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null ||
	! command -v dpkg-scanpackages >/dev/null; then
	pass "apt hook # SKIP needs root, apt-get, dpkg-deb and dpkg-scanpackages (scripts/deps test)"
	done_testing
fi

# ---- packages: vtest 2.0 (an upgrade of the installed 1.0) and vbad 1.0 (new) -------------
mkpkg() { # mkpkg NAME VERSION ELF: a package with an ELF program, a script and a postinst
	local b=$T/build-$1
	rm -rf "$b"
	mkdir -p "$b/DEBIAN" "$b/usr/bin" "$b/usr/share/doc/$1"
	cp "$3" "$b/usr/bin/$1-prog"
	printf '#!/bin/sh\necho %s %s\n' "$1" "$2" >"$b/usr/bin/$1"
	printf '#!/bin/sh\n# %s %s\nexit 0\n' "$1" "$2" >"$b/DEBIAN/postinst"
	chmod 755 "$b/usr/bin/$1" "$b/DEBIAN/postinst"
	echo "doc of $1" >"$b/usr/share/doc/$1/README"
	printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: %s\n' \
		"$1" "$2" "a test package" >"$b/DEBIAN/control"
	dpkg-deb --root-owner-group --build "$b" "$T/repo/${1}_${2}_all.deb" >/dev/null
}
mkdir -p repo
mkpkg vtest 2.0 /bin/true
mkpkg vbad 1.0 /bin/false
(cd repo && dpkg-scanpackages . /dev/null >Packages 2>/dev/null)
check "a local repository with two packages" test "$(grep -c '^Package:' repo/Packages)" -eq 2

# ---- apt with everything of its own: configuration, lists, cache, dpkg status, a fake dpkg ----
A=$T/apt
mkdir -p "$A/etc/apt.conf.d" "$A/etc/preferences.d" "$A/etc/sources.list.d" \
	"$A/state/lists/partial" "$A/cache/archives/partial" "$A/log" "$T/admin/updates" "$T/admin/info"
cat >"$T/admin/status" <<EOF
Package: vtest
Status: install ok installed
Version: 1.0
Architecture: all
Maintainer: t <t@example.org>
Description: a test package

EOF
echo "deb [trusted=yes] file:$T/repo ./" >"$A/etc/sources.list"
# dpkg as apt calls it: questions answered, every call recorded; it unpacks nothing.
cat >"$T/fake-dpkg" <<EOF
#!/bin/sh
echo "\$*" >>"$T/dpkg.log"
case "\$1" in
--print-foreign-architectures) exit 0 ;;
--print-architecture) echo amd64; exit 0 ;;
esac
exit 0
EOF
chmod 755 "$T/fake-dpkg"
# The hook as the Debian package installs it (dist/apt/50vouch), with this build's vouch.
sed "s|/usr/bin/vouch|$VOUCH|g" "$VOUCH_SRC/dist/apt/50vouch" >"$A/etc/apt.conf.d/50vouch"
cat >"$T/apt.conf" <<EOF
Dir::Etc "$A/etc";
Dir::Etc::main "/dev/null";
Dir::Etc::parts "$A/etc/apt.conf.d";
Dir::State "$A/state";
Dir::State::status "$T/admin/status";
Dir::Cache "$A/cache";
Dir::Log "$A/log";
Dir::Bin::dpkg "$T/fake-dpkg";
Debug::NoLocking "true";
APT::Sandbox::User "root";
// apt's own words to its hooks, kept to show the format vouch reads.
DPkg::Pre-Install-Pkgs:: "cat >$T/captured";
DPkg::Tools::Options::cat::Version "3";
EOF
export APT_CONFIG=$T/apt.conf VOUCH_STATE_DIR=$T/state
check "apt reads the hook from 50vouch" sh -c "apt-config dump | grep -qF 'DPkg::Tools::Options::$VOUCH::Version \"3\"'"
run timeout -s KILL 120 apt-get update -q
check "apt-get update from the local repository" test "$RC" -eq 0
# apt_install PKG...: apt-get install with the hook; records whether dpkg unpacked anything.
apt_install() {
	rm -f "$T/dpkg.log" "$T/captured"
	run timeout -s KILL 120 apt-get install -y -q -o Dpkg::Use-Pty=0 "$@"
	UNPACKED=no
	grep -q -- '--unpack' "$T/dpkg.log" 2>/dev/null && UNPACKED=yes
}

# ---- the owner vouches for vtest 2.0 (from the package file), not for vbad -----------------
"$VOUCH" keygen -W -p owner.pub -s owner.sec >/dev/null
expect_rc "from-deb of the upgrade" 0 "$VOUCH" manifest from-deb -o vtest.manifest repo/vtest_2.0_all.deb
"$VOUCH" sign -s owner.sec vtest.manifest >/dev/null
for mode in enforce monitor; do
	cat >"policy-$mode.txt" <<EOF
mode $mode
message "Ask the administrator."
signer owner $(key_line owner.pub)
manifest vtest.manifest signer owner
EOF
	"$VOUCH" policy compile "policy-$mode.txt" -s owner.sec -o "$mode.bundle" >/dev/null
done
expect_rc "install the enforcing policy" 0 "$VOUCH" policy install -p owner.pub --state "$T/state" enforce.bundle

apt_install vtest
check "a vouched-for upgrade: apt-get succeeds" test "$RC" -eq 0
check "a vouched-for upgrade: dpkg unpacked it" grep -q -- "--unpack .*vtest_2.0_all.deb" "$T/dpkg.log"
check "apt wrote protocol version 3 to the hooks" test "$(head -n 1 "$T/captured")" = "VERSION 3"
check "apt's v3 action line, as vouch parses it" \
	grep -qE "^vtest 1\.0 all none < 2\.0 all none $T/repo/\./vtest_2\.0_all\.deb\$" "$T/captured"
check "apt's v3 configure line" grep -q '^vtest 1.0 all none < 2.0 all none \*\*CONFIGURE\*\*$' "$T/captured"
check "nothing refused is said" sh -c "! grep -q 'vouch: apt-check' '$ERR'"

apt_install vbad
check "an unvouched package: apt-get fails" test "$RC" -ne 0
check "an unvouched package: dpkg was not called to unpack" test "$UNPACKED" = no
check "the refusal names package, file and rule" \
	grep -q "^vouch: apt-check: vbad 1.0: /usr/bin/vbad: deny (default): .*; message: Ask the administrator\.$" "$ERR"
check "the ELF program is named too" grep -q "^vouch: apt-check: vbad 1.0: /usr/bin/vbad-prog: deny (default)" "$ERR"
check "the maintainer script is named too" \
	grep -q "^vouch: apt-check: vbad 1.0: /var/lib/dpkg/info/vbad.postinst: deny (default)" "$ERR"
check "a summary says nothing was unpacked" grep -q "vouch: apt-check: 1 of 1 packages refused.*nothing was unpacked" "$ERR"
check "apt says the hook failed" grep -q "Failure running script $VOUCH apt-check" "$ERR"

apt_install vtest vbad
check "one refused package stops the whole run" test "$RC" -ne 0 -a "$UNPACKED" = no
check "vtest checked and allowed, vbad refused" sh -c \
	"grep -q '1 of 2 packages refused' '$ERR' && ! grep -q 'vtest 2.0:' '$ERR'"

# A package file someone other than root could replace between the check and dpkg's read.
chown nobody repo/vtest_2.0_all.deb
apt_install vtest
check "a .deb owned by another user is refused" test "$RC" -ne 0 -a "$UNPACKED" = no
check "and says why" grep -q "vtest_2.0_all.deb: refused: owned by uid [0-9]* with mode 0644: a user other than root could change it" "$ERR"
chown root repo/vtest_2.0_all.deb
chmod 0666 repo/vtest_2.0_all.deb
apt_install vtest
check "a .deb others can write is refused" test "$RC" -ne 0 -a "$UNPACKED" = no
chmod 0644 repo/vtest_2.0_all.deb
chmod 0777 repo
apt_install vtest
check "a .deb in a directory others can write is refused" sh -c \
	"[ $RC -ne 0 ] && [ $UNPACKED = no ] && grep -q 'the directory $T/repo (owner uid 0, mode 0777)' '$ERR'"
chmod 0755 repo

# ---- monitor mode: refusals are warnings, the package installs ------------------------------
expect_rc "install the monitor policy" 0 "$VOUCH" policy install -p owner.pub --state "$T/state" monitor.bundle
apt_install vbad
check "monitor: apt-get succeeds" test "$RC" -eq 0
check "monitor: dpkg unpacked it" test "$UNPACKED" = yes
check "monitor: each file warned" grep -q "vbad 1.0: /usr/bin/vbad: would be denied in enforce mode (default)" "$ERR"

# ---- no policy installed: nothing is checked, apt goes on, one line says so -----------------
mv "$T/state" "$T/state.away"
apt_install vbad
check "no policy: apt-get succeeds" test "$RC" -eq 0 -a "$UNPACKED" = yes
check "no policy: one line says packages were not checked" \
	grep -q "vouch: apt-check: $T/state/trust.mdb: no policy installed: packages not checked" "$ERR"
mv "$T/state.away" "$T/state"
"$VOUCH" policy install -p owner.pub --state "$T/state" --allow-rollback enforce.bundle >/dev/null 2>&1 ||
	"$VOUCH" policy install -p owner.pub --state "$T/state" enforce.bundle >/dev/null 2>&1
unset APT_CONFIG

# ---- the protocol itself, as apt writes it and not -------------------------------------------
deb=$T/repo/./vtest_2.0_all.deb bad=$T/repo/vbad_1.0_all.deb
hook() { env -u APT_HOOK_INFO_FD "$VOUCH" apt-check "$@"; }
printf 'VERSION 3\nAPT::Architecture=amd64\nDPkg::Pre-Install-Pkgs::=x\n\nvtest 1.0 all none < 2.0 all none %s\nvbad - - none < 1.0 all none **CONFIGURE**\nvbad 1.0 all none > - - none **REMOVE**\n' "$deb" >v3.in
run hook <v3.in
check "v3: unpack allowed, configure and remove not checked" test "$RC" -eq 0 -a ! -s "$ERR"
printf 'VERSION 2\nA=b\n\nvbad - < 1.0 %s\n' "$bad" >v2.in
run hook <v2.in
check "v2 is read too: refused" test "$RC" -eq 1
check "v2: the reason" grep -q "vbad 1.0: /usr/bin/vbad: deny" "$ERR"
printf 'VERSION 3\n\nvtest - - none < 2.0 all none **ERROR**\n' >err.in
expect_err "**ERROR** (apt had no path) is refused" 2 "refused: apt gave no path" hook <err.in
printf '%s\n' "$deb" >v1.in
expect_err "version 1 input is refused" 2 "not protocol version 3 or 2" hook <v1.in
printf 'VERSION 3\nA=b\n\nvtest 1.0 all none ? 2.0 all none %s\n' "$deb" >bad.in
expect_err "a malformed action line" 2 "line 4: not as apt writes it" hook <bad.in
printf 'VERSION 3\nA=b\n' >cut.in
expect_err "input without the end of the configuration" 2 "line [23]: not as apt writes it" hook <cut.in
printf 'VERSION 3\n\nvtest 1.0 all none < 2.0 all none %s\n' "$T/repo/../repo/vtest_2.0_all.deb" >dd.in
expect_err "a path with '..' is refused" 2 'has a "\.\." component' hook <dd.in
ln -s repo "$T/repolink"
printf 'VERSION 3\n\nvtest 1.0 all none < 2.0 all none %s\n' "$T/repolink/vtest_2.0_all.deb" >ln.in
expect_err "a path through a symbolic link is refused" 2 "reached through a symbolic link" hook <ln.in
exec 7<v3.in
run env APT_HOOK_INFO_FD=7 "$VOUCH" apt-check </dev/null
exec 7<&-
check "APT_HOOK_INFO_FD names the descriptor read" test "$RC" -eq 0
cp "$VOUCH_SRC/tests/integration/lib.sh" notadeb.deb
expect_err "a file that is not a package" 2 "notadeb.deb: not an ar archive" hook "$T/notadeb.deb"
expect_rc "packages given as arguments: vouched" 0 "$VOUCH" apt-check "$T/repo/vtest_2.0_all.deb"
expect_rc "packages given as arguments: not vouched" 1 "$VOUCH" apt-check "$T/repo/vbad_1.0_all.deb"
run "$VOUCH" apt-check --json "$T/repo/vbad_1.0_all.deb" "$T/repo/vtest_2.0_all.deb"
check "--json: refused, exit 1" test "$RC" -eq 1
check "--json: a line per refused file and per package" python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
files = [l for l in lines if "file" in l]
pkgs = {l["deb"].rsplit("/", 1)[1]: l for l in lines if "result" in l}
assert sorted(f["file"] for f in files) == ["/usr/bin/vbad", "/usr/bin/vbad-prog",
                                           "/var/lib/dpkg/info/vbad.postinst"], files
assert all(f["decision"] == "deny" and f["rule"] == "default" and len(f["sha256"]) == 64 and
           f["message"] == "Ask the administrator." for f in files)
assert pkgs["vbad_1.0_all.deb"]["result"] == "refused" and pkgs["vbad_1.0_all.deb"]["denied"] == 3
assert pkgs["vtest_2.0_all.deb"]["result"] == "allowed" and pkgs["vtest_2.0_all.deb"]["code_files"] == 3
' "$OUT"
expect_rc "apt-check --help" 0 "$VOUCH" apt-check --help
run python3 "$VOUCH_SRC/tests/integration/ptyrun.py" tty.out -- "$VOUCH" apt-check
check "no package and a terminal for input: a usage error, not a wait" sh -c \
	"[ $RC -eq 2 ] && grep -q \"apt's hook input is a terminal\" tty.out"
check "nothing touched the host's dpkg database" test ! -e /var/lib/dpkg/info/vtest.list -a ! -e /var/lib/dpkg/info/vbad.list
done_testing
