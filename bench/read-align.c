/* SPDX-License-Identifier: Apache-2.0 */
/* Probe for bench/read-align.sh: SHA-256 of a file read() into a buffer at a chosen page offset. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>

/* Usage: read-align FILE CHUNK OFFSET -> "OFFSET CHUNK wall_s user_s sys_s" */
int main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	size_t chunk, off;
	EVP_MD_CTX *ctx;
	char *base;
	ssize_t n;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: read-align FILE CHUNK OFFSET\n");
		return 2;
	}
	chunk = strtoul(argv[2], NULL, 0);
	off = strtoul(argv[3], NULL, 0);
	/* Page-aligned block; the buffer starts OFFSET bytes into it, as malloc's would. */
	base = aligned_alloc(4096, (chunk + off + 4095) / 4096 * 4096);
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	ctx = EVP_MD_CTX_new();
	if (!base || fd < 0 || !ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		perror("read-align");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	while ((n = read(fd, base + off, chunk)) > 0)
		EVP_DigestUpdate(ctx, base + off, (size_t)n);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	clock_gettime(CLOCK_MONOTONIC, &b);
	getrusage(RUSAGE_SELF, &ru);
	printf("%zu %zu %.3f %.3f %.3f\n", off, chunk,
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9,
	       (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6);
	return n < 0 ? 1 : 0;
}
