# SPDX-License-Identifier: Apache-2.0
# vouch hash: byte-for-byte sha256sum output, errors per file, and memory that does not
# grow with the file size.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2

# same_as_sha256sum NAME ARGS...: vouch hash ARGS and sha256sum ARGS print the same bytes
# and exit the same way.
same_as_sha256sum() {
	local name=$1 src
	shift
	sha256sum "$@" >"$T/.want" 2>/dev/null
	src=$?
	run "$VOUCH" hash "$@"
	if [ "$RC" -ne "$src" ]; then fail "$name" "exit $RC, sha256sum exits $src"; return; fi
	if cmp -s "$OUT" "$T/.want"; then pass "$name"; else
		local d
		mapfile -t d < <(diff "$T/.want" "$OUT" | head -n 6 | LC_ALL=C tr -c '[:print:]\n' '?')
		LC_ALL=C tr -c '[:print:]\n' '?' <"$OUT" >"$T/.safe" && cat "$T/.safe" >"$OUT"
		fail "$name" "output differs from sha256sum:" "${d[@]}"
	fi
}

: >empty
printf 'hello\n' >hello
head -c 5242880 /dev/urandom >big5m
head -c 1000001 /dev/urandom >odd-size
printf 'spaces\n' >'name with  spaces'
printf 'backslash\n' >'back\slash'
printf 'newline\n' >$'new\nline'
printf 'cr\n' >$'carriage\rreturn'
printf 'both\n' >$'b\\o\nth\r'
printf 'high bytes\n' >$'latin1-\xe9\xff'
printf 'dash\n' >-dash
printf 'trailing space\n' >'trail '
check "setup: the 5 MiB file" test "$(stat -c %s big5m)" -eq 5242880

same_as_sha256sum "empty file" empty
same_as_sha256sum "small file" hello
same_as_sha256sum "5 MiB file" big5m
same_as_sha256sum "file of 1000001 bytes" odd-size
same_as_sha256sum "name with spaces" 'name with  spaces'
same_as_sha256sum "name with a backslash (escaped, leading backslash)" 'back\slash'
same_as_sha256sum "name with a newline (escaped)" $'new\nline'
same_as_sha256sum "name with a carriage return (escaped)" $'carriage\rreturn'
same_as_sha256sum "name with backslash, newline and CR" $'b\\o\nth\r'
same_as_sha256sum "name with non-UTF-8 bytes" $'latin1-\xe9\xff'
same_as_sha256sum "name with a trailing space" 'trail '
same_as_sha256sum "file named -dash after --" -- -dash
same_as_sha256sum "all of them at once" empty hello big5m odd-size 'name with  spaces' \
	'back\slash' $'new\nline' $'carriage\rreturn' $'b\\o\nth\r' $'latin1-\xe9\xff' 'trail '
same_as_sha256sum "a path with directories" ./hello "$T/hello"
same_as_sha256sum "/dev/null (a character device)" /dev/null
check "the backslash name's line starts with a backslash" \
	bash -c '"$1" hash "back\slash" | grep -q "^\\\\[0-9a-f]\{64\}  back\\\\\\\\slash$"' _ "$VOUCH"
check "a plain name's line has no leading backslash" \
	bash -c '"$1" hash hello | grep -qx "[0-9a-f]\{64\}  hello"' _ "$VOUCH"

# Standard input.
run "$VOUCH" hash - <big5m
sha256sum - <big5m >"$T/.want"
check "'-' hashes standard input like sha256sum" cmp -s "$OUT" "$T/.want"
run "$VOUCH" hash - </dev/null
check "'-' with empty standard input" test "$(cat "$OUT")" = \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  -"
head -c 3000000 /dev/urandom >pipe-data
run bash -c 'cat "$2" | "$1" hash -' _ "$VOUCH" pipe-data
sha256sum - <pipe-data >"$T/.want"
check "'-' from a pipe" cmp -s "$OUT" "$T/.want"
check "known answer: SHA-256 of 'hello\\n'" test "$("$VOUCH" hash hello)" = \
	"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  hello"

# sha256sum -c accepts what vouch prints, including the escaped names.
"$VOUCH" hash empty hello big5m 'name with  spaces' 'back\slash' $'new\nline' \
	$'carriage\rreturn' $'b\\o\nth\r' $'latin1-\xe9\xff' 'trail ' >sums 2>/dev/null
expect_rc "sha256sum -c accepts vouch's output" 0 sha256sum -c sums
check "sha256sum -c checked all 10 files" test "$(grep -c ': OK$' "$OUT")" -eq 10
cp hello hello.orig && printf 'x' >>hello
expect_rc "sha256sum -c notices a changed file in vouch's output" 1 sha256sum -c --quiet sums
mv hello.orig hello

# Errors: one line each, the other files still printed, exit 2.
run "$VOUCH" hash hello missing empty
sha256sum hello empty >"$T/.want"
check "missing file among several: exit 2" test "$RC" -eq 2
check "missing file among several: the others are printed" cmp -s "$OUT" "$T/.want"
check "missing file among several: one stderr line naming it" \
	test "$(wc -l <"$ERR")" -eq 1 -a "$(grep -c '^vouch: hash: missing: ' "$ERR")" -eq 1
mkdir adir
expect_err "a directory is an error" 2 '^vouch: hash: adir: ' "$VOUCH" hash adir
check "... with nothing on stdout" test ! -s "$OUT"
run "$VOUCH" hash hello adir missing
check "a directory and a missing file: exit 2, two stderr lines, the good one printed" \
	test "$RC" -eq 2 -a "$(wc -l <"$ERR")" -eq 2 -a "$(wc -l <"$OUT")" -eq 1
expect_err "no file is a usage error" 2 '^vouch: hash: ' "$VOUCH" hash
if [ "$(id -u)" -ne 0 ]; then
	printf 'secret\n' >locked && chmod 000 locked
	expect_err "an unreadable file is an error" 2 '^vouch: hash: locked: ' "$VOUCH" hash locked
	chmod 600 locked
elif command -v setpriv >/dev/null 2>&1; then
	chmod 0711 "$T"
	printf 'secret\n' >locked && chmod 000 locked
	expect_err "an unreadable file is an error (as nobody)" 2 '^vouch: hash: .*locked: ' \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$VOUCH" hash "$T/locked"
	chmod 0700 "$T"
fi
if [ -w /dev/full ]; then
	run bash -c '"$1" hash hello >/dev/full' _ "$VOUCH"
	check "a full standard output is an error (exit 2, one line)" \
		test "$RC" -eq 2 -a "$(wc -l <"$ERR")" -eq 1
fi

# Memory: a 512 MiB sparse file costs no more than a small one (max RSS well under 16 MiB).
truncate -s 512M sparse
check "setup: the sparse file is 512 MiB" test "$(stat -c %s sparse)" -eq 536870912
# maxrss_kb CMD...: the peak resident set of CMD in KiB, or nothing if it cannot be measured.
maxrss_kb() {
	if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o "$T/.rss" true 2>/dev/null; then
		/usr/bin/time -f %M -o "$T/.rss" "$@" >"$OUT" 2>"$ERR" && tail -n 1 "$T/.rss"
	elif [ -r /proc/self/status ]; then
		# VmHWM only grows, so its last reading while CMD runs is its peak so far; CMD
		# sets up its buffers at once, and 512 MiB takes far longer than one poll.
		local pid hwm= v i
		"$@" <&0 >"$OUT" 2>"$ERR" &
		pid=$!
		for ((i = 0; i < 6000; i++)); do
			v=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null)
			[ -n "$v" ] && hwm=$v
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.01
		done
		wait "$pid" && echo "$hwm"
	fi
}
big_rss=$(maxrss_kb "$VOUCH" hash sparse)
if [ -z "$big_rss" ]; then
	echo "ok $((_n + 1)) - bounded memory # SKIP neither /usr/bin/time nor python3 can measure max RSS"
	_n=$((_n + 1))
else
	sha256sum sparse >"$T/.want"
	check "512 MiB sparse file: hash equals sha256sum's" cmp -s "$OUT" "$T/.want"
	# Standard input that stays open a moment, so that a poller sees the process run.
	small_rss=$(maxrss_kb "$VOUCH" hash - < <(sleep 0.3; echo hi))
	echo "# max RSS: 512 MiB file ${big_rss} KiB, small file ${small_rss:-?} KiB"
	check "512 MiB file: max RSS below 16 MiB (${big_rss} KiB)" test "$big_rss" -lt 16384
	check "512 MiB file: max RSS within 4 MiB of a small file's (${big_rss} vs ${small_rss:-?} KiB)" \
		test -n "$small_rss" -a $((big_rss - ${small_rss:-0})) -lt 4096
fi
rm -f sparse

done_testing
