/* SPDX-License-Identifier: Apache-2.0 */
/* vouch log: read, verify and prove the decision log (directly, or through vouchd for users). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <search.h>
#include <time.h>
#include <unistd.h>

#include "vouch/base64.h"
#include "tool.h"

static const char *const CMD = "log";

static void help(void)
{
	printf("Usage: vouch log key [--state DIR]\n"
	       "       vouch log show [--since TIME] [--denied] [--json] [--dir DIR]\n"
	       "       vouch log tail [-n N] [-f] [--denied] [--json] [--dir DIR]\n"
	       "       vouch log summary [--since TIME] [-n N] [--json] [--dir DIR]\n"
	       "       vouch log verify [DIR] [--key VKEY] [--json]\n"
	       "       vouch log prove --index N [--dir DIR]\n"
	       "       vouch log consistency --from SIZE [--dir DIR]\n"
	       "       vouch log check-proof PROOF [--checkpoint OLD] [--key VKEY]\n"
	       "       vouch log seen SIZE [--state DIR]\n"
	       "\n"
	       "vouchd records its decisions in a transparency log (C2SP tlog-tiles, with\n"
	       "checkpoints signed by the device key). Root reads the log directory; any\n"
	       "other user reads their own entries, and proves them, through vouchd.\n"
	       "\n"
	       "  key            print the log's verifier key (name+id+key, as C2SP notes)\n"
	       "  show           the entries, one line each (--json: one JSON object each),\n"
	       "                 each checked against the signed checkpoint first (entries\n"
	       "                 read through vouchd are not: prove one to check it)\n"
	       "  tail           the last N entries (default 10); -f follows new ones\n"
	       "  summary        what was refused, or would be in enforce mode: deny and\n"
	       "                 would-deny decisions counted by program and rule, most\n"
	       "                 frequent first (-n N: the first N only)\n"
	       "  verify         rebuild the tree from the entries, check every tile and\n"
	       "                 the checkpoint's signature; exit 0 only if all match\n"
	       "  prove          entry N's inclusion proof (C2SP tlog-proof@v1, with the\n"
	       "                 entry and the signed checkpoint)\n"
	       "  consistency    proof that the log extends its tree of SIZE entries\n"
	       "  check-proof    check either kind of proof; a consistency proof against\n"
	       "                 the older checkpoint OLD you kept\n"
	       "  seen           (root) a witness or copy holds the log up to SIZE entries:\n"
	       "                 retention never removes an entry from there on\n"
	       "\n"
	       "  --since TIME     entries at or after TIME: 2026-11-21T10:00:00Z, or 90s,\n"
	       "                   15m, 2h, 3d ago\n"
	       "  --denied         only deny and would-deny decisions\n"
	       "  --dir DIR        read this log directory (default: DIR/log of --state for\n"
	       "                   root; through vouchd otherwise)\n"
	       "  --key VKEY       the verifier key, or a file holding it (default: the\n"
	       "                   device's, log.pub in the state directory)\n"
	       "  --state DIR      vouchd's state directory (default $VOUCH_STATE_DIR or %s)\n"
	       "  -h, --help       show this help\n"
	       "\n"
	       "Exit status: 0 success, 1 the log or proof does not verify, 2 usage or\n"
	       "system error.\n",
	       VOUCH_STATE_DIR_DEFAULT);
}

struct opts {
	const char *state, *dir, *key, *checkpoint, *since;
	bool json, denied, follow, have_index, have_from, have_lines;
	bool quiet; /* summary: count only, print nothing but errors */
	int64_t since_us;
	uint64_t index, from, lines;
};

/* Where entries come from: the directory, or vouchd's socket. */
struct source {
	const char *cmd;
	struct opts *o;
	struct vouch_log_reader *r; /* direct */
	bool via_daemon, have_key, noted;
	struct vouch_note_vkey key; /* the checkpoint's signer, when known */
	char dir[4096];
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* --key: the key itself, or a file holding it; default the device's log.pub. */
static int load_vkey(const char *cmd, struct opts *o, struct vouch_note_vkey *k, bool required)
{
	char path[4096], *kt = NULL;
	const char *text = o->key;
	size_t len;
	int ret;

	/* A file if there is one by that name, else the key itself. */
	if (!text || access(text, F_OK) == 0 ||
	    vouch_note_vkey_parse(k, text, strlen(text)) == VOUCH_E_KEYTYPE) {
		if (text)
			snprintf(path, sizeof(path), "%s", text);
		else
			snprintf(path, sizeof(path), "%s/" VOUCH_STATE_LOG_PUB,
			         tool_state_dir(o->state));
		/* A regular file only: a FIFO here is refused, not waited on. */
		ret = strcmp(path, "-") ? vouch_file_read(path, VOUCH_NOTE_VKEY_MAX + 1, &kt, &len)
		                        : VOUCH_E_NOTREGULAR;
		if (ret) {
			if (!required && ret == -ENOENT && !o->key)
				return 1;
			tool_err(cmd, path, "%s", vouch_strerror(ret));
			return EXIT_ERROR;
		}
		len = strcspn(kt, "\r\n");
		ret = vouch_note_vkey_parse(k, kt, len);
		free(kt);
		if (ret) {
			tool_err(cmd, path, "not a verifier key: %s", vouch_strerror(ret));
			return EXIT_ERROR;
		}
		return 0;
	}
	ret = vouch_note_vkey_parse(k, text, strlen(text));
	if (ret) {
		tool_err(cmd, text, "not a verifier key: %s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	return 0;
}

/*
 * The message and exit status for vouch_log_reader_open()'s @ret on @dir: the
 * log does not verify (1), or there is no log to read (2, as for no directory).
 */
static int open_failed(const char *cmd, const char *dir, int ret)
{
	struct stat st;

	if (ret == -ENOENT && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		tool_err(cmd, dir,
		         "checkpoint: missing (not a log, or its checkpoint was removed)");
		return EXIT_DENIED;
	}
	if (ret == VOUCH_E_LOG) {
		tool_err(cmd, dir,
		         "pruned: the record of what retention removed is malformed or contradicts "
		         "the checkpoint");
		return EXIT_DENIED;
	}
	if (ret == -ENOENT || ret == -ENOTDIR) {
		tool_err(cmd, dir, "no such log directory");
		return EXIT_ERROR;
	}
	/* -errno and the crypto library are the system's; the rest is the checkpoint's. */
	if ((ret < 0 && ret > VOUCH_E_FIRST) || ret == VOUCH_E_CRYPTO) {
		tool_err(cmd, dir, "%s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	tool_err(cmd, dir, "checkpoint: %s", vouch_strerror(ret));
	return EXIT_DENIED;
}

static int src_open(const char *cmd, struct opts *o, struct source *s)
{
	int ret, kr;

	memset(s, 0, sizeof(*s));
	s->cmd = cmd;
	s->o = o;
	if (!o->dir && geteuid() != 0) {
		s->via_daemon = true;
		return 0;
	}
	snprintf(s->dir, sizeof(s->dir), "%s", o->dir ? o->dir : "");
	if (!o->dir)
		snprintf(s->dir, sizeof(s->dir), "%s/" VOUCH_STATE_LOG, tool_state_dir(o->state));
	kr = load_vkey(cmd, o, &s->key, false);
	if (kr > 1)
		return kr;
	s->have_key = kr == 0;
	ret = vouch_log_reader_open(&s->r, s->dir, s->have_key ? &s->key : NULL);
	if (ret)
		return open_failed(cmd, s->dir, ret);
	return 0;
}

/*
 * Say once, on stderr, what the printed entries were checked against (text
 * output; --json says it in each object's "checked").
 */
static void src_note(struct source *s)
{
	if (s->o->json || s->noted)
		return;
	s->noted = true;
	if (s->via_daemon)
		tool_err(
		    s->cmd, NULL,
		    "note: entries read through vouchd, not checked by this command; check one "
		    "with 'vouch log prove --index N' and 'vouch log check-proof'");
	else if (!s->have_key)
		tool_err(s->cmd, s->dir,
		         "note: entries checked against the checkpoint, whose signature was not "
		         "checked (no verifier key: give --key)");
}

static void src_close(struct source *s)
{
	vouch_log_reader_close(s->r);
	s->r = NULL;
}

/* @checked: the entry was checked against the checkpoint, signed by the verifier key. */
typedef void (*entry_fn)(struct opts *o, bool checked, uint64_t index, const char *data,
                         size_t len);

/*
 * Entries from @from on, each given to @fn (NULL: only checked); *@next: where the next call goes
 * on, *@size: the log's size at its checkpoint. Direct sources reopen the
 * checkpoint each time (tail -f).
 */
static int src_read(struct source *s, uint64_t from, entry_fn fn, uint64_t *next, uint64_t *size)
{
	if (s->via_daemon) {
		const struct vouch_ctl_request req = {.verb = VOUCH_CTL_LOG,
		                                      .arg = {from, VOUCH_CTL_LOG_MAX}};
		struct vouch_ctl_answer a;
		int ret;

		ret = tool_daemon_ask(s->cmd, tool_state_dir(s->o->state), &req, -1, &a);
		if (ret) {
			vouch_ctl_answer_release(&a);
			return ret;
		}
		if (vouch_ctl_answer_u64(&a, "next", next) != 0 ||
		    vouch_ctl_answer_u64(&a, "size", size) != 0) {
			tool_err(s->cmd, NULL, "vouchd's answer is malformed: no next or size");
			vouch_ctl_answer_release(&a);
			return EXIT_ERROR;
		}
		/* Said once vouchd has answered: a failure stays one line. */
		if (fn)
			src_note(s);
		for (size_t i = 0; i < a.npairs; i++) {
			const struct vouch_ctl_pair *p = &a.pair[i];
			const char *sp = memchr(p->value, ' ', p->len);
			uint64_t idx;

			/* "INDEX ENTRY" */
			if (strcmp(p->key, "entry") || !sp ||
			    vouch_ctl_u64_parse(p->value, (size_t)(sp - p->value), &idx) != 0)
				continue;
			if (fn)
				fn(s->o, false, idx, sp + 1, p->len - (size_t)(sp + 1 - p->value));
		}
		vouch_ctl_answer_release(&a);
		return 0;
	}
	{
		uint64_t n = vouch_log_reader_checkpoint(s->r)->size, i = from;
		uint64_t first = vouch_log_reader_pruned(s->r);

		if (i < first)
			i = first;
		for (uint64_t k = 0; i < n && k < 100000; i++, k++) {
			const char *data;
			size_t len;
			int ret = vouch_log_reader_entry_checked(s->r, i, &data, &len);

			if (ret == VOUCH_E_LOG || ret == -ENOENT) {
				tool_err(s->cmd, s->dir,
				         "entry %" PRIu64 ": %s: it does not match the checkpoint "
				         "(see 'vouch log verify')",
				         i,
				         ret == -ENOENT ? "a file it needs is missing"
				                        : "the log's files disagree");
				return EXIT_DENIED;
			}
			if (ret) {
				tool_err(s->cmd, s->dir, "entry %" PRIu64 ": %s", i,
				         vouch_strerror(ret));
				return EXIT_ERROR;
			}
			if (fn)
				fn(s->o, s->have_key, i, data, len);
		}
		*next = i;
		*size = n;
		return 0;
	}
}

/* Every entry from @from on, page by page (bounded); *@next: where to go on. */
static int src_read_all(struct source *s, uint64_t from, entry_fn fn, uint64_t *next)
{
	uint64_t size = 0;
	int ret = 0;

	*next = from;
	for (int guard = 0; guard < 1000000 && !stop; guard++) {
		ret = src_read(s, from, fn, next, &size);
		if (ret || *next >= size || *next == from)
			break;
		from = *next;
	}
	return ret;
}

static void print_entry(struct opts *o, bool checked, uint64_t index, const char *data, size_t len)
{
	char *scratch = malloc(len + 8), ts[28];
	struct vouch_entry e;

	if (!scratch)
		return;
	if (vouch_entry_parse(&e, data, len, scratch, len + 8)) {
		/* Shown anyway, as what it is: the log holds it. */
		if (!o->denied && !o->since_us && o->json) {
			printf("{\"index\":%" PRIu64 ",\"checked\":%s,", index,
			       checked ? "true" : "false");
			tool_json_field(stdout, "unparsed", data, len);
			fputs("}\n", stdout);
		} else if (!o->denied && !o->since_us) {
			printf("#%" PRIu64 " (entry of another format) ", index);
			tool_escape(stdout, data, len, 0);
			putchar('\n');
		}
		free(scratch);
		return;
	}
	if ((o->denied && !strcmp(e.decision, "allow")) ||
	    (o->since_us && e.time_us < o->since_us)) {
		free(scratch);
		return;
	}
	if (o->json) {
		/*
		 * The entry as read, written again by the one encoder: an entry of the log's
		 * first spelling gets its companions, and C1 controls are escaped. Three bytes
		 * out for each in at most (a raw C1 control), and room for the companions.
		 */
		size_t cap = 3 * len + 256;
		char *text = malloc(cap);
		int n = text ? vouch_entry_format_flags(&e, VOUCH_JSON_C1, text, cap) : -ENOMEM;

		if (n < 2) {
			tool_err("log", NULL, "entry %" PRIu64 ": %s", index, vouch_strerror(n));
		} else {
			printf("{\"index\":%" PRIu64 ",\"checked\":%s,", index,
			       checked ? "true" : "false");
			fwrite(text + 1, 1, (size_t)n - 1, stdout);
			putchar('\n');
		}
		free(text);
	} else if (e.summary) {
		vouch_time_format_us(e.time_us, ts);
		memcpy(ts + 19, "Z", 2);
		tool_print("#%" PRIu64 " %s summary uid %" PRId64 ": %" PRId64 " denied, %" PRId64
		           " allowed, not recorded one by one: %s\n",
		           index, ts, e.uid, e.denied, e.allowed, e.reason);
	} else {
		vouch_time_format_us(e.time_us, ts);
		/* Seconds are enough on screen; the entry keeps microseconds. */
		memcpy(ts + 19, "Z", 2);
		/* Paths, executables and reasons hold other users' file names: escaped. */
		tool_print("#%" PRIu64 " %s %s %s %s (pid %" PRId64 ", uid %" PRId64
		           "%s%s): %s: %s\n",
		           index, ts, e.decision, e.event, e.path, e.pid, e.uid, e.exe ? ", " : "",
		           e.exe ? e.exe : "", e.rule, e.reason);
	}
	free(scratch);
}

/* --since: an absolute UTC time, or an age such as 15m. */
static int parse_since(const char *s, int64_t *us)
{
	int64_t t;
	char *end;
	long long v;
	int64_t mult = 0;

	if (vouch_time_parse(s, strlen(s), &t) == 0) {
		*us = t * 1000000;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0 || strlen(end) != 1)
		return -1;
	switch (*end) {
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	default:
		return -1;
	}
	if (v > INT64_MAX / mult / 1000000)
		return -1;
	*us = ((int64_t)time(NULL) - v * mult) * 1000000;
	return 0;
}

static int do_show(struct opts *o)
{
	struct source s;
	uint64_t next = 0;
	int ret = src_open("log show", o, &s);

	if (ret)
		return ret;
	/* Everything it will print checked first: a log that does not verify prints nothing. */
	if (!s.via_daemon)
		ret = src_read_all(&s, 0, NULL, &next);
	if (!ret) {
		if (!s.via_daemon)
			src_note(&s);
		ret = src_read_all(&s, 0, print_entry, &next);
	}
	src_close(&s);
	return ret;
}

/* tail: the last N entries the reader may see, kept in a ring. */
struct ring {
	uint64_t n, cap;
	uint64_t *idx;
	char **data;
	size_t *len;
	bool checked;
};
static struct ring ring;

static void keep_entry(struct opts *o, bool checked, uint64_t index, const char *data, size_t len)
{
	char *scratch = malloc(len + 8);
	struct vouch_entry e;
	uint64_t slot = ring.n % ring.cap;

	if (!scratch)
		return;
	if (o->denied &&
	    (vouch_entry_parse(&e, data, len, scratch, len + 8) || !strcmp(e.decision, "allow"))) {
		free(scratch);
		return;
	}
	free(scratch);
	free(ring.data[slot]);
	ring.data[slot] = malloc(len);
	if (!ring.data[slot])
		return;
	memcpy(ring.data[slot], data, len);
	ring.len[slot] = len;
	ring.idx[slot] = index;
	ring.checked = checked;
	ring.n++;
}

static int do_tail(struct opts *o)
{
	struct source s;
	uint64_t from = 0, next = 0;
	int ret = src_open("log tail", o, &s);

	if (ret)
		return ret;
	ring.cap = o->lines ? o->lines : 1;
	ring.idx = calloc(ring.cap, sizeof(*ring.idx));
	ring.data = calloc(ring.cap, sizeof(*ring.data));
	ring.len = calloc(ring.cap, sizeof(*ring.len));
	if (!ring.idx || !ring.data || !ring.len) {
		tool_err("log tail", NULL, "%s", strerror(ENOMEM));
		return EXIT_ERROR;
	}
	/* Direct reads start near the end; through vouchd only the user's entries count. */
	if (!s.via_daemon && !o->denied) {
		uint64_t n = vouch_log_reader_checkpoint(s.r)->size;

		from = n > o->lines ? n - o->lines : 0;
	}
	ret = src_read_all(&s, from, keep_entry, &next);
	if (!ret)
		src_note(&s);
	for (uint64_t i = ring.n > ring.cap ? ring.n - ring.cap : 0; !ret && i < ring.n; i++) {
		uint64_t slot = i % ring.cap;

		if (o->lines)
			print_entry(o, ring.checked, ring.idx[slot], ring.data[slot],
			            ring.len[slot]);
	}
	fflush(stdout);
	for (uint64_t i = 0; i < ring.cap; i++)
		free(ring.data[i]);
	free(ring.idx);
	free(ring.data);
	free(ring.len);
	from = next;
	if (!ret && o->follow) {
		signal(SIGINT, on_signal);
		signal(SIGTERM, on_signal);
		/* Until interrupted: a new checkpoint at least every few seconds brings new
		 * entries. */
		while (!stop) {
			usleep(300000);
			/* A direct reader reads the newest checkpoint again. */
			if (!s.via_daemon) {
				vouch_log_reader_close(s.r);
				int r =
				    vouch_log_reader_open(&s.r, s.dir, s.have_key ? &s.key : NULL);

				if (r) {
					s.r = NULL;
					ret = open_failed("log tail", s.dir, r);
					break;
				}
			}
			ret = src_read_all(&s, from, print_entry, &next);
			fflush(stdout);
			if (ret)
				break;
			from = next;
		}
		ret = ret ? ret : EXIT_OK;
	}
	src_close(&s);
	return ret;
}

/*
 * summary: deny and would-deny decisions grouped by the file decided and the rule,
 * in a tree (tsearch(3)) while the log is read, then sorted by count. The number of
 * groups is bounded: past it, decisions are counted but not grouped.
 */
#define SUMMARY_GROUPS_MAX 100000

struct group {
	char *path;
	const char *rule; /* a static name from vouch_rule_name()'s words, or the entry's */
	char *rule_own;
	uint64_t would_deny, deny;
	int64_t first_us, last_us;
};

static struct {
	void *tree;
	struct group **v;
	size_t n, cap;
	uint64_t would_deny, deny, ungrouped, entries, unparsed;
	uint64_t limited_denied; /* denials counted in rate-limit summaries, not one by one */
	bool nomem;
} sum;

static int group_cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;
	int r = strcmp(x->path, y->path);

	return r ? r : strcmp(x->rule, y->rule);
}

static void count_entry(struct opts *o, bool checked, uint64_t index, const char *data, size_t len)
{
	char *scratch = malloc(len + 8);
	struct vouch_entry e;
	struct group key, *g, **slot;
	bool would;

	(void)checked;
	(void)index;
	if (!scratch) {
		sum.nomem = true;
		return;
	}
	sum.entries++;
	if (vouch_entry_parse(&e, data, len, scratch, len + 8)) {
		sum.unparsed++;
		goto out;
	}
	if (o->since_us && e.time_us < o->since_us)
		goto out;
	if (e.summary) {
		sum.limited_denied += e.denied > 0 ? (uint64_t)e.denied : 0;
		goto out;
	}
	would = !strcmp(e.decision, "would-deny");
	if (!would && strcmp(e.decision, "deny"))
		goto out;
	if (would)
		sum.would_deny++;
	else
		sum.deny++;
	key.path = (char *)e.path;
	key.rule = e.rule;
	slot = tfind(&key, &sum.tree, group_cmp);
	if (!slot) {
		if (sum.n >= SUMMARY_GROUPS_MAX ||
		    vouch_grow((void **)&sum.v, &sum.cap, sum.n + 1, sizeof(*sum.v))) {
			sum.ungrouped++;
			goto out;
		}
		g = calloc(1, sizeof(*g));
		if (g && (g->path = strdup(e.path)) && (g->rule_own = strdup(e.rule))) {
			g->rule = g->rule_own;
			g->first_us = e.time_us;
			slot = tsearch(g, &sum.tree, group_cmp);
		}
		if (!slot) {
			if (g) {
				free(g->path);
				free(g->rule_own);
			}
			free(g);
			sum.ungrouped++;
			goto out;
		}
		sum.v[sum.n++] = g;
	}
	g = *slot;
	if (would)
		g->would_deny++;
	else
		g->deny++;
	if (e.time_us < g->first_us)
		g->first_us = e.time_us;
	if (e.time_us > g->last_us)
		g->last_us = e.time_us;
out:
	free(scratch);
}

/* Most decisions first; then by path and rule, so that the order is stable. */
static int group_order(const void *a, const void *b)
{
	const struct group *x = *(struct group *const *)a, *y = *(struct group *const *)b;
	uint64_t nx = x->would_deny + x->deny, ny = y->would_deny + y->deny;

	if (nx != ny)
		return nx > ny ? -1 : 1;
	return group_cmp(x, y);
}

static void no_free(void *p)
{
	(void)p;
}

static void summary_free(void)
{
	tdestroy(sum.tree, no_free);
	for (size_t i = 0; i < sum.n; i++) {
		free(sum.v[i]->path);
		free(sum.v[i]->rule_own);
		free(sum.v[i]);
	}
	free(sum.v);
	memset(&sum, 0, sizeof(sum));
}

static void print_time(int64_t us, char out[static 28])
{
	vouch_time_format_us(us, out);
	memcpy(out + 19, "Z", 2);
}

static void summary_print(const struct opts *o, const char *since)
{
	size_t shown = o->have_lines && o->lines < sum.n ? (size_t)o->lines : sum.n;
	char a[28], b[28];

	if (o->json) {
		printf("{\"since\":");
		if (o->since_us) {
			print_time(o->since_us, a);
			printf("\"%s\"", a);
		} else {
			fputs("null", stdout);
		}
		printf(",\"entries\":%" PRIu64 ",\"would_deny\":%" PRIu64 ",\"deny\":%" PRIu64
		       ",\"programs\":%zu,\"ungrouped\":%" PRIu64
		       ",\"rate_limited_denied\":%" PRIu64 ",\"unparsed\":%" PRIu64 ",\"groups\":[",
		       sum.entries, sum.would_deny, sum.deny, sum.n, sum.ungrouped,
		       sum.limited_denied, sum.unparsed);
		for (size_t i = 0; i < shown; i++) {
			const struct group *g = sum.v[i];

			print_time(g->first_us, a);
			print_time(g->last_us, b);
			fputs(i ? ",{" : "{", stdout);
			tool_json_str(stdout, "path", g->path);
			fputs(",", stdout);
			tool_json_str(stdout, "rule", g->rule);
			printf(",\"count\":%" PRIu64 ",\"would_deny\":%" PRIu64 ",\"deny\":%" PRIu64
			       ",\"first\":\"%s\",\"last\":\"%s\"}",
			       g->would_deny + g->deny, g->would_deny, g->deny, a, b);
		}
		fputs("]}\n", stdout);
		return;
	}
	if (sum.n) {
		printf("%8s %10s %6s  %-14s %s\n", "count", "would-deny", "deny", "rule",
		       "program");
		for (size_t i = 0; i < shown; i++) {
			const struct group *g = sum.v[i];

			/* Paths and rules are the log's: other users' file names, escaped. */
			tool_print("%8" PRIu64 " %10" PRIu64 " %6" PRIu64 "  %-14s %s\n",
			           g->would_deny + g->deny, g->would_deny, g->deny, g->rule,
			           g->path);
		}
		if (shown < sum.n)
			printf("... and %zu more programs (without -n: all)\n", sum.n - shown);
	}
	/* --since as given, escaped as any text of the command line shown back. */
	tool_print("%" PRIu64 " would-deny and %" PRIu64
	           " deny decisions, %zu program%s%s%s, in %" PRIu64 " entries read\n",
	           sum.would_deny, sum.deny, sum.n, sum.n == 1 ? "" : "s", since ? " since " : "",
	           since ? since : "", sum.entries);
	if (sum.ungrouped)
		printf("%" PRIu64
		       " more decisions counted but not grouped (more than %d programs)\n",
		       sum.ungrouped, SUMMARY_GROUPS_MAX);
	if (sum.limited_denied)
		printf("%" PRIu64 " denials were rate-limited: counted in summary entries, without "
		       "their paths\n",
		       sum.limited_denied);
}

int tool_since_parse(const char *s, int64_t *us)
{
	return parse_since(s, us) ? -1 : 0;
}

/* Read every entry @o selects, count, print. EXIT_*; *@would_deny, *@deny: the totals. */
static int log_summary(const char *cmd, struct opts *o, uint64_t *would_deny, uint64_t *deny)
{
	struct source s;
	uint64_t next = 0;
	int ret = src_open(cmd, o, &s);

	if (would_deny)
		*would_deny = 0;
	if (deny)
		*deny = 0;
	if (ret)
		return ret;
	memset(&sum, 0, sizeof(sum));
	ret = src_read_all(&s, 0, count_entry, &next);
	if (!ret && sum.nomem) {
		tool_err(cmd, NULL, "%s", vouch_strerror(-ENOMEM));
		ret = EXIT_ERROR;
	}
	if (!ret) {
		if (sum.n > 1)
			qsort(sum.v, sum.n, sizeof(*sum.v), group_order);
		if (!o->quiet) {
			src_note(&s);
			summary_print(o, o->since);
		}
		if (would_deny)
			*would_deny = sum.would_deny;
		if (deny)
			*deny = sum.deny;
	}
	src_close(&s);
	summary_free();
	return ret;
}

int tool_log_summary(const char *cmd, const char *state, const char *since, int json,
                     uint64_t *would_deny, uint64_t *deny)
{
	struct opts o = {.state = state, .json = json > 0, .since = since, .quiet = json < 0};

	if (since && parse_since(since, &o.since_us))
		return tool_usage(cmd,
		                  "--since %s: not a time like 2026-11-21T10:00:00Z or an age "
		                  "like 15m",
		                  since);
	return log_summary(cmd, &o, would_deny, deny);
}

static int do_key(struct opts *o)
{
	struct vouch_note_vkey k;
	char out[VOUCH_NOTE_VKEY_MAX];
	int ret = load_vkey("log key", o, &k, false);

	if (ret == 1) {
		tool_err("log key", tool_state_dir(o->state),
		         "no " VOUCH_STATE_LOG_PUB
		         ": vouchd makes the device key when it first starts");
		return EXIT_ERROR;
	}
	if (ret)
		return ret;
	vouch_note_vkey_format(&k, out);
	tool_print_exact(out, strlen(out));
	putchar('\n');
	return EXIT_OK;
}

static int do_verify(struct opts *o, const char *dirarg)
{
	struct vouch_note_vkey k;
	struct vouch_log_reader *r;
	struct vouch_log_report rep;
	char dir[4096], vk[VOUCH_NOTE_VKEY_MAX];
	int ret;

	snprintf(dir, sizeof(dir), "%s", dirarg ? dirarg : "");
	if (!dirarg)
		snprintf(dir, sizeof(dir), "%s/" VOUCH_STATE_LOG, tool_state_dir(o->state));
	ret = load_vkey("log verify", o, &k, true);
	if (ret)
		return ret;
	ret = vouch_log_reader_open(&r, dir, &k);
	if (ret) {
		int rc = open_failed("log verify", dir, ret);

		if (o->json) {
			printf("{\"verified\":false,");
			tool_json_str(stdout, "dir", dir);
			printf(",");
			tool_json_str(stdout, "error", vouch_strerror(ret));
			printf("}\n");
		}
		return rc;
	}
	ret = vouch_log_verify(r, &rep);
	vouch_log_reader_close(r);
	vouch_note_vkey_format(&k, vk);
	if (ret) {
		tool_err("log verify", dir, "%s", rep.what[0] ? rep.what : vouch_strerror(ret));
		if (o->json) {
			printf("{\"verified\":false,");
			tool_json_str(stdout, "dir", dir);
			printf(",");
			tool_json_str(stdout, "error",
			              rep.what[0] ? rep.what : vouch_strerror(ret));
			printf("}\n");
		}
		/* A file the checkpoint needs that is not there: the log does not verify. */
		return ret == VOUCH_E_LOG || ret == -ENOENT ? EXIT_DENIED : EXIT_ERROR;
	}
	if (o->json) {
		printf("{\"verified\":true,");
		tool_json_str(stdout, "dir", dir);
		printf(",\"size\":%" PRIu64 ",\"entries_checked\":%" PRIu64 ",\"pruned\":%" PRIu64
		       ",\"tiles\":%" PRIu64 ",",
		       rep.size, rep.entries, rep.pruned, rep.tiles);
		tool_json_str(stdout, "key", vk);
		printf("}\n");
	} else {
		tool_print("%s: verified: %" PRIu64 " entries (%" PRIu64 " rehashed, %" PRIu64
		           " removed by retention), %" PRIu64 " tiles, checkpoint signed by %s\n",
		           dir, rep.size, rep.entries, rep.pruned, rep.tiles, vk);
	}
	return EXIT_OK;
}

static int do_prove(struct opts *o, bool inclusion)
{
	const char *cmd = inclusion ? "log prove" : "log consistency";
	uint64_t n = inclusion ? o->index : o->from;
	struct source s;
	char *text = NULL;
	size_t len = 0;
	int ret;

	if (inclusion ? !o->have_index : !o->have_from)
		return tool_usage(CMD, "%s needs %s", inclusion ? "prove" : "consistency",
		                  inclusion ? "--index N" : "--from SIZE");
	ret = src_open(cmd, o, &s);
	if (ret)
		return ret;
	if (s.via_daemon) {
		const struct vouch_ctl_request req = {
		    .verb = inclusion ? VOUCH_CTL_PROVE : VOUCH_CTL_CONSISTENCY, .arg = {n, 0}};
		struct vouch_ctl_answer a;

		ret = tool_daemon_ask(cmd, tool_state_dir(o->state), &req, -1, &a);
		if (ret) {
			vouch_ctl_answer_release(&a);
			return ret;
		}
		for (size_t i = 0; i < a.npairs; i++)
			if (!strcmp(a.pair[i].key, "line")) {
				tool_print_exact(a.pair[i].value, a.pair[i].len);
				putchar('\n');
			}
		vouch_ctl_answer_release(&a);
		return EXIT_OK;
	}
	ret = inclusion ? vouch_log_reader_proof_text(s.r, n, &text, &len)
	                : vouch_log_reader_consistency_text(s.r, n, &text, &len);
	src_close(&s);
	if (ret == VOUCH_E_RANGE || ret == VOUCH_E_NOTFOUND) {
		tool_err(cmd, s.dir, "%s %" PRIu64 ": %s", inclusion ? "entry" : "size", n,
		         ret == VOUCH_E_RANGE ? "beyond the log's checkpoint"
		                              : "removed by retention");
		return EXIT_ERROR;
	}
	if (ret) {
		/* A bundle or tile the checkpoint needs, missing or malformed: not verified. */
		tool_err(cmd, s.dir, "%s %" PRIu64 ": %s", inclusion ? "entry" : "size", n,
		         vouch_strerror(ret));
		return ret == -ENOENT || ret == VOUCH_E_LOG ? EXIT_DENIED : EXIT_ERROR;
	}
	tool_print_exact(text, len);
	free(text);
	return EXIT_OK;
}

/* A signed checkpoint note: verified with @k and parsed. */
static int open_checkpoint(const char *cmd, const char *what, const struct vouch_note_vkey *k,
                           const char *note, size_t len, struct vouch_checkpoint *cp)
{
	size_t tlen = 0;
	int ret = vouch_note_open(k, note, len, &tlen);

	if (!ret)
		ret = vouch_checkpoint_parse(cp, note, tlen);
	if (!ret && strcmp(cp->origin, k->name))
		ret = VOUCH_E_WRONGKEY;
	if (ret)
		tool_err(cmd, what, "checkpoint: %s", vouch_strerror(ret));
	return ret;
}

static int do_check(struct opts *o, const char *path)
{
	static const char cmd[] = "log check-proof";
	uint8_t leaf[VOUCH_TLOG_HASH];
	struct vouch_proof *pf = NULL;
	struct vouch_checkpoint cp, old;
	struct vouch_note_vkey k;
	char *text = NULL;
	uint8_t *entry = NULL;
	size_t len = 0, elen = 0;
	int ret = load_vkey(cmd, o, &k, true), rc = EXIT_DENIED;

	if (ret)
		return ret;
	ret = vouch_file_read(path, 1 << 20, &text, &len);
	if (ret) {
		tool_err(cmd, path, "%s", vouch_strerror(ret));
		return EXIT_ERROR;
	}
	pf = malloc(sizeof(*pf));
	if (!pf) {
		tool_err(cmd, path, "%s", vouch_strerror(-ENOMEM));
		rc = EXIT_ERROR;
		goto out;
	}
	/* The proof is another's bytes: messages name lines, never quote them. */
	if (vouch_proof_parse(pf, text, len)) {
		tool_err(cmd, path, "line %u: %s", pf->line, pf->why);
		goto out;
	}
	if (open_checkpoint(cmd, path, &k, pf->note, pf->note_len, &cp))
		goto out;
	if (pf->inclusion) {
		if (!pf->extra) {
			tool_err(cmd, path, "no 'extra' line: the proof does not carry its entry");
			goto out;
		}
		entry = malloc(pf->extra_len + 1);
		if (!entry ||
		    vouch_b64_decode(entry, pf->extra_len + 1, &elen, pf->extra, pf->extra_len) ||
		    elen > VOUCH_TLOG_ENTRY_MAX || vouch_tlog_leaf_hash(entry, elen, leaf)) {
			tool_err(cmd, path, "the entry in 'extra' is not valid base64");
			goto out;
		}
		ret =
		    vouch_tlog_check_inclusion(leaf, pf->num, cp.size, cp.root,
		                               (const uint8_t(*)[VOUCH_TLOG_HASH])pf->hash, pf->n);
		if (ret) {
			tool_err(cmd, path,
			         "entry %" PRIu64 " is not in the log of size %" PRIu64
			         " this checkpoint signs: %s",
			         pf->num, cp.size, vouch_strerror(ret));
			goto out;
		}
		tool_print("%s: ok: entry %" PRIu64 " is in %s at size %" PRIu64 ": ", path,
		           pf->num, cp.origin, cp.size);
		tool_escape(stdout, entry, elen, 0);
		putchar('\n');
		rc = EXIT_OK;
		goto out;
	}
	if (!o->checkpoint) {
		rc = tool_usage(CMD, "a consistency proof is checked against the older checkpoint "
		                     "you kept: give --checkpoint OLD");
		goto out;
	}
	{
		char *otext = NULL;
		size_t olen = 0;

		ret = vouch_file_read(o->checkpoint, 1 << 16, &otext, &olen);
		if (ret) {
			tool_err(cmd, o->checkpoint, "%s", vouch_strerror(ret));
			rc = EXIT_ERROR;
			goto out;
		}
		ret = open_checkpoint(cmd, o->checkpoint, &k, otext, olen, &old);
		free(otext);
		if (ret)
			goto out;
	}
	if (old.size != pf->num) {
		tool_err(cmd, path,
		         "the proof is from size %" PRIu64 ", the old checkpoint has %" PRIu64,
		         pf->num, old.size);
		goto out;
	}
	ret = vouch_tlog_check_consistency(old.size, old.root, cp.size, cp.root,
	                                   (const uint8_t(*)[VOUCH_TLOG_HASH])pf->hash, pf->n);
	if (ret) {
		tool_err(cmd, path,
		         "the log at size %" PRIu64 " does not extend the one at size %" PRIu64
		         " in %s: it was rewritten, truncated or forked",
		         cp.size, old.size, o->checkpoint);
		goto out;
	}
	tool_print("%s: ok: %s at size %" PRIu64 " extends its tree of size %" PRIu64 " (%s)\n",
	           path, cp.origin, cp.size, old.size, o->checkpoint);
	rc = EXIT_OK;
out:
	free(entry);
	free(pf);
	free(text);
	return rc;
}

/* "seen SIZE": told to vouchd, which keeps it (STATE/log.seen) and applies it to retention. */
static int do_seen(struct opts *o, uint64_t size)
{
	const struct vouch_ctl_request req = {.verb = VOUCH_CTL_SEEN, .arg = {size, 0}};
	struct vouch_ctl_answer a;
	int ret;

	ret = tool_daemon_ask("log seen", tool_state_dir(o->state), &req, -1, &a);
	if (ret == EXIT_OK)
		printf("retention keeps every entry from %" PRIu64 " on\n", size);
	vouch_ctl_answer_release(&a);
	return ret;
}

int cmd_log(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"state", required_argument, NULL, 'S'},
	    {"dir", required_argument, NULL, 'd'},
	    {"key", required_argument, NULL, 'k'},
	    {"checkpoint", required_argument, NULL, 'c'},
	    {"since", required_argument, NULL, 's'},
	    {"index", required_argument, NULL, 'i'},
	    {"from", required_argument, NULL, 'F'},
	    {"denied", no_argument, NULL, 'D'},
	    {"json", no_argument, NULL, 'j'},
	    {"follow", no_argument, NULL, 'f'},
	    {"lines", required_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct opts o = {.lines = 10};
	const char *sub;
	char *end;
	int c;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		if (argc < 2)
			return tool_usage(CMD, "which? key, show, tail, summary, verify, prove, "
			                       "consistency or check-proof");
		help();
		return EXIT_OK;
	}
	sub = argv[1];
	argc--;
	argv++;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hfn:", opts, NULL)) != -1) {
		switch (c) {
		case 'S':
			o.state = optarg;
			break;
		case 'd':
			o.dir = optarg;
			break;
		case 'k':
			o.key = optarg;
			break;
		case 'c':
			o.checkpoint = optarg;
			break;
		case 'D':
			o.denied = true;
			break;
		case 'j':
			o.json = true;
			break;
		case 'f':
			o.follow = true;
			break;
		case 's':
			o.since = optarg;
			if (parse_since(optarg, &o.since_us))
				return tool_usage(CMD,
				                  "--since %s: not a time like "
				                  "2026-11-21T10:00:00Z or an age like 15m",
				                  optarg);
			break;
		case 'i':
		case 'F':
		case 'n':
			errno = 0;
			if (*optarg < '0' || *optarg > '9')
				return tool_usage(CMD, "%s: not a number", optarg);
			{
				uint64_t v = strtoull(optarg, &end, 10);

				if (errno || *end)
					return tool_usage(CMD, "%s: not a number", optarg);
				if (c == 'i') {
					o.index = v;
					o.have_index = true;
				} else if (c == 'F') {
					o.from = v;
					o.have_from = true;
				} else {
					if (v > 100000)
						return tool_usage(CMD, "-n %s: at most 100000",
						                  optarg);
					o.lines = v;
					o.have_lines = true;
				}
			}
			break;
		case 'h':
			help();
			return EXIT_OK;
		default:
			return tool_bad_option(CMD, c, argc, argv);
		}
	}
	if (!strcmp(sub, "verify")) {
		if (argc - optind > 1)
			return tool_usage(CMD, "verify takes at most one directory");
		return do_verify(&o, optind < argc ? argv[optind] : o.dir);
	}
	if (!strcmp(sub, "seen")) {
		uint64_t v;

		if (argc - optind != 1 || argv[optind][0] < '0' || argv[optind][0] > '9')
			return tool_usage(CMD, "seen takes one size (entries a witness has)");
		errno = 0;
		v = strtoull(argv[optind], &end, 10);
		if (errno || *end)
			return tool_usage(CMD, "%s: not a number", argv[optind]);
		return do_seen(&o, v);
	}
	if (!strcmp(sub, "check-proof")) {
		if (argc - optind != 1)
			return tool_usage(CMD, "check-proof takes one proof file");
		return do_check(&o, argv[optind]);
	}
	if (optind != argc)
		return tool_usage(CMD, "%s: unexpected argument", argv[optind]);
	if (!strcmp(sub, "key"))
		return do_key(&o);
	if (!strcmp(sub, "show"))
		return do_show(&o);
	if (!strcmp(sub, "tail"))
		return do_tail(&o);
	if (!strcmp(sub, "summary"))
		return log_summary("log summary", &o, NULL, NULL);
	if (!strcmp(sub, "prove"))
		return do_prove(&o, true);
	if (!strcmp(sub, "consistency"))
		return do_prove(&o, false);
	return tool_usage(CMD,
	                  "%s: unknown (key, show, tail, summary, verify, prove, consistency, "
	                  "check-proof or seen)",
	                  sub);
}
