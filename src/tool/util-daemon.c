/* SPDX-License-Identifier: Apache-2.0 */
/* Talking to vouchd over its control socket: one request, one answer, both in vouch/ctl.h's codec. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "tool.h"
#include "vouch-config.h"

#define TIMEOUT_S 10 /* a reload of a large store takes about a second */

int tool_ctl_exit(unsigned status)
{
	switch (status) {
	case VOUCH_CTL_OK:
		return EXIT_OK;
	case VOUCH_CTL_NEEDS_ROOT:
	case VOUCH_CTL_UNREADABLE:
		return EXIT_DENIED;
	default:
		/* Every other refusal, and a status newer than this vouch: usage or system. */
		return EXIT_ERROR;
	}
}

/* The socket's address for @state; false if the name is too long. */
static bool sock_addr(const char *state, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	return (size_t)snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/" VOUCH_STATE_SOCKET,
	                        state) < sizeof(sa->sun_path);
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

/*
 * The whole answer, to EOF: at most VOUCH_CTL_ANSWER_MAX + 1 bytes (one more
 * than an answer may have, so that the parser sees one too long). @flags:
 * MSG_DONTWAIT to take only what is already there. Return: 0 or -errno.
 */
static int read_answer(int fd, int flags, char **buf, size_t *len)
{
	size_t cap = 0, n = 0, room;
	void *b = NULL;

	for (;;) {
		ssize_t r;

		if (n == VOUCH_CTL_ANSWER_MAX + 1)
			break;
		/* Room for 64 KiB more at each read: an answer of a few hundred kB in a few. */
		if (vouch_grow(&b, &cap, n + 65536, 1) != 0) {
			free(b);
			return -ENOMEM;
		}
		room =
		    cap - n < VOUCH_CTL_ANSWER_MAX + 1 - n ? cap - n : VOUCH_CTL_ANSWER_MAX + 1 - n;
		r = recv(fd, (char *)b + n, room, flags);
		if (r < 0 && errno == EINTR)
			continue;
		/* A peer that closed with our request unread resets: what it sent still counts. */
		if (r < 0 && (errno == ECONNRESET || errno == EAGAIN) && n > 0)
			break;
		if (r < 0) {
			int e = errno;

			free(b);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	return 0;
}

/* Parse @text, and say what went wrong if it is not an answer that says "ok". */
static int take_answer(const char *cmd, const char *where, const char *text, size_t len,
                       struct vouch_ctl_answer *a)
{
	int ret = vouch_ctl_answer_parse(a, text, len);

	if (ret == VOUCH_E_CTL_VERSION && a->version == 0) {
		tool_err(cmd, where,
		         "vouchd does not speak %s, the control protocol of this vouch (%s): it is "
		         "older; use the vouch of vouchd's version",
		         VOUCH_CTL_PROTOCOL, VOUCH_VERSION);
		return EXIT_ERROR;
	}
	if (ret == VOUCH_E_CTL_VERSION) {
		tool_err(cmd, where,
		         "vouchd speaks vouch-ctl/%u, this vouch (%s) %s: use the vouch of vouchd's "
		         "version",
		         a->version, VOUCH_VERSION, VOUCH_CTL_PROTOCOL);
		return EXIT_ERROR;
	}
	if (ret == VOUCH_E_EMPTY) {
		tool_err(cmd, where, "vouchd closed the connection without answering");
		return EXIT_ERROR;
	}
	if (ret) {
		tool_err(cmd, where, "vouchd's answer is malformed: %s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	if (a->status != VOUCH_CTL_OK) {
		const char *name = vouch_ctl_status_name(a->status);

		if (a->reason_len)
			tool_err(cmd, NULL, "vouchd: %s", a->reason);
		else
			tool_err(cmd, NULL, "vouchd: %s (status %u)", name ? name : "refused",
			         a->status);
	}
	return tool_ctl_exit(a->status);
}

int tool_daemon_ask(const char *cmd, const char *state, const struct vouch_ctl_request *req,
                    int passfd, struct vouch_ctl_answer *a)
{
	struct sockaddr_un sa;
	struct timeval tv = {TIMEOUT_S, 0};
	char cbuf[CMSG_SPACE(sizeof(int))], line[VOUCH_CTL_REQUEST_MAX];
	struct iovec iov = {line, 0};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	char *buf = NULL;
	size_t len = 0;
	int fd, ret, rc;

	memset(a, 0, sizeof(*a));
	ret = vouch_ctl_request_format(req, line, &iov.iov_len);
	if (ret) {
		tool_err(cmd, NULL, "cannot ask vouchd: %s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
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

		/* vouchd may have answered at once (busy) and closed: its answer is still here. */
		if ((e != EPIPE && e != ECONNRESET) ||
		    read_answer(fd, MSG_DONTWAIT, &buf, &len) != 0 || len == 0) {
			free(buf);
			tool_err(cmd, sa.sun_path, "cannot send to vouchd: %s", strerror(e));
			close(fd);
			return EXIT_ERROR;
		}
	} else {
		ret = read_answer(fd, 0, &buf, &len);
		if (ret) {
			tool_err(cmd, sa.sun_path, "no answer from vouchd: %s", strerror(-ret));
			close(fd);
			return EXIT_ERROR;
		}
	}
	close(fd);
	rc = take_answer(cmd, sa.sun_path, buf, len, a);
	free(buf);
	return rc;
}
