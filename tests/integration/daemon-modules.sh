#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# vouchd's modules call one way: each only those listed before it in docs/design.md. Read
# from the built objects (what each defines, what each needs), not from the source text,
# so a call through a macro or a new file counts too.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
objs=$VOUCH_BUILD/src/daemon/vouchd.p
if ! command -v nm >/dev/null; then
	echo "ok 1 - daemon modules # SKIP nm (binutils) is missing"
	echo "1..1"
	exit 0
fi
# The block after the paragraph above: the first fenced block that lists *.c modules.
awk '/^### The daemon and its modules/{on=1} on&&/^```$/{n++; next} on&&n==1{print $1} n==2{exit}' \
	"$VOUCH_SRC/docs/design.md" | grep '\.c$' >order
check "the design lists vouchd's modules ($(wc -l <order) of them)" test "$(wc -l <order)" -gt 10
( cd "$VOUCH_SRC/src/daemon" && ls ./*.c | sed 's|^\./||' | sort ) >files
check "every source file of vouchd is in the list, and nothing else" \
	diff <(sort order) files
# edges: "caller callee symbol" for each call from one module into another.
edges() {
	local o
	for o in "$objs"/*.c.o; do
		nm --defined-only -g "$o" | awk -v m="$(basename "$o" .o)" '$2 ~ /^[TDBR]$/ {print $3, m}'
	done >defs
	for o in "$objs"/*.c.o; do
		nm -u "$o" | awk -v m="$(basename "$o" .o)" '{print $NF, m}'
	done | sort >uses
	sort defs >defs.s
	join uses defs.s | awk '$2 != $3 {print $2, $3, $1}'
}
edges >edges
check "the modules call each other ($(wc -l <edges) calls found)" test "$(wc -l <edges)" -gt 20
# A call upward: the callee comes at or after the caller in the order.
up=$(awk 'NR==FNR {pos[$1]=NR; next} pos[$2] >= pos[$1] {print $1 " -> " $2 " (" $3 ")"}' \
	order edges)
check "every call goes to a module listed before the caller" test -z "$up"
[ -z "$up" ] || printf '%s\n' "$up" | head -n 20 | sed 's/^/# /'
# The test can fail: the same edges against the list reversed find calls upward.
rev=$(tac order | awk 'NR==FNR {pos[$1]=NR; next} pos[$2] >= pos[$1]' - edges | wc -l)
check "(the test can fail: with the list reversed, $rev calls go upward)" test "$rev" -gt 20
done_testing
