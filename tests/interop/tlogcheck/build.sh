#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Builds tlogcheck offline from Debian 12's golang-go and golang-golang-x-mod-dev.
# Usage: tests/interop/tlogcheck/build.sh BUILDDIR   (writes BUILDDIR/tlogcheck)
# Exit status: 0 built (silently), 77 Go or x/mod missing, 2 usage, 1 build failed.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 BUILDDIR" >&2; exit 2; }
src=$(cd "$(dirname "$0")" && pwd)
gopath=/usr/share/gocode
if ! command -v go >/dev/null 2>&1; then
	echo "tlogcheck: go is not installed (Debian: golang-go)" >&2
	exit 77
fi
for p in note tlog; do
	if [ ! -d "$gopath/src/golang.org/x/mod/sumdb/$p" ]; then
		echo "tlogcheck: $gopath has no golang.org/x/mod/sumdb/$p (Debian: golang-golang-x-mod-dev)" >&2
		exit 77
	fi
done
mkdir -p "$1"
out=$(cd "$1" && pwd)
# GOPATH mode over Debian's sources only: no modules, no network, no user settings.
env GO111MODULE=off GOPATH="$gopath" GOPROXY=off GOFLAGS= GOENV=off GOTOOLCHAIN=local \
	GOCACHE="$out/gocache" CGO_ENABLED=0 \
	go build -trimpath -o "$out/tlogcheck" "$src/main.go"
