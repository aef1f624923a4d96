// SPDX-License-Identifier: Apache-2.0

// Command tlogcheck verifies vouch's transparency log with code that is not
// vouch's: signed notes are opened by golang.org/x/mod/sumdb/note, and every
// tree hash, tile and proof is checked by golang.org/x/mod/sumdb/tlog.
//
// The log is a C2SP tlog-tiles directory (tile height 8) whose checkpoint is
// a C2SP tlog-checkpoint; inclusion proofs are C2SP tlog-proof@v1 and
// consistency proofs vouch/tlog-consistency@v1.
//
// Exit status: 0 verified, 1 not verified (one line on stderr says what
// failed), 2 usage or system error.
package main

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const (
	tileHeight = 8
	tileWidth  = 1 << tileHeight

	// Input caps: a note or proof is small; a bundle holds at most 256
	// entries of at most 65535 bytes, each after a 2-byte length.
	maxNote   = 1 << 20
	maxBundle = tileWidth * (2 + 65535)
	// A tree of at most 2^63 leaves has proofs of at most 63 hashes.
	maxProof = 63

	inclusionHeader   = "c2sp.org/tlog-proof@v1"
	consistencyHeader = "vouch/tlog-consistency@v1"
)

// emptyRoot is the root of the empty tree, SHA-256 of nothing (RFC 6962);
// tlog.TreeHash returns the zero Hash for it instead.
var emptyRoot = tlog.Hash(sha256.Sum256(nil))

// notVerified is a verification result (exit 1), as opposed to a usage or
// system error (exit 2).
type notVerified struct{ msg string }

func (e *notVerified) Error() string { return e.msg }

func failf(format string, a ...interface{}) error {
	return &notVerified{fmt.Sprintf(format, a...)}
}

// missingFile is a file of the log that is not there (also exit 1).
type missingFile struct{ path string }

func (e *missingFile) Error() string { return "missing " + e.path }

// isMissing reports whether err is that the file at path is missing.
func isMissing(err error, path string) bool {
	var mf *missingFile
	return errors.As(err, &mf) && mf.path == path
}

type command struct {
	name, args string
	run        func(args []string) error
}

var commands = []command{
	{"verify", "DIR VKEY", cmdVerify},
	{"inclusion", "PROOF VKEY", cmdInclusion},
	{"consistency", "PROOF OLDCHECKPOINT VKEY", cmdConsistency},
	{"note", "NOTEFILE VKEY", cmdNote},
	{"treehash", "DIR SIZE", cmdTreeHash},
	{"sign", "SKEYFILE", cmdSign},
	{"genkey", "NAME", cmdGenkey},
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage:")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  tlogcheck %s %s\n", c.name, c.args)
	}
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	for _, c := range commands {
		if c.name != os.Args[1] {
			continue
		}
		args := os.Args[2:]
		if len(args) != len(strings.Fields(c.args)) {
			usage()
		}
		err := c.run(args)
		if err == nil {
			os.Exit(0)
		}
		msg := strings.ReplaceAll(err.Error(), "\n", " ")
		fmt.Fprintf(os.Stderr, "tlogcheck: %s: %s\n", c.name, msg)
		var nv *notVerified
		var mf *missingFile
		if errors.As(err, &nv) || errors.As(err, &mf) {
			os.Exit(1)
		}
		os.Exit(2)
	}
	usage()
}

// readFile reads a regular file of at most max bytes.
func readFile(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, failf("%s: longer than %d bytes", path, max)
	}
	return b, nil
}

// oneLine returns the only line of b, which may end with a newline.
func oneLine(b []byte) (string, bool) {
	s := strings.TrimSuffix(string(b), "\n")
	return s, s != "" && !strings.ContainsAny(s, "\r\n")
}

// loadVerifier takes a note verifier key, or the name of a file holding one.
func loadVerifier(arg string) (note.Verifier, error) {
	v, err := note.NewVerifier(arg)
	if err == nil {
		return v, nil
	}
	b, ferr := readFile(arg, 4096)
	if errors.Is(ferr, fs.ErrNotExist) && strings.Contains(arg, "+") {
		return nil, fmt.Errorf("verifier key %s: %v", arg, err)
	}
	if ferr != nil {
		return nil, ferr
	}
	key, ok := oneLine(b)
	if !ok {
		return nil, fmt.Errorf("%s: not one line", arg)
	}
	if v, err = note.NewVerifier(key); err != nil {
		return nil, fmt.Errorf("%s: %v", arg, err)
	}
	return v, nil
}

// parseDecimal parses a non-negative decimal without sign or leading zeros.
func parseDecimal(s string) (int64, bool) {
	if s == "" || s[0] < '0' || s[0] > '9' || s[0] == '0' && len(s) > 1 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// parseBase64 decodes canonical standard base64: no stray characters
// (Go's decoder would skip CR and LF), no non-zero padding bits.
func parseBase64(s string) ([]byte, bool) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	return b, err == nil && base64.StdEncoding.EncodeToString(b) == s
}

func parseHash(s string) (tlog.Hash, bool) {
	var h tlog.Hash
	b, ok := parseBase64(s)
	if !ok || len(b) != len(h) {
		return h, false
	}
	copy(h[:], b)
	return h, true
}

// checkpoint is the body of a C2SP tlog-checkpoint.
type checkpoint struct {
	origin string
	tree   tlog.Tree
}

func parseCheckpoint(text string) (checkpoint, error) {
	var c checkpoint
	// note.Open leaves the text ending in a newline.
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return c, failf("checkpoint has %d lines, wanted origin, size and root", len(lines))
	}
	c.origin = lines[0]
	if c.origin == "" {
		return c, failf("checkpoint has an empty origin")
	}
	var ok bool
	if c.tree.N, ok = parseDecimal(lines[1]); !ok {
		return c, failf("checkpoint size %q is not a decimal number", lines[1])
	}
	if c.tree.Hash, ok = parseHash(lines[2]); !ok {
		return c, failf("checkpoint root %q is not a base64 SHA-256 hash", lines[2])
	}
	for _, ext := range lines[3:] {
		if ext == "" {
			return c, failf("checkpoint has an empty extension line")
		}
	}
	if c.tree.N == 0 && c.tree.Hash != emptyRoot {
		return c, failf("checkpoint of the empty tree has root %v, not SHA-256 of nothing", c.tree.Hash)
	}
	return c, nil
}

// openCheckpoint checks the log's signature on a checkpoint note and parses it.
// C2SP tlog-checkpoint has the log sign with a key named after its origin.
func openCheckpoint(what string, msg []byte, v note.Verifier) (checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return checkpoint{}, failf("%s: %v", what, err)
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		return c, failf("%s: %v", what, err)
	}
	if c.origin != v.Name() {
		return c, failf("%s: origin %q is not the key's name %q", what, c.origin, v.Name())
	}
	return c, nil
}

// logDir is a C2SP tlog-tiles directory. It is the tlog.TileReader under
// tlog.TileHashReader, and reads hash tiles and entry bundles unchecked.
type logDir struct {
	root  string
	cache map[tlog.Tile][]byte
}

func newLogDir(root string) *logDir {
	return &logDir{root: root, cache: make(map[tlog.Tile][]byte)}
}

// c2spPath maps a tile to its C2SP name: Go's sumdb paths carry the height
// ("tile/8/0/x001/234.p/5") and call the entries "data"; C2SP has neither
// ("tile/0/x001/234.p/5", "tile/entries/x001/234.p/5").
func c2spPath(t tlog.Tile) string {
	p := strings.TrimPrefix(t.Path(), fmt.Sprintf("tile/%d/", t.H))
	if t.L == -1 {
		p = "entries" + strings.TrimPrefix(p, "data")
	}
	return "tile/" + p
}

// widthAt is the width of tile n of level l in a tree of size leaves.
func widthAt(l int, n, size int64) int {
	w := size>>(uint(l)*tileHeight) - n*tileWidth
	if w > tileWidth {
		w = tileWidth
	}
	return int(w)
}

// find reads tile t's file or, when that is gone, the narrowest wider one of
// the same level and number: C2SP lets clients read a prefix of it. It
// returns the contents and the width of the file read.
func (d *logDir) find(t tlog.Tile, max int64) ([]byte, int, error) {
	for w := t.W; w <= tileWidth; w++ {
		f := t
		f.W = w
		b, err := readFile(filepath.Join(d.root, c2spPath(f)), max)
		if err == nil {
			return b, w, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, 0, err
		}
	}
	return nil, 0, &missingFile{c2spPath(t)}
}

// hashTile returns the t.W hashes of hash tile t, as tile data.
func (d *logDir) hashTile(t tlog.Tile) ([]byte, error) {
	if b, ok := d.cache[t]; ok {
		return b, nil
	}
	b, w, err := d.find(t, tileWidth*tlog.HashSize)
	if err != nil {
		return nil, err
	}
	if len(b) != w*tlog.HashSize {
		t.W = w
		return nil, failf("%s: %d bytes, not %d hashes", c2spPath(t), len(b), w)
	}
	b = b[:t.W*tlog.HashSize]
	// Full level-0 tiles are read once each; keep only what is read again.
	if t.L > 0 || t.W < tileWidth {
		d.cache[t] = b
	}
	return b, nil
}

// Height, ReadTiles and SaveTiles make logDir a tlog.TileReader.
func (d *logDir) Height() int { return tileHeight }

func (d *logDir) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, t := range tiles {
		b, err := d.hashTile(t)
		if err != nil {
			return nil, err
		}
		data[i] = b
	}
	return data, nil
}

func (d *logDir) SaveTiles([]tlog.Tile, [][]byte) {}

// plainHashes reads stored hashes from the tiles a tree of size leaves has,
// authenticating nothing: for treehash and for diagnostics.
func (d *logDir) plainHashes(size int64) tlog.HashReader {
	return tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		hashes := make([]tlog.Hash, len(indexes))
		for i, x := range indexes {
			t := tlog.TileForIndex(tileHeight, x)
			w := widthAt(t.L, t.N, size)
			if w < t.W {
				return nil, fmt.Errorf("stored hash %d is not in a tree of %d", x, size)
			}
			t.W = w
			b, err := d.hashTile(t)
			if err != nil {
				return nil, err
			}
			if hashes[i], err = tlog.HashFromTile(t, b, x); err != nil {
				return nil, err
			}
		}
		return hashes, nil
	})
}

// staleWidths lists the widths below w of the partial files of tile t that
// are still there: older partial tiles, which must agree with the tree.
func (d *logDir) staleWidths(t tlog.Tile, w int) ([]int, error) {
	t.W = 1
	dir := filepath.Dir(filepath.Join(d.root, c2spPath(t)))
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ws []int
	for _, e := range ents {
		n, ok := parseDecimal(e.Name())
		if ok && n >= 1 && n < int64(w) {
			ws = append(ws, int(n))
		}
	}
	return ws, nil
}

// authTiles serves the hash tiles of a tree once they are proven to be in it.
// Partial tiles, on the tree's right edge, come through tlog.TileHashReader,
// which checks them against the root. Full tiles are checked here against
// their parent's hash: x/mod 0.7.0's TileHashReader skips that check for the
// first few full tiles of a request (its loop starts at len(stx), the number
// of subtree hashes, not the number of distinct tiles that hold them), so a
// level-0 tile rewritten to match a rewritten entry would get through.
type authTiles struct {
	d    *logDir
	size int64
	edge tlog.HashReader
	done map[tlog.Tile][]byte
}

// tile returns the authenticated data of tile n of level l.
func (a *authTiles) tile(l int, n int64) (tlog.Tile, []byte, error) {
	t := tlog.Tile{H: tileHeight, L: l, N: n, W: widthAt(l, n, a.size)}
	if b, ok := a.done[t]; ok {
		return t, b, nil
	}
	var b []byte
	var err error
	if t.W < tileWidth {
		if b, err = tlog.ReadTileData(t, a.edge); err != nil {
			var mf *missingFile
			if !errors.As(err, &mf) {
				err = failf("%s: %v", c2spPath(t), err)
			}
		}
	} else {
		b, err = a.full(t)
	}
	if err != nil {
		return t, nil, err
	}
	// Full level-0 tiles are asked for once each.
	if l > 0 || t.W < tileWidth {
		a.done[t] = b
	}
	return t, b, nil
}

// full checks a full tile's subtree hash against the hash its parent holds.
func (a *authTiles) full(t tlog.Tile) ([]byte, error) {
	b, err := a.d.hashTile(t)
	if err != nil {
		return nil, err
	}
	// The subtree hash is that of its two halves, which tlog reads off the tile.
	half := t.L*tileHeight + tileHeight - 1
	left, err := tlog.HashFromTile(t, b, tlog.StoredHashIndex(half, 2*t.N))
	if err != nil {
		return nil, err
	}
	right, err := tlog.HashFromTile(t, b, tlog.StoredHashIndex(half, 2*t.N+1))
	if err != nil {
		return nil, err
	}
	pt, pb, err := a.tile(t.L+1, t.N/tileWidth)
	if err != nil {
		return nil, err
	}
	want, err := tlog.HashFromTile(pt, pb, tlog.StoredHashIndex((t.L+1)*tileHeight, t.N))
	if err != nil {
		return nil, err
	}
	if tlog.NodeHash(left, right) != want {
		return nil, failf("%s: its hashes are not the tree's", c2spPath(t))
	}
	return b, nil
}

// splitBundle splits an entry bundle into its entries: each a big-endian
// 16-bit length and that many bytes, nothing after the last.
func splitBundle(b []byte) ([][]byte, error) {
	var entries [][]byte
	for len(b) > 0 {
		if len(b) < 2 {
			return nil, errors.New("truncated entry length")
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b)-2 < n {
			return nil, fmt.Errorf("entry %d is truncated", len(entries))
		}
		entries = append(entries, b[2:2+n])
		b = b[2+n:]
	}
	return entries, nil
}

// readBundle reads the first t.W entries of bundle t, from its own file or
// a wider one, which must hold exactly as many entries as its name says.
func (d *logDir) readBundle(t tlog.Tile) ([][]byte, error) {
	b, w, err := d.find(t, maxBundle)
	if err != nil {
		return nil, err
	}
	entries, err := splitBundle(b)
	f := t
	f.W = w
	if err == nil && len(entries) != w {
		err = fmt.Errorf("%d entries, not %d", len(entries), w)
	}
	if err != nil {
		return nil, failf("%s: %v", c2spPath(f), err)
	}
	return entries[:t.W], nil
}

// checkEntry checks that an entry is a vouch decision: a JSON object with a
// string "decision".
func checkEntry(e []byte) error {
	var obj map[string]json.RawMessage
	if !utf8.Valid(e) || json.Unmarshal(e, &obj) != nil || obj == nil {
		return errors.New("not a JSON object")
	}
	raw, ok := obj["decision"]
	if !ok {
		return errors.New("no \"decision\"")
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return errors.New("\"decision\" is not a string")
	}
	return nil
}

// checkEntries compares the record hash of every entry present with the
// authenticated level-0 hash. A contiguous prefix of full bundles may have
// been removed by retention; it returns the entries checked and the bundles
// missing.
func (a *authTiles) checkEntries() (checked, pruned int64, err error) {
	for n := int64(0); n*tileWidth < a.size; n++ {
		t := tlog.Tile{H: tileHeight, L: -1, N: n, W: widthAt(0, n, a.size)}
		entries, err := a.d.readBundle(t)
		if isMissing(err, c2spPath(t)) && t.W == tileWidth && pruned == n {
			pruned++
			continue
		}
		if err != nil {
			return 0, 0, err
		}
		ht, hb, err := a.tile(0, n)
		if err != nil {
			return 0, 0, err
		}
		hashes := make([]tlog.Hash, t.W)
		for i, e := range entries {
			x := n*tileWidth + int64(i)
			if hashes[i], err = tlog.HashFromTile(ht, hb, tlog.StoredHashIndex(0, x)); err != nil {
				return 0, 0, err
			}
			if tlog.RecordHash(e) != hashes[i] {
				return 0, 0, failf("entry %d (%s): its hash is not the tree's", x, c2spPath(t))
			}
			if err := checkEntry(e); err != nil {
				return 0, 0, failf("entry %d (%s): %v", x, c2spPath(t), err)
			}
		}
		checked += int64(t.W)

		ws, err := a.d.staleWidths(t, t.W)
		if err != nil {
			return 0, 0, err
		}
		for _, w := range ws {
			s := t
			s.W = w
			old, err := a.d.readBundle(s)
			if err != nil {
				return 0, 0, err
			}
			for i, e := range old {
				if tlog.RecordHash(e) != hashes[i] {
					return 0, 0, failf("entry %d of older %s is not the tree's", n*tileWidth+int64(i), c2spPath(s))
				}
			}
		}
	}
	return checked, pruned, nil
}

// checkTiles authenticates every hash tile of the tree, and checks that
// older partial tiles still there are prefixes of them. Only a contiguous
// prefix of full level-0 tiles may be missing.
func (a *authTiles) checkTiles() error {
	pruning := true // no level-0 tile read yet
	for l := 0; a.size>>(uint(l)*tileHeight) > 0; l++ {
		for n := int64(0); n*tileWidth < a.size>>(uint(l)*tileHeight); n++ {
			t, b, err := a.tile(l, n)
			if l == 0 && t.W == tileWidth && pruning && isMissing(err, c2spPath(t)) {
				continue
			}
			if err != nil {
				return err
			}
			if l == 0 {
				pruning = false
			}
			ws, err := a.d.staleWidths(t, t.W)
			if err != nil {
				return err
			}
			for _, w := range ws {
				s := t
				s.W = w
				old, err := readFile(filepath.Join(a.d.root, c2spPath(s)), tileWidth*tlog.HashSize)
				if err != nil {
					return err
				}
				if len(old) != w*tlog.HashSize {
					return failf("%s: %d bytes, not %d hashes", c2spPath(s), len(old), w)
				}
				for i := 0; i < w; i++ {
					k := i * tlog.HashSize
					if !bytes.Equal(old[k:k+tlog.HashSize], b[k:k+tlog.HashSize]) {
						return failf("hash %d of older %s is not the tree's", i, c2spPath(s))
					}
				}
			}
		}
	}
	return nil
}

func cmdVerify(args []string) error {
	v, err := loadVerifier(args[1])
	if err != nil {
		return err
	}
	d := newLogDir(args[0])
	msg, err := readFile(filepath.Join(d.root, "checkpoint"), maxNote)
	if errors.Is(err, fs.ErrNotExist) {
		return &missingFile{"checkpoint"}
	}
	if err != nil {
		return err
	}
	c, err := openCheckpoint("checkpoint", msg, v)
	if err != nil {
		return err
	}
	var checked, pruned int64
	if c.tree.N > 0 {
		// The tiles on the right edge give the root, or TileHashReader
		// refuses to serve any hash from them.
		r := tlog.TileHashReader(c.tree, d)
		if _, err := tlog.TreeHash(c.tree.N, r); err != nil {
			th, perr := tlog.TreeHash(c.tree.N, d.plainHashes(c.tree.N))
			if perr == nil && th != c.tree.Hash {
				return failf("the tiles' root is %v, the checkpoint's %v", th, c.tree.Hash)
			}
			var mf *missingFile
			if errors.As(err, &mf) {
				return err
			}
			return failf("tree hash: %v", err)
		}
		a := &authTiles{d: d, size: c.tree.N, edge: r, done: make(map[tlog.Tile][]byte)}
		if checked, pruned, err = a.checkEntries(); err != nil {
			return err
		}
		if err := a.checkTiles(); err != nil {
			return err
		}
	}
	fmt.Printf("ok size=%d root=%v entries=%d pruned-bundles=%d\n", c.tree.N, c.tree.Hash, checked, pruned)
	return nil
}

// parseProof splits a proof file into the lines of its header after the
// first, its hashes, and the checkpoint note after the blank line.
func parseProof(msg []byte, header string, fields int) ([]string, []tlog.Hash, []byte, error) {
	i := bytes.Index(msg, []byte("\n\n"))
	if i < 0 {
		return nil, nil, nil, failf("no blank line before the checkpoint")
	}
	lines := strings.Split(string(msg[:i]), "\n")
	if lines[0] != header {
		return nil, nil, nil, failf("not a %s proof", header)
	}
	if len(lines) < 1+fields {
		return nil, nil, nil, failf("proof is truncated")
	}
	hl := lines[1+fields:]
	if len(hl) > maxProof {
		return nil, nil, nil, failf("proof has %d hashes, more than any tree needs", len(hl))
	}
	hashes := make([]tlog.Hash, len(hl))
	for j, s := range hl {
		var ok bool
		if hashes[j], ok = parseHash(s); !ok {
			return nil, nil, nil, failf("proof line %q is not a base64 SHA-256 hash", s)
		}
	}
	return lines[1 : 1+fields], hashes, msg[i+2:], nil
}

// field returns the value of a "name value" header line.
func field(line, name string) (string, error) {
	if !strings.HasPrefix(line, name+" ") {
		return "", failf("proof has %q where %q belongs", line, name)
	}
	return line[len(name)+1:], nil
}

func cmdInclusion(args []string) error {
	v, err := loadVerifier(args[1])
	if err != nil {
		return err
	}
	msg, err := readFile(args[0], maxNote)
	if err != nil {
		return err
	}
	fields, proof, cp, err := parseProof(msg, inclusionHeader, 2)
	if err != nil {
		return err
	}
	s, err := field(fields[0], "extra")
	if err != nil {
		return err
	}
	entry, ok := parseBase64(s)
	if !ok {
		return failf("extra is not base64")
	}
	s, err = field(fields[1], "index")
	if err != nil {
		return err
	}
	index, ok := parseDecimal(s)
	if !ok {
		return failf("index %q is not a decimal number", s)
	}
	c, err := openCheckpoint("checkpoint", cp, v)
	if err != nil {
		return err
	}
	if index >= c.tree.N {
		return failf("index %d is not in the tree of %d", index, c.tree.N)
	}
	if err := tlog.CheckRecord(proof, c.tree.N, c.tree.Hash, index, tlog.RecordHash(entry)); err != nil {
		return failf("entry %d in the tree of %d: %v", index, c.tree.N, err)
	}
	fmt.Printf("ok index=%d size=%d\n", index, c.tree.N)
	return nil
}

func cmdConsistency(args []string) error {
	v, err := loadVerifier(args[2])
	if err != nil {
		return err
	}
	msg, err := readFile(args[0], maxNote)
	if err != nil {
		return err
	}
	oldMsg, err := readFile(args[1], maxNote)
	if err != nil {
		return err
	}
	fields, proof, cp, err := parseProof(msg, consistencyHeader, 1)
	if err != nil {
		return err
	}
	s, err := field(fields[0], "old")
	if err != nil {
		return err
	}
	old, ok := parseDecimal(s)
	if !ok {
		return failf("old size %q is not a decimal number", s)
	}
	c, err := openCheckpoint("checkpoint", cp, v)
	if err != nil {
		return err
	}
	oc, err := openCheckpoint("old checkpoint", oldMsg, v)
	if err != nil {
		return err
	}
	if oc.tree.N != old {
		return failf("the old checkpoint is of %d entries, the proof from %d", oc.tree.N, old)
	}
	if old > c.tree.N {
		return failf("the old tree of %d is larger than the new of %d", old, c.tree.N)
	}
	// Every tree extends the empty one; tlog.CheckTree wants old >= 1.
	if old == 0 {
		if len(proof) != 0 {
			return failf("a proof from the empty tree has hashes")
		}
	} else if err := tlog.CheckTree(proof, c.tree.N, c.tree.Hash, old, oc.tree.Hash); err != nil {
		return failf("tree of %d extending the tree of %d: %v", c.tree.N, old, err)
	}
	fmt.Printf("ok old=%d new=%d\n", old, c.tree.N)
	return nil
}

func cmdNote(args []string) error {
	v, err := loadVerifier(args[1])
	if err != nil {
		return err
	}
	msg, err := readFile(args[0], maxNote)
	if err != nil {
		return err
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return failf("%v", err)
	}
	fmt.Print(n.Text)
	return nil
}

func cmdTreeHash(args []string) error {
	size, ok := parseDecimal(args[1])
	if !ok {
		return fmt.Errorf("size %q is not a decimal number", args[1])
	}
	th := emptyRoot
	if size > 0 {
		var err error
		if th, err = tlog.TreeHash(size, newLogDir(args[0]).plainHashes(size)); err != nil {
			return failf("%v", err)
		}
	}
	fmt.Println(th)
	return nil
}

func cmdSign(args []string) error {
	b, err := readFile(args[0], 4096)
	if err != nil {
		return err
	}
	skey, ok := oneLine(b)
	if !ok {
		return fmt.Errorf("%s: not one line", args[0])
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		return fmt.Errorf("%s: %v", args[0], err)
	}
	text, err := io.ReadAll(io.LimitReader(os.Stdin, maxNote+1))
	if err != nil {
		return err
	}
	if len(text) > maxNote {
		return fmt.Errorf("text longer than %d bytes", maxNote)
	}
	msg, err := note.Sign(&note.Note{Text: string(text)}, s)
	if err != nil {
		return fmt.Errorf("text: %v", err)
	}
	_, err = os.Stdout.Write(msg)
	return err
}

func cmdGenkey(args []string) error {
	skey, vkey, err := note.GenerateKey(rand.Reader, args[0])
	if err != nil {
		return err
	}
	fmt.Printf("%s\n%s\n", skey, vkey)
	return nil
}
