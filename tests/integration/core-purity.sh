#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# libvouch-core makes no system calls: every symbol its objects need from outside is one of
# the core's own, libcrypto's or libsodium's, or a libc function on this list (memory,
# strings, formatting into buffers, time arithmetic). A file, socket, process, thread or
# clock call anywhere in the core fails this test, and names the object that makes it.
. "${VOUCH_SRC:?tests/run sets it}/tests/integration/lib.sh" || exit 2
core=$VOUCH_BUILD/src/lib/libvouch-core.a
sys=$VOUCH_BUILD/src/lib/libvouch-sys.a
if ! command -v nm >/dev/null; then
	echo "ok 1 - core purity # SKIP nm (binutils) is missing"
	echo "1..1"
	exit 0
fi
check "the core library is built" test -f "$core"
check "the system library is built" test -f "$sys"
# What the core may call: no I/O, no processes, no threads, no clock.
libc_ok='^(memchr|memcmp|memcpy|memmove|memset|strchr|strrchr|strcmp|strncmp|strcpy|strncpy|strlen|strnlen|strspn|strcspn|strstr|strtoul|strtoull|strtol|strtoll|strerror|snprintf|vsnprintf|malloc|calloc|realloc|aligned_alloc|free|qsort|bsearch|explicit_bzero|gmtime_r|timegm|strftime|__errno_location|__stack_chk_fail|__assert_fail)$'
libs_ok='^(EVP_|OSSL_|OPENSSL_|CRYPTO_|SHA256_|RAND_|ERR_|crypto_|sodium_|randombytes_|vouch_)'
# jansson, for TUF metadata (src/lib/core/tuf-*.c): parsing from a buffer (json_loadb), object
# and array access and construction, and freeing; never its file or stream calls
# (json_load_file, json_loadf, json_loadfd, json_dump_file, json_dumpf, json_dumpfd), which
# this list leaves out. fnmatch: the shell patterns of TUF delegations, matched on strings.
jansson_ok='^(json_loadb|json_delete|json_object|json_object_get|json_object_size|json_object_set_new|json_object_iter|json_object_iter_next|json_object_iter_key|json_object_iter_value|json_object_key_to_iter|json_array|json_array_get|json_array_size|json_array_append_new|json_string|json_stringn|json_string_value|json_string_length|json_integer|json_integer_value|json_true|json_false|json_null|json_pack|json_deep_copy|fnmatch)$'
libs_ok="$libs_ok|$jansson_ok"
# Instrumentation of the sanitizer and fuzzing builds, and the table the linker makes for
# position-independent code (not a function anybody provides).
tools_ok='^(__asan_|__ubsan_|__sanitizer_|__lsan_|__msan_|__tsan_|__sancov_|__odr_asan|_GLOBAL_OFFSET_TABLE_$)'
# offenders LIB: "object symbol" for every undefined symbol the lists do not allow.
offenders() {
	nm -A -u "$1" 2>/dev/null | awk '{print $1, $NF}' | while read -r where sym; do
		printf '%s\n' "$sym" | grep -qE "$libc_ok|$libs_ok|$tools_ok" || printf '%s %s\n' "$where" "$sym"
	done
}
bad=$(offenders "$core")
check "no object of the core calls anything but the core, libcrypto, libsodium and pure libc" \
	test -z "$bad"
[ -z "$bad" ] || printf '%s\n' "$bad" | head -n 20 | sed 's/^/# /'
# The lists are not vacuous: the same test of the system library finds its file and LMDB calls.
sysbad=$(offenders "$sys")
check "(the test can fail: it finds libvouch-sys's open and mdb_env_open)" \
	bash -c "grep -qE ' (open|open64)\$' <<<\"\$1\" && grep -q ' mdb_env_open\$' <<<\"\$1\"" _ "$sysbad"

# And the core stands alone: a program linking only it, libcrypto and libsodium.
if command -v cc >/dev/null && command -v pkg-config >/dev/null; then
	cat >"$T/inspector.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include "vouch/note.h"
#include "vouch/tlog.h"
int main(void)
{
	uint8_t h[VOUCH_TLOG_HASH];
	return vouch_tlog_leaf_hash("x", 1, h) != 0;
}
EOF
	# A sanitized core needs its sanitizer's runtime, which is not a library of ours.
	san=()
	nm -u "$core" 2>/dev/null | grep -q ' __asan_' && san+=(-fsanitize=address)
	nm -u "$core" 2>/dev/null | grep -q ' __ubsan_' && san+=(-fsanitize=undefined)
	check "an offline inspector links the core alone" \
		cc "${san[@]}" -o "$T/inspector" "$T/inspector.c" -I"$VOUCH_SRC/include" "$core" \
		$(pkg-config --libs libcrypto libsodium)
	check "and runs" "$T/inspector"
fi
done_testing
