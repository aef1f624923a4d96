#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write crafted .deb files, each wrong in one way, for from-deb.sh: an ar writer and raw tar headers.

Usage: debcraft.py OUTDIR ELF      (ELF: an ELF program to put in the packages)
Writes OUTDIR/good.deb (a valid package, as a control) and OUTDIR/<case>.deb for each case below.
"""
import gzip
import lzma
import os
import sys

BLOCK = 512


def ar(members, magic=b"!<arch>\n"):
    out = bytearray(magic)
    for m in members:
        name, data = m[0], m[1]
        size = m[2] if len(m) > 2 else len(data)
        hdr = b"%-16s%-12d%-6d%-6d%-8s%-10d`\n" % (name, 0, 0, 0, b"100644", size)
        assert len(hdr) == 60
        out += hdr + data
        if len(data) % 2:
            out += b"\n"
    return bytes(out)


def octal(n, width):
    return (b"%0*o" % (width - 1, n)) + b"\0"


def header(name, size=0, typ=b"0", link=b"", magic=b"ustar  \0", prefix=b"", size_field=None):
    h = bytearray(BLOCK)
    h[0:len(name)] = name[:100]
    h[100:108] = octal(0o755, 8)
    h[108:116] = octal(0, 8)
    h[116:124] = octal(0, 8)
    h[124:136] = size_field if size_field is not None else octal(size, 12)
    h[136:148] = octal(0, 12)
    h[156:157] = typ
    h[157:157 + len(link)] = link[:100]
    h[257:265] = magic
    h[345:345 + len(prefix)] = prefix[:155]
    h[148:156] = b" " * 8
    h[148:156] = b"%06o\0 " % sum(h)
    return bytes(h)


def pad(data):
    return data + b"\0" * (-len(data) % BLOCK)


def entry(name, data=b"", typ=b"0", link=b"", **kw):
    return header(name, len(data) if typ in (b"0", b"\0", b"L", b"K", b"x", b"S") else 0, typ,
                  link, **kw) + pad(data)


def end(tar, blocks=2):
    tar += b"\0" * (BLOCK * blocks)
    return tar + b"\0" * (-len(tar) % (20 * BLOCK))


CONTROL = b"Package: crafted\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@t>\nDescription: t\n"


def control_tar(control=CONTROL, extra=b""):
    return end(entry(b"./", typ=b"5") + entry(b"./control", control) + extra)


def deb(data_tar, comp="xz", control=None, binary=b"2.0\n", order=None, extra=()):
    ctl = control if control is not None else control_tar()
    if comp == "xz":
        data, dname = lzma.compress(data_tar), b"data.tar.xz"
    elif comp == "gz":
        data, dname = gzip.compress(data_tar), b"data.tar.gz"
    else:
        data, dname = data_tar, b"data.tar"
    members = [(b"debian-binary", binary), (b"control.tar", ctl), (dname, data)]
    if order:
        members = [members[i] for i in order]
    return ar(members + list(extra))


def main():
    outdir, elf_path = sys.argv[1], sys.argv[2]
    elf = open(elf_path, "rb").read()
    script = b"#!/bin/sh\necho crafted\n"
    base = entry(b"./", typ=b"5") + entry(b"./usr/", typ=b"5") + entry(b"./usr/bin/", typ=b"5")
    good = end(base + entry(b"./usr/bin/prog", elf) + entry(b"./usr/bin/run", script))
    cases = {
        "good": deb(good),
        # names
        "dotdot": deb(end(base + entry(b"./usr/bin/../../etc/evil", script))),
        "absolute": deb(end(base + entry(b"/etc/evil", script))),
        "duplicate": deb(end(base + entry(b"./usr/bin/run", script) + entry(b"./usr/bin/run", elf))),
        "duplicate-spelling": deb(end(base + entry(b"./usr/bin/run", script) + entry(b"usr/bin/run", elf))),
        "empty-component": deb(end(base + entry(b"./usr//bin/run", script))),
        "file-slash": deb(end(base + entry(b"./usr/bin/run/", script))),
        "longname-nul": deb(end(base + entry(b"././@LongLink", b"./usr/bin/run\0x\0", typ=b"L")
                                + entry(b"./usr/bin/run", script))),
        "longname-dangling": deb(end(base + entry(b"././@LongLink", b"./usr/bin/run\0", typ=b"L"))),
        # types and sizes
        "pax": deb(end(base + entry(b"./PaxHeaders/run", b"30 path=./usr/bin/innocent\n", typ=b"x")
                       + entry(b"./usr/bin/run", script))),
        "dir-with-size": deb(end(base + header(b"./usr/sbin/", 1024, b"5")
                                 + entry(b"./usr/sbin/hidden", script) + entry(b"./usr/bin/x", script))),
        "symlink-with-size": deb(end(base + header(b"./usr/bin/l", 512, b"2", b"run") + pad(script))),
        "hardlink-nothing": deb(end(base + entry(b"./usr/bin/h", typ=b"1", link=b"./usr/bin/none"))),
        "sparse": deb(end(base + entry(b"./usr/bin/s", script, typ=b"S"))),
        # sizes that do not add up, truncation, huge sizes
        "tar-truncated": deb(base + header(b"./usr/bin/prog", len(elf)) + elf[:1000], comp="none"),
        "tar-no-end": deb(base + entry(b"./usr/bin/run", script), comp="none"),
        "after-end": deb(end(base + entry(b"./usr/bin/run", script)) + entry(b"./usr/bin/late", script),
                         comp="none"),
        "bad-checksum": deb(end(base + entry(b"./usr/bin/run", script)).replace(b"./usr/bin/run", b"./usr/bin/rUn", 1),
                            comp="none"),
        "tar-huge": deb(end(base + header(b"./usr/bin/big", 0, size_field=b"\x80" + b"\0" * 3 + b"\xff" * 8)), comp="none"),
        "ar-truncated": deb(good)[:-5000],
        "ar-huge": ar([(b"debian-binary", b"2.0\n"), (b"control.tar", control_tar()),
                       (b"data.tar", b"x" * 64, 9999999999)]),
        "ar-odd-size": ar([(b"debian-binary", b"2.0\n"), (b"control.tar", control_tar()),
                           (b"data.tar", good, len(good) + 7)]),
        # nested and doubled compression
        "nested": deb(gzip.compress(good), comp="xz"),
        "two-streams": ar([(b"debian-binary", b"2.0\n"), (b"control.tar", control_tar()),
                           (b"data.tar.gz", gzip.compress(good) + gzip.compress(good))]),
        "nested-deb": deb(end(base + entry(b"./usr/bin/inner.deb", deb(good)))),  # a file: fine
        # the ar layout
        "wrong-order": deb(good, order=[0, 2, 1]),
        "no-binary": deb(good, order=[1, 2]),
        "no-data": deb(good, order=[0, 1]),
        "version3": deb(good, binary=b"3.0\n"),
        "unknown-member": deb(good, extra=[(b"evil.tar", b"x")]),
        "not-ar": b"!<arch\n" + deb(good)[8:],
        "lzma-data": ar([(b"debian-binary", b"2.0\n"), (b"control.tar", control_tar()),
                         (b"data.tar.lzma", lzma.compress(good, format=lzma.FORMAT_ALONE))]),
        # the control archive
        "no-package": deb(good, control=control_tar(b"Version: 1.0\n")),
        "control-subdir": deb(good, control=control_tar(extra=entry(b"./sub/postinst", script))),
        # bytes that are not UTF-8 in a name: listed, as create lists them
        "latin1": deb(end(base + entry(b"./usr/bin/caf\xe9", script))),
    }
    for name, data in cases.items():
        with open(os.path.join(outdir, name + ".deb"), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
