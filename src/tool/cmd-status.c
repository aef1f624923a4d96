/* SPDX-License-Identifier: Apache-2.0 */
/* vouch status: what vouchd is doing, from its control socket; for people or as JSON. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tool.h"

static const char *const CMD = "status";

static void help(void)
{
	printf("Usage: vouch status [--json] [--state DIR]\n"
	       "\n"
	       "Ask the running vouchd what it is doing: its mode, the policy it enforces\n"
	       "(when compiled, when it expires, how many hashes), the filesystems it has\n"
	       "marked, its counters (decisions, cache hit rate, queue depth, denials), and\n"
	       "its decision log, with a WARNING for entries it lost or could not write,\n"
	       "and for a vouchd that runs without its installed policy (none installed,\n"
	       "or a damaged trust store); and the device's updates (the last success and\n"
	       "change, the versions installed), with a WARNING when the policy's update\n"
	       "deadline (update-every) has passed.\n"
	       "Anyone may ask.\n"
	       "\n"
	       "  --json           one JSON object on standard output\n"
	       "  --state DIR      vouchd's state directory (default $VOUCH_STATE_DIR or %s)\n"
	       "  -h, --help       show this help\n"
	       "\n"
	       "Exit status: 0 vouchd answered, 2 it is not running or did not answer.\n",
	       VOUCH_STATE_DIR_DEFAULT);
}

static uint64_t num(const struct vouch_ctl_answer *a, const char *key)
{
	const char *v = vouch_ctl_answer_get(a, key);

	return v ? strtoull(v, NULL, 10) : 0;
}

static void when(int64_t t, char out[static 21])
{
	if (t == 0)
		snprintf(out, 21, "never");
	else
		vouch_time_format(t, out);
}

/* Keys whose values are numbers in JSON; every other value is a string. */
static bool numeric(const char *key)
{
	static const char *const strs[] = {"version",       "mode",           "policy_sha256",
	                                   "policy_source", "policy_problem", "filesystem",
	                                   "log_dir",       "log_error"};

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!strcmp(key, strs[i]))
			return false;
	return true;
}

/*
 * The device's updates (STATE/update.state, written by vouch update), read here: vouchd
 * does not know of them. A missing file is no update ever; a damaged one is said so.
 * Return: 0 with @u filled; -ENOENT (none); another code (unreadable or malformed).
 */
static int load_updates(const char *state, struct vouch_upstate *u)
{
	char path[PATH_MAX], *text = NULL;
	size_t len = 0;
	int ret;

	memset(u, 0, sizeof(*u));
	if ((size_t)snprintf(path, sizeof(path), "%s/" VOUCH_STATE_UPDATE, state) >= sizeof(path))
		return -ENAMETOOLONG;
	ret = vouch_file_read(path, (size_t)16 << 20, &text, &len);
	if (ret)
		return ret;
	ret = vouch_upstate_parse(u, text, len);
	free(text);
	if (ret)
		vouch_upstate_free(u);
	return ret;
}

static void json_time(const char *key, int64_t t)
{
	char s[21];

	if (!t) {
		printf(",\"%s\":null", key);
		return;
	}
	vouch_time_format(t, s);
	printf(",\"%s\":\"%s\"", key, s);
}

/* "update":{...}: what the updates did, and whether the device is overdue. */
static void print_updates_json(const struct vouch_ctl_answer *a, const char *state)
{
	struct vouch_upstate u;
	int ret = load_updates(state, &u);
	int64_t every = (int64_t)num(a, "policy_update_every"), due = 0;
	bool over = vouch_upstate_overdue(ret ? NULL : &u, every, (int64_t)time(NULL), &due);

	printf(",\"update\":{\"recorded\":%s", ret ? "false" : "true");
	if (ret && ret != -ENOENT)
		printf(",\"problem\":\"%s\"", vouch_strerror(ret));
	json_time("checked", u.checked);
	json_time("succeeded", u.succeeded);
	json_time("changed", u.changed);
	printf(",\"root_version\":%llu,\"targets_version\":%llu", (unsigned long long)u.root,
	       (unsigned long long)u.targets);
	if (u.failure)
		fputs(",", stdout),
		    tool_json_field(stdout, "failure", u.failure, strlen(u.failure));
	else
		fputs(",\"failure\":null", stdout);
	if (every)
		printf(",\"every\":%lld", (long long)every);
	else
		fputs(",\"every\":null", stdout);
	json_time("due", due);
	printf(",\"overdue\":%s,\"targets\":[", over ? "true" : "false");
	for (size_t i = 0; i < u.nt; i++) {
		printf("%s{", i ? "," : "");
		tool_json_field(stdout, "path", u.t[i].path, strlen(u.t[i].path));
		printf(",\"length\":%llu,\"sha256\":\"%s\"}", (unsigned long long)u.t[i].length,
		       u.t[i].sha256);
	}
	fputs("]}", stdout);
	vouch_upstate_free(&u);
}

/* The lines of the same, for people: loud when the device is overdue. */
static void print_updates(const struct vouch_ctl_answer *a, const char *state)
{
	struct vouch_upstate u;
	int ret = load_updates(state, &u);
	int64_t every = (int64_t)num(a, "policy_update_every"), due = 0;
	bool over = vouch_upstate_overdue(ret ? NULL : &u, every, (int64_t)time(NULL), &due);
	char t1[21], t2[21];

	if (ret == -ENOENT) {
		printf("updates:     none recorded (vouch update has not run here)\n");
	} else if (ret) {
		tool_print("WARNING:     %s/" VOUCH_STATE_UPDATE ": %s\n", state,
		           vouch_strerror(ret));
	} else {
		when(u.succeeded, t1);
		when(u.changed, t2);
		printf("updates:     last success %s, last change %s; root version %llu, targets "
		       "version %llu, %zu targets installed\n",
		       t1, t2, (unsigned long long)u.root, (unsigned long long)u.targets, u.nt);
		if (u.failure) {
			when(u.checked, t1);
			tool_print("WARNING:     the last update (%s) failed: %s\n", t1, u.failure);
		}
	}
	if (over) {
		long long n = every % 86400 ? every / 3600 : every / 86400;
		const char *unit = every % 86400 ? "hours" : "days";

		when(due, t1);
		if (due)
			printf(
			    "WARNING:     overdue: the policy asks for an update every %lld %s; it "
			    "was due %s\n",
			    n, unit, t1);
		else
			printf("WARNING:     overdue: the policy asks for an update every %lld %s, "
			       "and none has succeeded\n",
			       n, unit);
	}
	vouch_upstate_free(&u);
}

static void print_json(const struct vouch_ctl_answer *a, const char *state)
{
	bool first = true;

	fputs("{\"running\":true", stdout);
	for (size_t i = 0; i < a->npairs; i++) {
		if (!strcmp(a->pair[i].key, "filesystem"))
			continue;
		putchar(',');
		/* A key is [a-z][a-z0-9_]* (the codec refuses any other): written as it is. */
		if (numeric(a->pair[i].key))
			printf("\"%s\":%llu", a->pair[i].key, strtoull(a->pair[i].value, NULL, 10));
		else
			tool_json_field(stdout, a->pair[i].key, a->pair[i].value, a->pair[i].len);
	}
	{
		uint64_t dec = num(a, "decisions"), hits = num(a, "cache_hits");

		printf(",\"cache_hit_rate\":%.4f", dec ? (double)hits / (double)dec : 0.0);
	}
	fputs(",\"filesystems\":[", stdout);
	for (size_t i = 0; i < a->npairs; i++) {
		char dev[32], type[64];
		int at = 0;

		if (strcmp(a->pair[i].key, "filesystem") != 0)
			continue;
		/* "major:minor type path": the path may hold spaces, so it is the rest. */
		if (sscanf(a->pair[i].value, "%31s %63s %n", dev, type, &at) != 2 || at == 0)
			continue;
		printf("%s{", first ? "" : ",");
		tool_json_str(stdout, "dev", dev);
		fputs(",", stdout);
		tool_json_str(stdout, "type", type);
		fputs(",", stdout);
		tool_json_field(stdout, "path", a->pair[i].value + at, a->pair[i].len - (size_t)at);
		fputs("}", stdout);
		first = false;
	}
	fputs("]", stdout);
	print_updates_json(a, state);
	fputs("}\n", stdout);
}

/*
 * The decision log: where, how much, and loudly whatever did not reach it. An
 * older vouchd that says nothing of a log gets no line; an empty log_dir is
 * vouchd --no-log.
 */
static void print_log(const struct vouch_ctl_answer *a)
{
	const char *dir = vouch_ctl_answer_get(a, "log_dir");
	const char *err = vouch_ctl_answer_get(a, "log_error");
	uint64_t entries = num(a, "log_entries"), done = num(a, "log_checkpointed");
	uint64_t dropped = num(a, "log_dropped"), lost = num(a, "log_lost");
	char t[21];

	if (!dir)
		return;
	if (!*dir) {
		printf(
		    "log:         off (vouchd runs with --no-log: decisions are not recorded)\n");
		return;
	}
	when((int64_t)num(a, "log_checkpoint_time"), t);
	tool_print("log:         %s: %" PRIu64 " entries, %" PRIu64
	           " in a signed checkpoint (the last %s)\n",
	           dir, entries, done, t);
	if (vouch_ctl_answer_get(a, "log_rate_limited") && num(a, "log_rate_limited"))
		printf("             %" PRIu64
		       " decisions over a user's rate limit, counted in %" PRIu64
		       " summary entries\n",
		       num(a, "log_rate_limited"), num(a, "log_summaries"));
	if (vouch_ctl_answer_get(a, "log_seen"))
		printf("             a witness has seen %" PRIu64
		       " entries (retention keeps the rest)\n",
		       num(a, "log_seen"));
	if (dropped)
		printf("WARNING:     %" PRIu64
		       " decisions were not logged: the log's queue was full\n",
		       dropped);
	if (lost)
		printf("WARNING:     %" PRIu64
		       " log entries were lost: they could not be written\n",
		       lost);
	if (err) {
		when((int64_t)num(a, "log_error_time"), t);
		tool_print("WARNING:     the log could not be written (%s): %s\n", t, err);
	}
}

/* A counter vouchd keeps that is 0 when all is well, and what it counts. */
static const struct {
	const char *key, *what;
} warnings[] = {
    {"queue_full", "events were answered at once because the queue was full"},
    {"user_limited", "events were answered at once because their user had too much waiting"},
    {"read_errors", "reads of events failed (out of descriptors or memory); the kernel "
                    "denied those events"},
    {"stat_errors", "files could not be looked at, and were decided as changing"},
    {"leases_user_full", "programs were refused: their user held too many files under lease"},
    {"notices_dropped", "reasons were not told to a terminal (too many at once)"},
    {"control_refused", "requests were refused: their user had too many open"},
    {"hash_errors", "files could not be hashed"},
    {"marks_refused", "filesystems could not be marked (see vouchd's log)"},
};

static void print_text(const struct vouch_ctl_answer *a, const char *state)
{
	const char *mode = vouch_ctl_answer_get(a, "mode");
	uint64_t dec = num(a, "decisions"), hits = num(a, "cache_hits"), nfs = 0;
	int64_t up = (int64_t)time(NULL) - (int64_t)num(a, "started");
	char c[21], e[21];

	when((int64_t)num(a, "policy_compiled"), c);
	when((int64_t)num(a, "policy_expires"), e);
	for (size_t i = 0; i < a->npairs; i++)
		nfs += !strcmp(a->pair[i].key, "filesystem");
	/* vouchd's strings are shown escaped, as everything this tool did not write. */
	tool_print("vouchd %s, pid %" PRIu64 ", up %lldh %02lldm %02llds\n",
	           vouch_ctl_answer_get(a, "version") ? vouch_ctl_answer_get(a, "version") : "?",
	           num(a, "pid"), (long long)(up / 3600), (long long)(up / 60 % 60),
	           (long long)(up % 60));
	tool_print("mode:        %s%s\n", mode ? mode : "?",
	           mode && !strcmp(mode, vouch_mode_name(VOUCH_MODE_MONITOR))
	               ? " (nothing is denied; would-be denials are counted)"
	               : "");
	printf("policy:      compiled %s, expires %s, %" PRIu64 " hashes\n", c, e,
	       num(a, "policy_hashes"));
	if (num(a, "policy_update_every") % 86400 == 0 && num(a, "policy_update_every"))
		printf("             a device must update at least every %" PRIu64 " days\n",
		       num(a, "policy_update_every") / 86400);
	else if (num(a, "policy_update_every"))
		printf("             a device must update at least every %" PRIu64 " hours\n",
		       num(a, "policy_update_every") / 3600);
	/* Not the installed store (none, or a damaged one): vouchd(8), FAIL-SAFETY. */
	if (vouch_ctl_answer_get(a, "policy_problem"))
		tool_print("WARNING:     %s\n", vouch_ctl_answer_get(a, "policy_problem"));
	tool_print("             sha256 of its text %s\n",
	           vouch_ctl_answer_get(a, "policy_sha256")
	               ? vouch_ctl_answer_get(a, "policy_sha256")
	               : "?");
	printf("decisions:   %" PRIu64 " about code, %.1f%% from the cache; %" PRIu64
	       " events in all\n",
	       dec, dec ? 100.0 * (double)hits / (double)dec : 0.0, num(a, "events"));
	printf("denied:      %" PRIu64 "; would be denied in enforce mode: %" PRIu64 "\n",
	       num(a, "denials"), num(a, "would_deny"));
	printf("workers:     %" PRIu64 "; queue %" PRIu64 " waiting (at most %" PRIu64
	       " so far, room for %" PRIu64 ")\n",
	       num(a, "workers"), num(a, "queue_depth"), num(a, "queue_max"),
	       num(a, "queue_capacity"));
	if (vouch_ctl_answer_get(a, "workers_per_user"))
		printf("             a user but root has %" PRIu64 " of them at most; %" PRIu64
		       " users waiting or running now\n",
		       num(a, "workers_per_user"), num(a, "queue_users"));
	if (vouch_ctl_answer_get(a, "leases_taken"))
		printf("leases:      %" PRIu64 " held now; %" PRIu64 " taken, %" PRIu64
		       " refused (open for writing), %" PRIu64 " broken during a check\n",
		       num(a, "leases_held"), num(a, "leases_taken"),
		       num(a, "leases_refused_writers"), num(a, "leases_broken_during_check"));
	for (size_t i = 0; i < sizeof(warnings) / sizeof(warnings[0]); i++)
		if (num(a, warnings[i].key))
			printf("WARNING:     %" PRIu64 " %s\n", num(a, warnings[i].key),
			       warnings[i].what);
	print_log(a);
	print_updates(a, state);
	printf("filesystems: %" PRIu64 " marked\n", nfs);
	for (size_t i = 0; i < a->npairs; i++)
		if (!strcmp(a->pair[i].key, "filesystem"))
			tool_print("  %s\n", a->pair[i].value);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"state", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const struct vouch_ctl_request req = {.verb = VOUCH_CTL_STATUS};
	const char *state = NULL;
	struct vouch_ctl_answer a;
	bool json = false;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'S':
			state = optarg;
			break;
		case 'h':
			help();
			return EXIT_OK;
		default:
			return tool_bad_option(CMD, c, argc, argv);
		}
	}
	if (optind != argc)
		return tool_usage(CMD, "unexpected argument '%s'", argv[optind]);
	rc = tool_daemon_ask(CMD, tool_state_dir(state), &req, -1, &a);
	if (rc == EXIT_OK) {
		if (json)
			print_json(&a, tool_state_dir(state));
		else
			print_text(&a, tool_state_dir(state));
	} else if (json) {
		printf("{\"running\":false}\n");
	}
	vouch_ctl_answer_release(&a);
	return rc;
}
