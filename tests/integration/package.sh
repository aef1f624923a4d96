#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Debian package: scripts/package builds it from the working tree, lintian finds
# nothing, the .deb holds exactly the files it should with their modes and owners, its
# maintainer scripts are valid sh that neither enable nor start vouchd, and it installs,
# is removed and purged for real (dpkg --root) into a throwaway root holding only a shell,
# a few commands and an empty dpkg database. Under systemd, a real Debian 12 system, the
# package is tried in the VM test: here there is no systemd to enable anything with.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP $2"; }
only_once "the Debian package"
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
	skip "the Debian package" "dpkg-buildpackage or debhelper is not installed (scripts/deps test)"
	done_testing
fi
if ! git -C "$VOUCH_SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	skip "the Debian package" "$VOUCH_SRC is not a git checkout (scripts/package packages what git lists)"
	done_testing
fi
version=$(sed -n "s/^  version : '\(.*\)',$/\1/p" "$VOUCH_SRC/meson.build")
run "$VOUCH_SRC/scripts/package" "$T/out"
check "scripts/package builds it" test "$RC" -eq 0
deb=$(tail -n 1 "$OUT")
check "and prints the .deb's path last: vouch_${version}_*.deb" \
	bash -c "[[ '$deb' == '$T'/out/vouch_${version}_*.deb ]] && test -f '$deb'"
check "quietly: nothing but that line" test "$(wc -l <"$OUT")" -eq 1 -a ! -s "$ERR"
check "beside it the .changes and .buildinfo" \
	bash -c "ls '$T'/out/vouch_${version}_*.changes '$T'/out/vouch_${version}_*.buildinfo >/dev/null"
check "the checkout was not written into (no build directory, no debian/ output)" \
	bash -c "cd '$VOUCH_SRC' && test ! -e debian/vouch -a ! -e debian/files -a ! -e obj-x86_64-linux-gnu"

if command -v lintian >/dev/null; then
	# lintian warns that root runs it; that line is not about the package.
	run lintian --pedantic --info --display-experimental --fail-on error,warning \
		"$T"/out/vouch_*.changes
	check "lintian --fail-on error,warning passes" test "$RC" -eq 0
	check "and has nothing to say even at pedantic (every override explained in debian/)" \
		bash -c "! grep -qE '^[EWIPX]: ' '$OUT' '$ERR'"
else
	skip "lintian" "lintian is not installed"
fi

# The files, their modes and owners (dpkg-deb -c: mode owner/group size date time path).
dpkg-deb -c "$deb" | awk '{print $1, $2, $6}' | sed 's| \./| /|; s|/$||' | LC_ALL=C sort >files
has() { grep -qxF -- "$1" files; }
check "/usr/bin/vouch, 0755 root" has "-rwxr-xr-x root/root /usr/bin/vouch"
check "/usr/sbin/vouchd, 0755 root" has "-rwxr-xr-x root/root /usr/sbin/vouchd"
check "the unit where Debian 12 reads units: /lib/systemd/system/vouchd.service, 0644" \
	has "-rw-r--r-- root/root /lib/systemd/system/vouchd.service"
check "/etc/default/vouchd, 0644" has "-rw-r--r-- root/root /etc/default/vouchd"
check "apt's hook, /etc/apt/apt.conf.d/50vouch, 0644" has "-rw-r--r-- root/root /etc/apt/apt.conf.d/50vouch"
check "the state directory /var/lib/vouch, 0755 root (users reach the socket in it)" \
	has "drwxr-xr-x root/root /var/lib/vouch"
check "README.Debian" has "-rw-r--r-- root/root /usr/share/doc/vouch/README.Debian"
for m in "$VOUCH_SRC"/docs/man/*.[1-8]; do
	n=$(basename "$m")
	echo "-rw-r--r-- root/root /usr/share/man/man${n##*.}/$n.gz"
done | LC_ALL=C sort >man.want
grep ' /usr/share/man/man./' files >man.got
check "every man page in docs/man, compressed, and no other ($(wc -l <man.want))" \
	diff man.want man.got
check "nothing else: no library, header, test program or other unit" bash -c "
	grep '^-' files | grep -vE ' /usr/share/man/man./| /usr/share/doc/vouch/' |
		awk '{print \$3}' | LC_ALL=C sort | tr '\n' ' ' |
		grep -qx '/etc/apt/apt.conf.d/50vouch /etc/default/vouchd /lib/systemd/system/vouchd.service /usr/bin/vouch /usr/sbin/vouchd /usr/share/lintian/overrides/vouch '"
check "every file and directory owned by root" bash -c "! awk '\$2 != \"root/root\"' files | grep -q ."

dpkg-deb -I "$deb" >info
field() { sed -n "s/^ $1: //p" info; }
check "package vouch, version $version (meson.build's)" \
	test "$(field Package) $(field Version)" = "vouch $version"
check "Architecture: the build machine's" test "$(field Architecture)" = "$(dpkg --print-architecture)"
check "Depends on the libraries it links (libssl3, libsodium23, liblmdb0)" bash -c "
	d=\$(sed -n 's/^ Depends: //p' info)
	[[ \$d == *libssl3* && \$d == *libsodium23* && \$d == *liblmdb0* ]]"
dpkg-deb -e "$deb" ctl
check "/etc/default/vouchd is a conffile (kept on remove, the owner's edits too)" \
	grep -qx /etc/default/vouchd ctl/conffiles
check "and so is apt's hook, /etc/apt/apt.conf.d/50vouch" grep -qx /etc/apt/apt.conf.d/50vouch ctl/conffiles
check "the hook in the package is dist/apt/50vouch" bash -c "dpkg-deb --fsys-tarfile '$deb' | tar -xO ./etc/apt/apt.conf.d/50vouch | cmp - '$VOUCH_SRC/dist/apt/50vouch'"
for s in postinst prerm postrm; do
	check "$s: valid sh (sh -n)" sh -n "ctl/$s"
done
# Installing enforces nothing: no start, no restart of a vouchd not running, and an enable
# only to keep the links of a unit the owner enabled before (debhelper's upgrade branch).
check "postinst starts nothing (no deb-systemd-invoke start or restart; try-restart only)" \
	bash -c "! grep -qE 'deb-systemd-invoke +(start|restart)|systemctl .*(start|enable)' ctl/postinst"
check "postinst enables only a unit that was enabled before" awk '
	/was-enabled/ {w = NR} /deb-systemd-helper +enable/ {n++; if (!w || NR - w > 2) bad = 1}
	END {exit bad || n > 1}' ctl/postinst
check "prerm stops vouchd on remove, and says that nothing is enforced from then on" bash -c "
	grep -q 'deb-systemd-invoke stop vouchd.service' ctl/prerm &&
	grep -q 'nothing is enforced' ctl/prerm"
dpkg-deb -x "$deb" x
check "the unit runs the packaged vouchd and reloads with the packaged vouch" bash -c "
	grep -qx 'ExecStart=/usr/sbin/vouchd --state /var/lib/vouch \$VOUCHD_OPTS' x/lib/systemd/system/vouchd.service &&
	grep -qx 'ExecReload=/usr/bin/vouch reload --state /var/lib/vouch' x/lib/systemd/system/vouchd.service"
check "/etc/default/vouchd sets VOUCHD_OPTS, empty" grep -qx 'VOUCHD_OPTS=""' x/etc/default/vouchd
expect_rc "the packaged vouch runs" 0 x/usr/bin/vouch --version
check "and is version $version" grep -q "$version" "$OUT"
expect_rc "the packaged vouchd runs" 0 x/usr/sbin/vouchd --version

# A real install into a throwaway root: dpkg --root runs the maintainer scripts chrooted
# there, so the root gets a shell, the commands they use, the libraries of all of these
# and of vouch, /dev/null, and an empty dpkg database. Root only (chroot).
if [ "$(id -u)" -ne 0 ] || ! command -v ldd >/dev/null; then
	skip "install, remove and purge into a throwaway root" "needs root (chroot) and ldd"
	done_testing
fi
R=$T/root
mkdir -p "$R"/usr/bin "$R"/tmp "$R"/dev "$R"/var/lib/dpkg/info "$R"/var/lib/dpkg/updates \
	"$R"/var/lib/dpkg/triggers
ln -s usr/bin "$R"/bin
: >"$R"/var/lib/dpkg/status
: >"$R"/var/lib/dpkg/available
mknod -m 666 "$R"/dev/null c 1 3
into_root() {
	local f l
	for f in "$@"; do
		mkdir -p "$R$(dirname "$f")"
		cp -L "$f" "$R$f"
		for l in $(ldd "$f" | grep -o '/[^ ]*'); do
			mkdir -p "$R$(dirname "$l")"
			cp -nL "$l" "$R$l"
		done
	done
}
into_root "$(command -v sh)" "$(command -v rm)" "$(command -v rmdir)" "$(command -v ls)" \
	"$(command -v tr)"
for l in $(ldd x/usr/bin/vouch x/usr/sbin/vouchd | grep -o '/[^ ]*' | grep -v ':$' | sort -u); do
	mkdir -p "$R$(dirname "$l")" && cp -nL "$l" "$R$l"
done
# The dependencies are the host's libraries, copied: the root's database has no libc6.
pkg() { dpkg --root="$R" --force-depends "$@"; }
run pkg -i "$deb"
check "dpkg -i into the root" test "$RC" -eq 0
check "it says vouchd is installed, not enabled, nothing enforced" \
	grep -q "^vouch: vouchd is installed but not enabled: nothing is enforced" "$OUT"
check "dpkg has it installed" bash -c "dpkg --root='$R' -s vouch | grep -qx 'Status: install ok installed'"
check "no unit was enabled (no link to vouchd.service anywhere in the root)" \
	bash -c "! find '$R' -lname '*vouchd.service' | grep -q ."
expect_rc "the installed vouch runs there" 0 chroot "$R" /usr/bin/vouch --version
check "the state directory is there, 0755 root, empty" bash -c "
	test \"\$(stat -c '%a %U %G' '$R/var/lib/vouch')\" = '755 root root' &&
	test -z \"\$(ls -A '$R/var/lib/vouch')\""
run pkg -i "$deb"
check "installed again (an upgrade of the same version)" test "$RC" -eq 0
check "which does not repeat the first-install note" bash -c "! grep -q 'not enabled' '$OUT'"
# What vouchd and 'vouch policy install' make there, as they make it.
V=$R/var/lib/vouch
mkdir -m 0700 "$V/log"
echo checkpoint >"$V/log/checkpoint"
(umask 077 && echo key >"$V/log.key")
echo pub >"$V/log.pub"
echo store >"$V/trust.mdb"
echo bundle >"$V/policy.bundle"
echo 3 >"$V/log.seen"
echo stale >"$V/vouchd.sock"
echo half >"$V/policy.bundle.tmp-123-0000abcd"
echo "VOUCHD_OPTS=\"--log-max-size 4G\"" >"$R/etc/default/vouchd" # the owner's edit
run pkg -r vouch
check "dpkg -r" test "$RC" -eq 0
check "the programs are gone" test ! -e "$R/usr/bin/vouch" -a ! -e "$R/usr/sbin/vouchd"
check "the owner's /etc/default/vouchd stays (a conffile)" grep -q "4G" "$R/etc/default/vouchd"
check "the state stays" test -f "$V/log.key" -a -f "$V/trust.mdb"
run pkg -P vouch
check "dpkg -P (purge)" test "$RC" -eq 0
check "/etc/default/vouchd is gone" test ! -e "$R/etc/default/vouchd"
check "vouchd's socket and the interrupted install's temporary file are gone" \
	test ! -e "$V/vouchd.sock" -a ! -e "$V/policy.bundle.tmp-123-0000abcd"
check "the log, its keys, log.seen and the policy are kept" bash -c "
	cd '$V' && test -f log/checkpoint -a -f log.key -a -f log.pub -a -f log.seen -a -f trust.mdb -a -f policy.bundle"
check "the key keeps its mode 0600" test "$(stat -c %a "$V/log.key")" = 600
check "purge says, in one line, what it kept and where" bash -c "
	test \"\$(grep -c '^vouch: kept /var/lib/vouch: ' '$OUT')\" -eq 1 &&
	grep '^vouch: kept' '$OUT' | grep -q 'log.key'"
check "dpkg has forgotten it" bash -c "! dpkg --root='$R' -s vouch >/dev/null 2>&1"
# Nothing made there: purge leaves no empty state directory, and says nothing of one.
rm -rf "$V"
pkg -i "$deb" >/dev/null 2>&1
run pkg -P vouch
check "installed and purged with nothing made: /var/lib/vouch is gone too" \
	test "$RC" -eq 0 -a ! -e "$V"
check "and nothing is said to be kept" bash -c "! grep -q 'kept' '$OUT'"
done_testing
