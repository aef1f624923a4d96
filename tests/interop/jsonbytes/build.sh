#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Builds jsonbytes offline with Debian 12's golang-go (the standard library only).
# Usage: tests/interop/jsonbytes/build.sh BUILDDIR   (writes BUILDDIR/jsonbytes)
# Exit status: 0 built (silently), 77 Go missing, 2 usage, 1 build failed.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
src=$(cd "$(dirname "$0")" && pwd)
if ! command -v go >/dev/null 2>&1; then
	echo "jsonbytes: go is not installed (Debian: golang-go)" >&2
	exit 77
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)
# GOPATH mode, nothing fetched: no modules, no network, no user settings.
env GO111MODULE=off GOPATH="$out/gopath" GOPROXY=off GOFLAGS= GOENV=off GOTOOLCHAIN=local \
	GOCACHE="$out/gocache" CGO_ENABLED=0 \
	go build -trimpath -o "$out/jsonbytes" "$src/main.go"
