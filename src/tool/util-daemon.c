/* SPDX-License-Identifier: Apache-2.0 */
/* Talking to vouchd over its control socket: one request, one answer of tab-separated lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "tool.h"

#define ANSWER_MAX (1 << 20) /* a status with a thousand filesystems fits easily */
#define TIMEOUT_S  10        /* a reload of a large store takes about a second */

void tool_daemon_free(struct tool_answer *a)
{
	free(a->buf);
	free(a->keys);
	free(a->vals);
	memset(a, 0, sizeof(*a));
}

const char *tool_answer_get(const struct tool_answer *a, const char *key)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->keys[i], key))
			return a->vals[i];
	return NULL;
}

/* Split "ok\nkey\tvalue\n..." in place. */
static int split(struct tool_answer *a)
{
	char *p = a->buf, *nl;
	size_t cap = 0;

	nl = strchr(p, '\n');
	if (!nl)
		return -1;
	*nl = '\0';
	a->status = p;
	for (p = nl + 1; *p; p = nl + 1) {
		char *tab;

		nl = strchr(p, '\n');
		if (!nl)
			return -1;
		*nl = '\0';
		tab = strchr(p, '\t');
		if (!tab)
			return -1;
		*tab = '\0';
		if (a->n == cap) {
			size_t ncap = cap ? 2 * cap : 32;
			char **k = realloc(a->keys, ncap * sizeof(*k)), **v;

			if (!k)
				return -1;
			a->keys = k;
			v = realloc(a->vals, ncap * sizeof(*v));
			if (!v)
				return -1;
			a->vals = v;
			cap = ncap;
		}
		a->keys[a->n] = p;
		a->vals[a->n++] = tab + 1;
	}
	return 0;
}

/* The socket's address for @state; false if the name is too long. */
static bool sock_addr(const char *state, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	return (size_t)snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/vouchd.sock", state) <
	       sizeof(sa->sun_path);
}

bool tool_daemon_running(const char *state)
{
	struct sockaddr_un sa;
	int fd;
	bool up;

	if (!sock_addr(state, &sa))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	/* A socket left by a vouchd that died refuses the connection. */
	up = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return up;
}

int tool_daemon_ask(const char *cmd, const char *state, const char *req, int passfd,
                    struct tool_answer *a)
{
	struct sockaddr_un sa;
	struct timeval tv = {TIMEOUT_S, 0};
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {(void *)req, strlen(req)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	size_t len = 0;
	int fd;

	memset(a, 0, sizeof(*a));
	if (!sock_addr(state, &sa)) {
		tool_err(cmd, state, "name too long for a socket");
		return EXIT_ERROR;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		if (e == ENOENT || e == ECONNREFUSED)
			tool_err(cmd, sa.sun_path, "vouchd is not running (%s)", strerror(e));
		else
			tool_err(cmd, sa.sun_path, "cannot reach vouchd: %s", strerror(e));
		return EXIT_ERROR;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (passfd >= 0) {
		struct cmsghdr *cm;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &passfd, sizeof(int));
	}
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) != (ssize_t)iov.iov_len) {
		int e = errno;
		char busy[256];
		ssize_t n;

		/* vouchd may have answered at once (busy) and closed: its answer is still here. */
		n = (e == EPIPE || e == ECONNRESET) ? recv(fd, busy, sizeof(busy) - 1, MSG_DONTWAIT)
		                                    : -1;
		if (n > 0) {
			busy[n] = '\0';
			busy[strcspn(busy, "\n")] = '\0';
			tool_err(cmd, NULL, "vouchd: %s",
			         !strncmp(busy, "error ", 6) ? busy + 6 : busy);
		} else {
			tool_err(cmd, sa.sun_path, "cannot send to vouchd: %s", strerror(e));
		}
		close(fd);
		return EXIT_ERROR;
	}
	a->buf = malloc(ANSWER_MAX + 1);
	if (!a->buf) {
		close(fd);
		tool_err(cmd, NULL, "%s", strerror(ENOMEM));
		return EXIT_ERROR;
	}
	for (;;) {
		ssize_t n = read(fd, a->buf + len, ANSWER_MAX - len);

		if (n < 0 && errno == EINTR)
			continue;
		/* A peer that closed with our request unread resets: what it sent still counts. */
		if (n < 0 && errno == ECONNRESET && len > 0)
			break;
		if (n < 0) {
			tool_err(cmd, sa.sun_path, "no answer from vouchd: %s", strerror(errno));
			close(fd);
			tool_daemon_free(a);
			return EXIT_ERROR;
		}
		if (n == 0 || (len += (size_t)n) == ANSWER_MAX)
			break;
	}
	close(fd);
	a->buf[len] = '\0';
	if (len == ANSWER_MAX || split(a) != 0) {
		tool_err(cmd, sa.sun_path, "vouchd's answer is malformed");
		tool_daemon_free(a);
		return EXIT_ERROR;
	}
	if (strcmp(a->status, "ok") != 0) {
		const char *why = !strncmp(a->status, "error ", 6) ? a->status + 6 : a->status;

		tool_err(cmd, NULL, "vouchd: %s", why);
		return strstr(why, "only root") ? EXIT_DENIED : EXIT_ERROR;
	}
	return EXIT_OK;
}
