#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vouch setup's systemd step, with the default state directory: in a private mount namespace
# whose /run and /var/lib are fresh tmpfs mounts (the host's are never seen or touched), and a
# stand-in systemctl first in PATH that records its arguments. No vouchd runs.
if [ -z "${VOUCH_IN_NS:-}" ]; then
	if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null ||
		! unshare -m --propagation private true 2>/dev/null; then
		echo "ok 1 - setup-systemd # SKIP need root and unshare -m for a private mount namespace"
		echo "1..1"
		exit 0
	fi
	VOUCH_IN_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
unset VOUCH_STATE_DIR
cleanup() { cd / && rm -rf "$T"; umount /var/lib 2>/dev/null; umount /run 2>/dev/null; }
trap cleanup EXIT
# Only in this namespace: /run and /var/lib are empty tmpfs mounts from here on.
mount -t tmpfs -o size=16m,mode=0755 vouch-run /run || { echo "not ok 1 - mount /run"; echo "1..1"; exit 1; }
mount -t tmpfs -o size=64m,mode=0755 vouch-varlib /var/lib || { echo "not ok 1 - mount /var/lib"; echo "1..1"; exit 1; }
check "this namespace's /var/lib is the fresh one" test -z "$(ls -A /var/lib)"

mkdir -p "$T/bin"
cat >"$T/bin/systemctl" <<'EOF'
#!/bin/sh
printf '%s\n' "$*" >>"$SYSTEMCTL_LOG"
echo "systemctl stand-in: $*"
exit "${SYSTEMCTL_RC:-0}"
EOF
chmod 0755 "$T/bin/systemctl"
export PATH="$T/bin:$PATH" SYSTEMCTL_LOG=$T/systemctl.log

R=$T/root A=$T/admin
mkdir -p "$R/usr/bin" "$A/info"
cp /bin/true "$R/usr/bin/tool"
(cd "$R" && md5sum usr/bin/tool) >"$A/info/a.md5sums"
opts=(--dir "$T/etc" --admindir "$A" --root "$R" --no-password)

run "$VOUCH" setup "${opts[@]}"
check "no systemd running: exit 0" test "$RC" -eq 0
check "no systemd running: systemctl not run" test ! -e "$T/systemctl.log"
check "and it says so" grep -qx "vouchd: not started (systemd is not running)" "$OUT"
check "installed in the default state directory (this namespace's)" test -f /var/lib/vouch/trust.mdb

mkdir -p /run/systemd/system
run "$VOUCH" setup "${opts[@]}" --no-start
check "--no-start: systemctl not run" test ! -e "$T/systemctl.log"
check "and it says so" grep -qx "vouchd: not started (--no-start)" "$OUT"
run "$VOUCH" setup "${opts[@]}" --state "$T/other"
check "another state directory: systemctl not run (the unit uses /var/lib/vouch)" test ! -e "$T/systemctl.log"
check "and it says so" grep -qx "vouchd: not started (its unit uses /var/lib/vouch)" "$OUT"

run "$VOUCH" setup "${opts[@]}" --json
check "under systemd: exit 0" test "$RC" -eq 0
check "systemctl enable --now vouchd.service, once" test "$(cat "$T/systemctl.log")" = "enable --now vouchd.service"
check "--json says so" grep -q '"vouchd":"enabled and started"' "$OUT"
check "systemctl's words went to stderr, not into the JSON" grep -q "systemctl stand-in: enable" "$ERR"
check "stdout is one JSON object" python3 -c 'import json, sys; json.loads(open(sys.argv[1]).read())' "$OUT"

rm -f "$T/systemctl.log"
run env SYSTEMCTL_RC=1 "$VOUCH" setup "${opts[@]}"
check "systemctl fails: exit 2" test "$RC" -eq 2
check "one line says so, and that the policy is installed" grep -q \
	"^vouch: setup: systemctl: enable --now vouchd.service: failed (see above); the policy is installed" "$ERR"
check "the policy stays installed" test -f /var/lib/vouch/trust.mdb -a -f "$T/etc/policy.bundle"
done_testing
