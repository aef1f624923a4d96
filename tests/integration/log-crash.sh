#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Crash test of the log: a writer appending and committing as fast as it can is killed
# (SIGKILL) at random points, many times over the same log. After each kill the log must
# verify, and must hold every entry the writer had acknowledged (reported committed), intact.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
W=$VOUCH_BUILD/tests/log-crash-writer
ROUNDS=${CRASH_ROUNDS:-40}
RANDOM=20261121 # the kill points are reproducible
dir=$T/log
bad_verify=0 lost=0 wrong=0 max_seen=0 killed_mid=0
for round in $(seq "$ROUNDS"); do
	"$W" "$dir" pub >out.$round 2>err.$round &
	wpid=$!
	# 5 to 400 ms in: in the middle of appends, tile writes, fsyncs or the checkpoint's rename.
	sleep "0.$(printf '%03d' $((5 + RANDOM % 395)))"
	kill -KILL "$wpid" 2>/dev/null && killed_mid=$((killed_mid + 1))
	wait "$wpid" 2>/dev/null
	acked=$(sed -n 's/^committed //p' out.$round | tail -n 1)
	acked=${acked:-0}
	if ! "$VOUCH" log verify "$dir" --key pub >verify.$round 2>&1; then
		bad_verify=$((bad_verify + 1))
		echo "# round $round: verify failed: $(cat verify.$round)"
		continue
	fi
	size=$(sed -n 2p "$dir/checkpoint")
	if [ "$size" -lt "$acked" ]; then
		lost=$((lost + 1))
		echo "# round $round: acknowledged $acked, checkpoint has $size"
	fi
	# The last acknowledged entry is the one that was written, byte for byte.
	if [ "$acked" -gt 0 ]; then
		want="/crash/$((acked - 1))\""
		"$VOUCH" log show --dir "$dir" --key pub --json --since 2000-01-01T00:00:00Z |
			grep "\"index\":$((acked - 1))," | grep -qF "\"path\":\"$want" ||
			{ wrong=$((wrong + 1)); echo "# round $round: entry $((acked - 1)) is not what was written"; }
	fi
	[ "$size" -gt "$max_seen" ] && max_seen=$size
done
check "the writer was killed mid-run in every round ($killed_mid of $ROUNDS)" test "$killed_mid" -eq "$ROUNDS"
check "the log verifies after every kill ($bad_verify failures)" test "$bad_verify" -eq 0
check "no acknowledged entry was ever lost ($lost rounds lost some)" test "$lost" -eq 0
check "the last acknowledged entry is intact after every kill" test "$wrong" -eq 0
check "the log grew across the kills (to $max_seen entries)" test "$max_seen" -gt 1000
TC=$VOUCH_BUILD/interop/tlogcheck
if [ -x "$TC" ] || "$VOUCH_SRC/tests/interop/tlogcheck/build.sh" "$VOUCH_BUILD/interop" >/dev/null 2>&1; then
	expect_rc "Go's sumdb/tlog verifies the crashed-into log too" 0 "$TC" verify "$dir" pub
else
	pass "Go's sumdb/tlog verifies the crashed-into log # SKIP golang-go or x/mod missing"
fi
done_testing
