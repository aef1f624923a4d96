/* SPDX-License-Identifier: Apache-2.0 */
/* A .deb read from a descriptor: ar members found, tar members decompressed and fed to the core. */
#include <bzlib.h>
#include <errno.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#include "vouch/debfile.h"
#include "vouch/error.h"
#include "vouch/file.h"

#define CHUNK (256u * 1024)
/* xz's decoder may use this much memory: more than xz -9e needs (674 MiB is its worst). */
#define XZ_MEMLIMIT (1ull << 30)

static int refuse(struct vouch_deb_problem *pb, const char *member, const char *why)
{
	snprintf(pb->member, sizeof(pb->member), "%s", member ? member : "");
	pb->why = why;
	pb->name[0] = '\0';
	return VOUCH_E_DEB;
}

/* One decompressor of any kind; the one in use is @comp's. */
struct unpack {
	enum vouch_deb_comp comp;
	bool ready, ended;
	z_stream z;
	lzma_stream x;
	ZSTD_DStream *zs;
	bz_stream b;
};

static int unpack_init(struct unpack *u, enum vouch_deb_comp comp)
{
	memset(u, 0, sizeof(*u));
	u->comp = comp;
	switch (comp) {
	case VOUCH_DEB_PLAIN:
		break;
	case VOUCH_DEB_GZIP:
		/* 16 + window bits: gzip's wrapper only (not zlib's, not a guess). */
		if (inflateInit2(&u->z, 16 + MAX_WBITS) != Z_OK)
			return -ENOMEM;
		break;
	case VOUCH_DEB_XZ: {
		lzma_stream init = LZMA_STREAM_INIT;

		u->x = init;
		/* No LZMA_CONCATENATED: one stream, and nothing after it. */
		if (lzma_stream_decoder(&u->x, XZ_MEMLIMIT, 0) != LZMA_OK)
			return -ENOMEM;
		break;
	}
	case VOUCH_DEB_ZSTD:
		u->zs = ZSTD_createDStream();
		if (!u->zs)
			return -ENOMEM;
		if (ZSTD_isError(ZSTD_initDStream(u->zs))) {
			ZSTD_freeDStream(u->zs);
			return -ENOMEM;
		}
		break;
	case VOUCH_DEB_BZIP2:
		if (BZ2_bzDecompressInit(&u->b, 0, 0) != BZ_OK)
			return -ENOMEM;
		break;
	}
	u->ready = true;
	return 0;
}

static void unpack_end(struct unpack *u)
{
	if (!u->ready)
		return;
	switch (u->comp) {
	case VOUCH_DEB_PLAIN:
		break;
	case VOUCH_DEB_GZIP:
		inflateEnd(&u->z);
		break;
	case VOUCH_DEB_XZ:
		lzma_end(&u->x);
		break;
	case VOUCH_DEB_ZSTD:
		ZSTD_freeDStream(u->zs);
		break;
	case VOUCH_DEB_BZIP2:
		BZ2_bzDecompressEnd(&u->b);
		break;
	}
	u->ready = false;
}

/*
 * Decompress what it can of @in (@*inlen bytes) into @out (@cap bytes).
 * @*inlen: in, bytes offered; out, bytes consumed. @*outlen: bytes produced.
 * Return: 0, or 1 for corrupt data (u->ended set at the stream's end).
 */
static int unpack_step(struct unpack *u, const uint8_t *in, size_t *inlen, uint8_t *out, size_t cap,
                       size_t *outlen)
{
	switch (u->comp) {
	case VOUCH_DEB_PLAIN: {
		size_t n = *inlen < cap ? *inlen : cap;

		memcpy(out, in, n);
		*inlen = n;
		*outlen = n;
		return 0;
	}
	case VOUCH_DEB_GZIP: {
		int r;

		u->z.next_in = (Bytef *)(uintptr_t)in;
		u->z.avail_in = (uInt)*inlen;
		u->z.next_out = out;
		u->z.avail_out = (uInt)cap;
		r = inflate(&u->z, Z_NO_FLUSH);
		*inlen -= u->z.avail_in;
		*outlen = cap - u->z.avail_out;
		if (r == Z_STREAM_END)
			u->ended = true;
		else if (r != Z_OK && r != Z_BUF_ERROR)
			return 1;
		return 0;
	}
	case VOUCH_DEB_XZ: {
		lzma_ret r;

		u->x.next_in = in;
		u->x.avail_in = *inlen;
		u->x.next_out = out;
		u->x.avail_out = cap;
		r = lzma_code(&u->x, LZMA_RUN);
		*inlen -= u->x.avail_in;
		*outlen = cap - u->x.avail_out;
		if (r == LZMA_STREAM_END)
			u->ended = true;
		else if (r != LZMA_OK && r != LZMA_BUF_ERROR)
			return 1;
		return 0;
	}
	case VOUCH_DEB_ZSTD: {
		ZSTD_inBuffer ib = {in, *inlen, 0};
		ZSTD_outBuffer ob = {out, cap, 0};
		size_t r = ZSTD_decompressStream(u->zs, &ob, &ib);

		*inlen = ib.pos;
		*outlen = ob.pos;
		if (ZSTD_isError(r))
			return 1;
		/* 0: a frame is complete and flushed. */
		if (r == 0)
			u->ended = true;
		return 0;
	}
	case VOUCH_DEB_BZIP2: {
		int r;

		u->b.next_in = (char *)(uintptr_t)in;
		u->b.avail_in = (unsigned)*inlen;
		u->b.next_out = (char *)out;
		u->b.avail_out = (unsigned)cap;
		r = BZ2_bzDecompress(&u->b);
		*inlen -= u->b.avail_in;
		*outlen = cap - u->b.avail_out;
		if (r == BZ_STREAM_END)
			u->ended = true;
		else if (r != BZ_OK)
			return 1;
		return 0;
	}
	}
	return 1;
}

/*
 * The member @mem at @off of @fd, decompressed into @t, at most @max bytes of it.
 * Return: 0 or an error (VOUCH_E_DEB with @pb set).
 */
static int feed_member(int fd, off_t off, const struct vouch_deb_member *mem, uint64_t max,
                       struct vouch_debtar *t, const char *member, struct vouch_deb_problem *pb)
{
	uint8_t *in = malloc(CHUNK), *out = malloc(CHUNK);
	uint64_t left = mem->size, produced = 0;
	struct unpack u;
	int ret = unpack_init(&u, mem->comp);

	if (!in || !out)
		ret = -ENOMEM;
	while (!ret && left > 0) {
		size_t want = left < CHUNK ? (size_t)left : CHUNK, got, pos = 0;

		ret = vouch_pread_full(fd, in, want, off, &got);
		if (!ret && got != want)
			ret = refuse(pb, member, "the file changed or ended while it was read");
		if (ret)
			break;
		off += (off_t)got;
		left -= got;
		/* Every byte of the chunk goes in; output is drained as it comes. */
		while (!ret &&
		       (pos < got || (left == 0 && !u.ended && mem->comp != VOUCH_DEB_PLAIN))) {
			size_t inlen = got - pos, outlen = 0;

			if (u.ended) {
				ret = refuse(pb, member,
				             "bytes after the end of the compressed stream");
				break;
			}
			if (unpack_step(&u, in + pos, &inlen, out, CHUNK, &outlen)) {
				ret = refuse(pb, member, "corrupt compressed data");
				break;
			}
			pos += inlen;
			produced += outlen;
			if (produced > max) {
				ret = refuse(pb, member, "decompresses to more than vouch reads");
				break;
			}
			if (outlen && (ret = vouch_debtar_feed(t, out, outlen)))
				break;
			/* No progress with all input given: the stream is cut short. */
			if (inlen == 0 && outlen == 0 && !u.ended) {
				if (pos < got)
					ret = refuse(pb, member, "corrupt compressed data");
				else if (left == 0)
					ret = refuse(pb, member,
					             "the compressed stream is cut short");
				break;
			}
		}
	}
	if (!ret && mem->comp != VOUCH_DEB_PLAIN && !u.ended)
		ret = refuse(pb, member, "the compressed stream is cut short");
	unpack_end(&u);
	free(in);
	free(out);
	if (ret == VOUCH_E_DEB && vouch_debtar_problem(t))
		*pb = *vouch_debtar_problem(t);
	return ret;
}

/* Read the tar member @mem at @off into a new reader *@t. */
static int read_tar(int fd, off_t off, const struct vouch_deb_member *mem, struct vouch_debtar **t,
                    struct vouch_deb_problem *pb)
{
	const bool control = mem->part == VOUCH_DEB_CONTROL;
	int ret = vouch_debtar_create(t, control ? VOUCH_DEBTAR_CONTROL : 0, mem->name);

	if (ret)
		return ret;
	/* The name is the reader's for its problems: kept in a buffer that outlives it. */
	ret = feed_member(fd, off, mem, control ? VOUCH_DEB_CONTROL_MAX : VOUCH_DEB_DATA_MAX, *t,
	                  mem->name, pb);
	if (!ret)
		ret = vouch_debtar_finish(*t, NULL);
	if (ret == VOUCH_E_DEB && vouch_debtar_problem(*t))
		*pb = *vouch_debtar_problem(*t);
	return ret;
}

static void count(struct vouch_debfile_info *info, const struct vouch_debtar *t, bool control)
{
	struct vouch_debtar_stats st;

	if (vouch_debtar_finish((struct vouch_debtar *)t, &st))
		return;
	info->files += st.files;
	info->elf += st.elf;
	info->scripts += st.scripts;
	info->skipped += st.skipped;
	info->bytes += st.bytes;
	info->entries += st.entries;
	if (control)
		info->control_files += st.files;
}

int vouch_debfile_manifest(int fd, struct vouch_manifest *m, struct vouch_debfile_info *info,
                           struct vouch_deb_problem *pb)
{
	struct vouch_deb_layout l = {.offset = VOUCH_AR_MAGIC_LEN};
	struct vouch_debfile_info dummy;
	struct vouch_debtar *control = NULL, *data = NULL;
	struct vouch_deb_member mems[2];
	uint8_t hdr[VOUCH_AR_HEADER];
	struct stat st;
	size_t got;
	char prefix[sizeof(VOUCH_DPKG_INFO_DIR) + sizeof(info->package) + 1];
	const char *text;
	size_t tlen;
	int ret;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	memset(pb, 0, sizeof(*pb));
	if (fstat(fd, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return VOUCH_E_NOTREGULAR;
	if ((uint64_t)st.st_size > VOUCH_DEB_MAX)
		return refuse(pb, NULL, "larger than vouch reads (8 GiB)");
	ret = vouch_pread_full(fd, hdr, VOUCH_AR_MAGIC_LEN, 0, &got);
	if (ret)
		return ret;
	if (got != VOUCH_AR_MAGIC_LEN || memcmp(hdr, VOUCH_AR_MAGIC, VOUCH_AR_MAGIC_LEN))
		return refuse(pb, NULL, "not an ar archive (no \"!<arch>\" magic)");
	while (l.offset < (uint64_t)st.st_size) {
		struct vouch_deb_member mem;
		off_t off = (off_t)l.offset + VOUCH_AR_HEADER;

		if ((uint64_t)st.st_size - l.offset < VOUCH_AR_HEADER) {
			ret = refuse(pb, NULL,
			             "the file ends inside an ar member header (truncated)");
			goto out;
		}
		ret = vouch_pread_full(fd, hdr, VOUCH_AR_HEADER, (off_t)l.offset, &got);
		if (!ret && got != VOUCH_AR_HEADER)
			ret = refuse(pb, NULL, "the file changed or ended while it was read");
		if (!ret)
			ret = vouch_deb_member(&l, hdr, (uint64_t)st.st_size, &mem, pb);
		if (ret)
			goto out;
		switch (mem.part) {
		case VOUCH_DEB_BINARY: {
			uint8_t v[8];

			if (mem.size > sizeof(v)) {
				ret = vouch_deb_binary_check(v, 0, pb);
				goto out;
			}
			ret = vouch_pread_full(fd, v, (size_t)mem.size, off, &got);
			if (!ret)
				ret = vouch_deb_binary_check(v, got, pb);
			break;
		}
		case VOUCH_DEB_CONTROL:
			mems[0] = mem;
			ret = read_tar(fd, off, &mems[0], &control, pb);
			break;
		case VOUCH_DEB_DATA:
			mems[1] = mem;
			ret = read_tar(fd, off, &mems[1], &data, pb);
			break;
		case VOUCH_DEB_IGNORED:
			break;
		}
		if (ret)
			goto out;
	}
	ret = vouch_deb_layout_done(&l, pb);
	if (ret)
		goto out;
	text = vouch_debtar_control_text(control, &tlen);
	if (!text) {
		ret = refuse(pb, mems[0].name, "no control file");
		goto out;
	}
	ret = vouch_deb_control_package(text, tlen, info->package, sizeof(info->package), pb);
	if (ret) {
		snprintf(pb->member, sizeof(pb->member), "%s", mems[0].name);
		goto out;
	}
	count(info, control, true);
	count(info, data, false);
	snprintf(prefix, sizeof(prefix), "%s%s.", VOUCH_DPKG_INFO_DIR, info->package);
	ret = vouch_debtar_add(data, "/", m);
	if (!ret)
		ret = vouch_debtar_add(control, prefix, m);
	if (!ret)
		ret = vouch_manifest_sort(m);
out:
	vouch_debtar_destroy(control);
	vouch_debtar_destroy(data);
	return ret;
}
