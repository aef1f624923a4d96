#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vouchd's fail-safe start (vouchd(8), FAIL-SAFETY), in a private mount namespace over a
# scratch tmpfs only: with no policy it starts in monitor mode with an empty trust set and
# says so (stderr, vouch status, its JSON); a policy installed and reloaded then enforces;
# a trust store damaged at start gives way to the copy of its bundle, still enforcing; with
# both damaged, monitor mode again, loudly. Each time it starts (no refusal, so no restart
# loop under systemd) and stops cleanly on SIGTERM.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib-daemon.sh" || exit 2
cleanup() {
	daemon_cleanup
	cd / && rm -rf "$T"
}
trap cleanup EXIT
scratch_mount 64m

cp /bin/echo "$S/trusted"
cp /bin/date "$S/untrusted"
trust_policy "$S/trusted"
"$VOUCH" policy compile policy.txt -s owner.sec -o p.bundle >/dev/null
chmod 755 "$T"
mkdir -m 0755 "$T/st" # as the package makes /var/lib/vouch: empty
# stop: SIGTERM, and vouchd's exit status into $rc.
stop() { kill -TERM "$dpid"; wait "$dpid"; rc=$?; dpid=; }

# 1. Nothing installed.
check "no policy: vouchd starts all the same (ready)" start_daemon
check "and says so on stderr, with a WARNING" \
	grep -q "^vouchd: WARNING: no policy is installed (no $T/st/trust.mdb): monitor mode with an empty trust set" "$T/d.err"
run timeout 10 "$S/untrusted" +%Y
check "an untrusted program runs (monitor mode)" grep -qE '^[0-9]{4}$' "$OUT"
check "and is logged as would-deny" grep -q "would deny pid .*untrusted.*rule default" "$T/d.err"
run timeout 10 "$S/trusted" hi
check "so does every other program: nothing is trusted, nothing denied" grep -qx hi "$OUT"
expect_rc "vouch status answers" 0 "$VOUCH" status --state "$T/st"
check "status: monitor mode" grep -q "^mode: *monitor" "$OUT"
check "status: a WARNING that no policy is installed" \
	grep -q "^WARNING: *no policy is installed (no $T/st/trust.mdb)" "$OUT"
check "status: an empty trust set" grep -q "^policy: .* 0 hashes" "$OUT"
expect_rc "vouch status --json" 0 "$VOUCH" status --state "$T/st" --json
check "its JSON: policy_source none, the problem, monitor, 0 hashes" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["policy_source"] == "none" and s["mode"] == "monitor", s
assert s["policy_problem"].startswith("no policy is installed"), s
assert s["policy_hashes"] == 0 and s["would_deny"] >= 2 and s["denials"] == 0, s
' "$OUT"
# Entries are shown once a checkpoint covers them (one a second): wait for it, bounded.
for _ in $(seq 50); do
	run "$VOUCH" log show --state "$T/st" --json
	grep -q would-deny "$OUT" && break
	sleep 0.1
done
check "the log has the would-deny, in monitor mode" python3 -c '
import json, sys
es = [json.loads(l) for l in open(sys.argv[1])]
assert any(e["decision"] == "would-deny" and e["mode"] == "monitor" and
           e["path"].endswith("/untrusted") for e in es), es
' "$OUT"
expect_err "vouch reload with still nothing installed fails, and says why" 2 \
	"cannot open the trust store" "$VOUCH" reload --state "$T/st"
expect_rc "and vouchd still answers, as before" 0 "$VOUCH" status --state "$T/st" --json
check "still monitor mode, no policy" python3 -c '
import json, sys
s = json.load(open(sys.argv[1])); assert s["policy_source"] == "none", s' "$OUT"

# 2. A policy installed, and reloaded.
expect_rc "vouch policy install while vouchd runs without one" 0 \
	"$VOUCH" policy install -p owner.pub --state "$T/st" p.bundle
expect_rc "vouch reload" 0 "$VOUCH" reload --state "$T/st"
check "it says the installed policy is enforced" grep -q "reloaded: mode enforce" "$OUT"
run timeout 10 "$S/untrusted" +%Y
check "now the untrusted program is refused (exit 126)" test "$RC" -eq 126 -a ! -s "$OUT"
expect_rc "and the trusted one runs" 0 timeout 10 "$S/trusted" hello
check "its output appears" grep -qx hello "$OUT"
run "$VOUCH" status --state "$T/st" --json
check "status: policy_source installed, no problem, enforce" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["policy_source"] == "installed" and "policy_problem" not in s, s
assert s["mode"] == "enforce" and s["policy_hashes"] == 1, s' "$OUT"
run "$VOUCH" status --state "$T/st"
check "status text: no WARNING" bash -c "! grep -q WARNING '$OUT'"
stop
check "SIGTERM stops it cleanly (exit 0)" test "$rc" -eq 0
check "and its socket is gone" test ! -e "$T/st/vouchd.sock"

# 3. A trust store damaged at start: the copy of its bundle is enforced.
echo "not a store" >"$T/st/junk" && mv "$T/st/junk" "$T/st/trust.mdb"
: >"$T/d.err"
check "a damaged trust store: vouchd starts (ready)" start_daemon
check "and warns that it enforces the bundle's copy instead" \
	grep -q "^vouchd: WARNING: the trust store $T/st/trust.mdb cannot be opened (.*): enforcing the copy of the bundle installed with it, $T/st/policy.bundle" "$T/d.err"
run timeout 10 "$S/untrusted" +%Y
check "the untrusted program is still refused (exit 126)" test "$RC" -eq 126 -a ! -s "$OUT"
expect_rc "the trusted one runs" 0 timeout 10 "$S/trusted" hello
run "$VOUCH" status --state "$T/st" --json
check "status: policy_source bundle-copy, the problem, enforce, its hashes" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["policy_source"] == "bundle-copy" and "cannot be opened" in s["policy_problem"], s
assert s["mode"] == "enforce" and s["policy_hashes"] == 1, s' "$OUT"
run "$VOUCH" status --state "$T/st"
check "status text: a WARNING naming the damaged store" \
	grep -q "^WARNING: *the trust store $T/st/trust.mdb cannot be opened" "$OUT"
expect_rc "the policy installed again (over the damaged store)" 0 \
	"$VOUCH" policy install -p owner.pub --state "$T/st" p.bundle
expect_rc "vouch reload" 0 "$VOUCH" reload --state "$T/st"
run "$VOUCH" status --state "$T/st" --json
check "the installed store is in force again" python3 -c '
import json, sys
s = json.load(open(sys.argv[1])); assert s["policy_source"] == "installed", s' "$OUT"
stop
check "SIGTERM stops it cleanly" test "$rc" -eq 0

# 4. Both damaged: monitor mode and nothing trusted, loudly; never "allow" in silence.
echo "not a store" >"$T/st/junk" && mv "$T/st/junk" "$T/st/trust.mdb"
head -c 100 p.bundle >"$T/st/junk" && mv "$T/st/junk" "$T/st/policy.bundle"
: >"$T/d.err"
check "store and bundle damaged: vouchd starts (ready)" start_daemon
check "and warns: neither can be read, monitor mode with an empty trust set" \
	grep -q "^vouchd: WARNING: the trust store .* cannot be opened (.*), nor its bundle (.*policy.bundle: .*): monitor mode with an empty trust set" "$T/d.err"
run timeout 10 "$S/untrusted" +%Y
check "the untrusted program runs, as a would-deny" \
	bash -c "grep -qE '^[0-9]{4}$' '$OUT' && grep -q 'would deny pid .*untrusted' '$T/d.err'"
run "$VOUCH" status --state "$T/st" --json
check "status: policy_source none, the problem, monitor" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["policy_source"] == "none" and "nor its bundle" in s["policy_problem"], s
assert s["mode"] == "monitor" and s["policy_hashes"] == 0, s' "$OUT"
stop
check "SIGTERM stops it cleanly" test "$rc" -eq 0
done_testing
