# SPDX-License-Identifier: Apache-2.0
# Shared by the vouchd tests: a private mount namespace, one scratch tmpfs inside it (the
# only filesystem vouchd is told to mark: never a host filesystem), and the daemon's life.
# Source it first thing: it re-runs the calling script inside the namespace, or skips.

# Skip (as TAP) unless root with unshare -m and every command named in $VOUCH_NS_NEEDS.
if [ -z "${VOUCH_IN_NS:-}" ]; then
	for _c in unshare ${VOUCH_NS_NEEDS:-}; do
		command -v "$_c" >/dev/null || _missing=$_c
	done
	if [ "$(id -u)" -ne 0 ] || [ -n "${_missing:-}" ] ||
		! unshare -m --propagation private true 2>/dev/null; then
		echo "ok 1 - $(basename "$0" .sh) # SKIP need root, unshare -m for a private mount namespace${VOUCH_NS_NEEDS:+ and $VOUCH_NS_NEEDS}"
		echo "1..1"
		exit 0
	fi
	VOUCH_IN_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
: "${VOUCHD:?VOUCHD must name the vouchd binary}"
S=$T/scratch # the one filesystem vouchd marks
dpid=

# scratch_mount SIZE: the scratch tmpfs, mounted in this namespace only.
scratch_mount() {
	mkdir "$S"
	mount -t tmpfs -o "size=$1,mode=0755" vouch-scratch "$S" ||
		{ echo "not ok 1 - mount tmpfs"; echo "1..1"; exit 1; }
}
# daemon_cleanup: stop the daemon (by its pid) and unmount the scratch filesystem.
daemon_cleanup() {
	[ -n "$dpid" ] && kill -TERM "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
	umount "$S" 2>/dev/null
}
# start_daemon [ARGS...]: vouchd on the scratch filesystem; waits (bounded) for "ready".
start_daemon() {
	: >"$T/d.out"
	"$VOUCHD" --foreground --state "$T/st" --watch "$S" "$@" >"$T/d.out" 2>>"$T/d.err" &
	dpid=$!
	for _ in $(seq 100); do
		grep -q '^ready$' "$T/d.out" 2>/dev/null && return 0
		kill -0 "$dpid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# wait_log PATTERN: bounded wait for a line in the daemon's log.
wait_log() { for _ in $(seq 50); do grep -q "$1" "$T/d.err" && return 0; sleep 0.1; done; return 1; }
# trust_policy FILE...: the owner's key pair (owner.pub, owner.sec), a signed manifest of
# FILE... (app.manifest) and an enforcing policy trusting it (policy.txt), in the current
# directory; compiling and installing are left to the test.
trust_policy() {
	"$VOUCH" keygen -W -p owner.pub -s owner.sec >/dev/null
	"$VOUCH" manifest create -o app.manifest "$@"
	"$VOUCH" sign -s owner.sec app.manifest
	printf 'mode enforce\nsigner owner %s\nmanifest app.manifest signer owner\n' \
		"$(sed -n 2p owner.pub)" >policy.txt
}
