// SPDX-License-Identifier: Apache-2.0

// Command jsonbytes reads vouch's --json output with Go's encoding/json, which
// knows nothing of vouch, and prints the exact bytes of the string members it
// is asked for, in hex: KEY's UTF-8, or the bytes of KEY_b64 when that is
// there (docs/formats.md, "Strings in JSON").
//
// Usage: jsonbytes KEY... <JSON-lines
//
// One output line per input line: for each KEY, its bytes in lower-case hex,
// "-" if the object has no such string, separated by spaces. It also checks
// what the format promises: KEY_b64 is strict, padded base64 of bytes that are
// not valid UTF-8, and KEY is those bytes with U+FFFD for each byte that is not
// part of valid UTF-8 (as ranging over a Go string decodes them).
//
// Exit status: 0 read, 1 an object breaks the format (one line on stderr says
// which and how), 2 usage or input that is not JSON objects.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"
)

// lossy is b with each byte that is not part of valid UTF-8 replaced by U+FFFD.
func lossy(b []byte) string {
	var sb strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n == 1 {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.Write(b[:n])
		}
		b = b[n:]
	}
	return sb.String()
}

// member returns the bytes of obj[key], whether it is there, and what is wrong.
func member(obj map[string]any, key string) ([]byte, bool, error) {
	v, ok := obj[key]
	if !ok || v == nil {
		if _, has := obj[key+"_b64"]; has {
			return nil, false, fmt.Errorf("%s_b64 without %s", key, key)
		}
		return nil, false, nil
	}
	text, ok := v.(string)
	if !ok {
		return nil, false, fmt.Errorf("%s is not a string", key)
	}
	bv, has := obj[key+"_b64"]
	if !has {
		return []byte(text), true, nil
	}
	b64, ok := bv.(string)
	if !ok {
		return nil, false, fmt.Errorf("%s_b64 is not a string", key)
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil {
		return nil, false, fmt.Errorf("%s_b64: %v", key, err)
	}
	if utf8.Valid(raw) {
		return nil, false, fmt.Errorf("%s_b64 holds valid UTF-8", key)
	}
	if lossy(raw) != text {
		return nil, false, fmt.Errorf("%s is %q, not the readable form %q of %s_b64", key, text, lossy(raw), key)
	}
	return raw, true, nil
}

func main() {
	keys := os.Args[1:]
	if len(keys) == 0 {
		fmt.Fprintln(os.Stderr, "usage: jsonbytes KEY... <JSON-lines")
		os.Exit(2)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<22)
	out := bufio.NewWriter(os.Stdout)
	for line := 1; in.Scan(); line++ {
		var obj map[string]any
		dec := json.NewDecoder(bytes.NewReader(in.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil {
			fmt.Fprintf(os.Stderr, "jsonbytes: line %d: %v\n", line, err)
			os.Exit(2)
		}
		fields := make([]string, len(keys))
		for i, k := range keys {
			b, ok, err := member(obj, k)
			if err != nil {
				fmt.Fprintf(os.Stderr, "jsonbytes: line %d: %v\n", line, err)
				os.Exit(1)
			}
			fields[i] = "-"
			if ok {
				fields[i] = hex.EncodeToString(b)
				if len(b) == 0 {
					fields[i] = "''"
				}
			}
		}
		fmt.Fprintln(out, strings.Join(fields, " "))
	}
	if err := in.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "jsonbytes: %v\n", err)
		os.Exit(2)
	}
	if err := out.Flush(); err != nil {
		os.Exit(2)
	}
}
