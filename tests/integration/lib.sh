# SPDX-License-Identifier: Apache-2.0
# TAP helpers for integration tests that drive the real binaries. Source it, then call
# the checks; end with done_testing. Each script runs in its own scratch directory.
set -u
: "${VOUCH:?VOUCH must name the vouch binary (tests/run sets it)}"
: "${VOUCH_SRC:?}"
DATA=$VOUCH_SRC/tests/data
T=$(mktemp -d "${TMPDIR:-/tmp}/vouch-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
_n=0 _fail=0
OUT=$T/.out ERR=$T/.err

# pass NAME / fail NAME [DIAG...]: record one result.
pass() { _n=$((_n + 1)); echo "ok $_n - $1"; }
fail() {
	_n=$((_n + 1)); _fail=$((_fail + 1)); echo "not ok $_n - $1"; shift
	local l; for l in "$@"; do echo "# $l"; done
	[ -s "$OUT" ] && sed 's/^/# stdout: /' "$OUT" | head -n 10
	[ -s "$ERR" ] && sed 's/^/# stderr: /' "$ERR" | head -n 10
	return 0
}
# run CMD...: runs it with stdout/stderr captured in $OUT/$ERR, sets RC.
run() { "$@" >"$OUT" 2>"$ERR"; RC=$?; }
# expect_rc NAME RC CMD...: the command exits with RC.
expect_rc() {
	local name=$1 want=$2; shift 2
	run "$@"
	if [ "$RC" -eq "$want" ]; then pass "$name"; else fail "$name" "exit $RC, wanted $want"; fi
}
# expect_err NAME RC REGEX CMD...: exits with RC and stderr is one line matching REGEX.
expect_err() {
	local name=$1 want=$2 re=$3; shift 3
	run "$@"
	if [ "$RC" -ne "$want" ]; then fail "$name" "exit $RC, wanted $want"; return; fi
	if [ "$(wc -l <"$ERR")" -ne 1 ]; then fail "$name" "stderr is not one line"; return; fi
	if ! grep -qE -- "$re" "$ERR"; then fail "$name" "stderr does not match /$re/"; return; fi
	pass "$name"
}
# check NAME CMD...: passes if CMD succeeds (no capture; for test/grep/cmp assertions).
check() { local name=$1; shift; if "$@"; then pass "$name"; else fail "$name" "failed: $*"; fi; }
# snap: every name in the scratch directory (but the capture files) with a hash of its
# contents, to show that a failed command wrote, replaced or removed nothing.
snap() {
	local f
	find . -mindepth 1 ! -path ./.out ! -path ./.err -print | LC_ALL=C sort |
		while IFS= read -r f; do
			if [ -f "$f" ]; then
				printf '%s %s\n' "$f" "$(sha256sum <"$f" | cut -c1-64)"
			else
				printf '%s\n' "$f"
			fi
		done
}
# only_once NAME: a test of what does not depend on the build's configuration (the Debian
# package, the VM) runs in the release run only; in any other run of tests/run it is one
# SKIP line. Run by hand or by meson (VOUCH_CONFIG unset), it runs.
only_once() {
	case ${VOUCH_CONFIG:-release} in
	release) return 0 ;;
	esac
	_n=$((_n + 1))
	echo "ok $_n - $1 # SKIP runs once, in the release configuration's run"
	done_testing
}
done_testing() { echo "1..$_n"; [ "$_fail" -eq 0 ]; exit $?; }
