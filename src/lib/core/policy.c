/* SPDX-License-Identifier: Apache-2.0 */
/* The policy language: a strict line-by-line parser with line and column in every error. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "vouch/error.h"
#include "vouch/grow.h"
#include "vouch/hex.h"
#include "vouch/policy.h"

/* Longest policy line; longer ones are refused rather than split. */
#define LINE_MAX_LEN 4096
#define MAX_TOKENS   8

struct token {
	const char *p; /* into the line, or into the unescaped copy for strings */
	size_t len;
	unsigned col;
	bool quoted;
	char *str; /* unescaped text of a quoted token, malloc'd */
};

struct parser {
	struct vouch_policy *pol;
	struct vouch_policy_error *err;
	unsigned line;
	bool have_mode, have_expires, have_message, have_log;
	struct token tok[MAX_TOKENS];
	size_t ntok;
	/* Room in the policy's arrays (vouch_grow()). */
	size_t cap_signers, cap_manifests, cap_rules;
};

static int perr(struct parser *ps, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int perr(struct parser *ps, unsigned col, const char *fmt, ...)
{
	va_list ap;

	ps->err->line = ps->line;
	ps->err->column = col;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
	va_end(ap);
	return VOUCH_E_POLICY;
}

/* A token as printable text for messages: at most 40 bytes. */
static const char *shown(const struct token *t, char buf[static 48])
{
	size_t n = t->len > 40 ? 40 : t->len;

	memcpy(buf, t->p, n);
	strcpy(buf + n, t->len > 40 ? "..." : "");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
	return buf;
}

static void free_tokens(struct parser *ps)
{
	for (size_t i = 0; i < ps->ntok; i++)
		free(ps->tok[i].str);
	ps->ntok = 0;
}

/* Split one line into words and "quoted strings"; '#' outside quotes ends the line. */
static int tokenize(struct parser *ps, const char *line, size_t len)
{
	size_t i = 0;

	while (i < len) {
		struct token *t;
		unsigned col;

		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len || line[i] == '#')
			break;
		col = (unsigned)i + 1;
		if (ps->ntok == MAX_TOKENS)
			return perr(ps, col, "too many words on one line");
		t = &ps->tok[ps->ntok];
		memset(t, 0, sizeof(*t));
		t->col = col;
		if (line[i] == '"') {
			size_t o = 0;

			t->str = malloc(len - i + 1);
			if (!t->str)
				return -ENOMEM;
			ps->ntok++;
			t->quoted = true;
			for (i++;; i++) {
				if (i == len)
					return perr(ps, col, "unterminated quoted string");
				if (line[i] == '"')
					break;
				if (line[i] == '\\') {
					if (i + 1 == len ||
					    (line[i + 1] != '"' && line[i + 1] != '\\'))
						return perr(
						    ps, (unsigned)i + 1,
						    "unknown escape in string (only \\\" and "
						    "\\\\ are allowed)");
					i++;
				}
				t->str[o++] = line[i];
			}
			t->str[o] = '\0';
			t->p = t->str;
			t->len = o;
			i++;
			if (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '#')
				return perr(ps, (unsigned)i + 1,
				            "expected a space after the string");
			continue;
		}
		t->p = line + i;
		while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '"')
			i++;
		t->len = (size_t)(line + i - t->p);
		if (i < len && line[i] == '"')
			return perr(ps, (unsigned)i + 1, "expected a space before the string");
		ps->ntok++;
	}
	return 0;
}

static bool tok_is(const struct token *t, const char *word)
{
	return !t->quoted && t->len == strlen(word) && memcmp(t->p, word, t->len) == 0;
}

/* Exactly @min..@max words, including the directive. */
static int want_args(struct parser *ps, size_t min, size_t max, const char *usage)
{
	char b[48];

	if (ps->ntok < min)
		return perr(ps, ps->tok[0].col, "'%s' needs %s", shown(&ps->tok[0], b), usage);
	if (ps->ntok > max)
		return perr(ps, ps->tok[max].col, "unexpected '%s' (expected end of line)",
		            shown(&ps->tok[max], b));
	return 0;
}

static int want_word(struct parser *ps, const struct token *t, const char *what)
{
	if (t->quoted)
		return perr(ps, t->col, "expected %s, found a quoted string", what);
	return 0;
}

static int message_check(struct parser *ps, const struct token *t)
{
	if (!t->quoted)
		return perr(ps, t->col, "a message must be a \"quoted string\"");
	if (t->len > VOUCH_MESSAGE_MAX)
		return perr(ps, t->col, "message longer than %d bytes", VOUCH_MESSAGE_MAX);
	for (size_t i = 0; i < t->len; i++)
		if ((unsigned char)t->p[i] < 0x20 || t->p[i] == 0x7f)
			return perr(ps, t->col, "message contains a control character");
	return 0;
}

static char *dup_token(const struct token *t)
{
	char *s = malloc(t->len + 1);

	if (s) {
		memcpy(s, t->p, t->len);
		s[t->len] = '\0';
	}
	return s;
}

static int parse_sha256(struct parser *ps, const struct token *t, uint8_t out[static 32])
{
	char b[48];
	size_t bad = 0;
	int ret = want_word(ps, t, "a SHA-256 in hex");

	if (ret)
		return ret;
	if (t->len != 64)
		return perr(ps, t->col, "'%s' is not a SHA-256 (64 hex digits)", shown(t, b));
	/* Policies are typed by people: upper-case hex digits too. */
	if (vouch_hex_decode(out, 32, t->p, 64, VOUCH_HEX_ANY_CASE, &bad))
		return perr(ps, t->col + (unsigned)bad, "not a hex digit in SHA-256");
	return 0;
}

static int d_mode(struct parser *ps)
{
	struct token *t = &ps->tok[1];
	char b[48];
	int ret = want_args(ps, 2, 2, "'enforce' or 'monitor'");

	if (ret)
		return ret;
	if (ps->have_mode)
		return perr(ps, ps->tok[0].col, "'mode' is set twice");
	if (tok_is(t, "enforce"))
		ps->pol->mode = VOUCH_MODE_ENFORCE;
	else if (tok_is(t, "monitor"))
		ps->pol->mode = VOUCH_MODE_MONITOR;
	else
		return perr(ps, t->col, "unknown mode '%s' (expected 'enforce' or 'monitor')",
		            shown(t, b));
	ps->have_mode = true;
	return 0;
}

static int d_expires(struct parser *ps)
{
	struct token *t = &ps->tok[1];
	char b[48];
	int ret = want_args(ps, 2, 2, "a time like 2027-01-31T00:00:00Z");

	if (ret)
		return ret;
	if (ps->have_expires)
		return perr(ps, ps->tok[0].col, "'expires' is set twice");
	if (t->quoted || vouch_time_parse(t->p, t->len, &ps->pol->expires) != 0)
		return perr(ps, t->col, "'%s' is not a UTC time like 2027-01-31T00:00:00Z",
		            shown(t, b));
	ps->have_expires = true;
	return 0;
}

static int d_message(struct parser *ps)
{
	int ret = want_args(ps, 2, 2, "a \"quoted message\"");

	if (!ret)
		ret = message_check(ps, &ps->tok[1]);
	if (ret)
		return ret;
	if (ps->have_message)
		return perr(ps, ps->tok[0].col, "'message' is set twice");
	ps->pol->message = dup_token(&ps->tok[1]);
	if (!ps->pol->message)
		return -ENOMEM;
	ps->have_message = true;
	return 0;
}

static bool name_ok(const struct token *t)
{
	if (t->quoted || t->len == 0 || t->len > VOUCH_NAME_MAX)
		return false;
	for (size_t i = 0; i < t->len; i++) {
		char c = t->p[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

static int find_signer(const struct vouch_policy *p, const struct token *t, size_t *idx)
{
	for (size_t i = 0; i < p->nsigners; i++) {
		if (strlen(p->signers[i].name) == t->len &&
		    memcmp(p->signers[i].name, t->p, t->len) == 0) {
			*idx = i;
			return 0;
		}
	}
	return VOUCH_E_NOTFOUND;
}

static int d_signer(struct parser *ps)
{
	struct vouch_policy *p = ps->pol;
	struct vouch_policy_signer *s;
	void *v;
	struct token *name = &ps->tok[1], *key = &ps->tok[2];
	char b[48];
	size_t idx;
	int ret = want_args(ps, 3, 3, "a name and a public key (the base64 line of a .pub file)");

	if (ret)
		return ret;
	if (!name_ok(name))
		return perr(ps, name->col,
		            "signer name '%s' must be 1-%d letters, digits, '.', '-' or '_'",
		            shown(name, b), VOUCH_NAME_MAX);
	if (find_signer(p, name, &idx) == 0)
		return perr(ps, name->col, "signer '%s' is already defined on line %u",
		            p->signers[idx].name, p->signers[idx].line);
	v = p->signers;
	ret = vouch_grow(&v, &ps->cap_signers, p->nsigners + 1, sizeof(*p->signers));
	p->signers = v;
	if (ret)
		return ret;
	s = &p->signers[p->nsigners];
	memset(s, 0, sizeof(*s));
	if (key->quoted || (ret = vouch_pubkey_parse_base64(&s->key, key->p, key->len)) != 0)
		return perr(ps, key->col, "not a public key: %s",
		            key->quoted ? "quoted" : vouch_strerror(ret));
	for (size_t i = 0; i < p->nsigners; i++)
		if (memcmp(p->signers[i].key.pk, s->key.pk, VOUCH_PK_LEN) == 0)
			return perr(ps, key->col, "this key is already signer '%s' (line %u)",
			            p->signers[i].name, p->signers[i].line);
	memcpy(s->name, name->p, name->len);
	s->line = ps->line;
	p->nsigners++;
	return 0;
}

/* manifest PATH signer NAME [signature SIGPATH] */
static int d_manifest(struct parser *ps)
{
	struct vouch_policy *p = ps->pol;
	struct vouch_policy_manifest *m;
	void *v;
	char b[48];
	size_t signer;
	int ret = want_args(ps, 4, 6, "a path and 'signer NAME' (optionally 'signature PATH')");

	if (ret)
		return ret;
	if (ps->tok[1].len == 0)
		return perr(ps, ps->tok[1].col, "empty manifest path");
	if (!tok_is(&ps->tok[2], "signer"))
		return perr(ps, ps->tok[2].col, "expected 'signer', found '%s'",
		            shown(&ps->tok[2], b));
	if (find_signer(p, &ps->tok[3], &signer) != 0)
		return perr(ps, ps->tok[3].col,
		            "unknown signer '%s' (define it with a 'signer' line first)",
		            shown(&ps->tok[3], b));
	if (ps->ntok == 5)
		return perr(ps, ps->tok[4].col, "expected 'signature PATH' or end of line");
	if (ps->ntok == 6 && !tok_is(&ps->tok[4], "signature"))
		return perr(ps, ps->tok[4].col, "expected 'signature', found '%s'",
		            shown(&ps->tok[4], b));
	if (ps->ntok == 6 && ps->tok[5].len == 0)
		return perr(ps, ps->tok[5].col, "empty signature path");
	v = p->manifests;
	ret = vouch_grow(&v, &ps->cap_manifests, p->nmanifests + 1, sizeof(*p->manifests));
	p->manifests = v;
	if (ret)
		return ret;
	m = &p->manifests[p->nmanifests];
	memset(m, 0, sizeof(*m));
	p->nmanifests++;
	m->signer = signer;
	m->line = ps->line;
	m->path = dup_token(&ps->tok[1]);
	if (!m->path)
		return -ENOMEM;
	if (ps->ntok == 6) {
		m->sigpath = dup_token(&ps->tok[5]);
		if (!m->sigpath)
			return -ENOMEM;
	}
	for (size_t i = 0; i + 1 < p->nmanifests; i++)
		if (strcmp(p->manifests[i].path, m->path) == 0)
			return perr(ps, ps->tok[1].col,
			            "manifest '%s' is already listed on line %u",
			            shown(&ps->tok[1], b), p->manifests[i].line);
	return 0;
}

static int d_rule(struct parser *ps, bool deny)
{
	struct vouch_policy *p = ps->pol;
	struct vouch_policy_rule *r;
	void *v;
	int ret = want_args(ps, 2, 3, "a SHA-256 (and optionally a \"message\")");

	if (ret)
		return ret;
	if (ps->ntok == 3 && (ret = message_check(ps, &ps->tok[2])))
		return ret;
	v = p->rules;
	ret = vouch_grow(&v, &ps->cap_rules, p->nrules + 1, sizeof(*p->rules));
	p->rules = v;
	if (ret)
		return ret;
	r = &p->rules[p->nrules];
	memset(r, 0, sizeof(*r));
	ret = parse_sha256(ps, &ps->tok[1], r->sha256);
	if (ret)
		return ret;
	p->nrules++;
	r->deny = deny;
	r->line = ps->line;
	if (ps->ntok == 3) {
		r->message = dup_token(&ps->tok[2]);
		if (!r->message)
			return -ENOMEM;
	}
	return 0;
}

static const struct {
	const char *name;
	unsigned bit;
} gates[] = {
    {"exec", VOUCH_GATE_EXEC},
    {"elf", VOUCH_GATE_ELF},
    {"shebang", VOUCH_GATE_SHEBANG},
    {"interpreted", VOUCH_GATE_INTERP},
};

static int d_gate(struct parser *ps)
{
	struct token *what = &ps->tok[1], *onoff = &ps->tok[2];
	char b[48];
	int ret = want_args(ps, 3, 3, "what to gate and 'on' or 'off'");

	if (ret)
		return ret;
	for (size_t i = 0; i < sizeof(gates) / sizeof(gates[0]); i++) {
		if (!tok_is(what, gates[i].name))
			continue;
		if (tok_is(onoff, "on"))
			ps->pol->gates |= gates[i].bit;
		else if (tok_is(onoff, "off"))
			ps->pol->gates &= ~gates[i].bit;
		else
			return perr(ps, onoff->col, "expected 'on' or 'off', found '%s'",
			            shown(onoff, b));
		return 0;
	}
	return perr(ps, what->col, "cannot gate '%s' (expected exec, elf, shebang or interpreted)",
	            shown(what, b));
}

static int d_log(struct parser *ps)
{
	struct token *what = &ps->tok[1];
	char b[48];
	unsigned v;
	int ret = want_args(ps, 2, 2, "denials, first or all");

	if (ret)
		return ret;
	if (tok_is(what, "denials"))
		v = VOUCH_LOG_DENIALS;
	else if (tok_is(what, "first"))
		v = VOUCH_LOG_FIRST;
	else if (tok_is(what, "all"))
		v = VOUCH_LOG_ALL;
	else
		return perr(ps, what->col, "cannot log '%s' (expected denials, first or all)",
		            shown(what, b));
	if (ps->have_log)
		return perr(ps, ps->tok[0].col, "'log' is set twice");
	ps->have_log = true;
	ps->pol->gates = (ps->pol->gates & ~(unsigned)VOUCH_LOG_MASK) | v;
	return 0;
}

/* "max-size 512M": bytes, with an optional K, M or G (powers of 1024), at least 1 KiB. */
static int d_max_size(struct parser *ps)
{
	struct token *t = &ps->tok[1];
	char b[48];
	uint64_t v = 0;
	unsigned shift = 0;
	size_t i, n = t->len;
	int ret = want_args(ps, 2, 2, "a size such as 512M");

	if (ret)
		return ret;
	if (ps->pol->max_size)
		return perr(ps, ps->tok[0].col, "'max-size' is set twice");
	if (n && (t->p[n - 1] == 'K' || t->p[n - 1] == 'M' || t->p[n - 1] == 'G')) {
		shift = t->p[n - 1] == 'K' ? 10 : t->p[n - 1] == 'M' ? 20 : 30;
		n--;
	}
	for (i = 0; i < n && t->p[i] >= '0' && t->p[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			break;
		v = v * 10 + (uint64_t)(t->p[i] - '0');
	}
	if (t->quoted || n == 0 || i != n || (t->p[0] == '0' && n > 1) || v > (UINT64_MAX >> shift))
		return perr(ps, t->col, "not a size: '%s' (bytes, or a number with K, M or G)",
		            shown(t, b));
	v <<= shift;
	if (v < 1024)
		return perr(ps, t->col, "max-size %s is less than 1K: no program is that small",
		            shown(t, b));
	ps->pol->max_size = v;
	return 0;
}

/*
 * "update-every 180d": how long a device may go without a successful update before it is
 * overdue: a number of days (d) or hours (h), from an hour to ten years.
 */
static int d_update_every(struct parser *ps)
{
	struct token *t = &ps->tok[1];
	char b[48];
	int64_t v = 0, unit;
	size_t i, n = t->len;
	int ret = want_args(ps, 2, 2, "a duration such as 180d or 12h");

	if (ret)
		return ret;
	if (ps->pol->update_every)
		return perr(ps, ps->tok[0].col, "'update-every' is set twice");
	unit = n && t->p[n - 1] == 'd' ? 86400 : n && t->p[n - 1] == 'h' ? 3600 : 0;
	if (unit)
		n--;
	for (i = 0; i < n && i < 9 && t->p[i] >= '0' && t->p[i] <= '9'; i++)
		v = v * 10 + (t->p[i] - '0');
	if (t->quoted || !unit || n == 0 || i != n || (t->p[0] == '0' && n > 1))
		return perr(ps, t->col,
		            "not a duration: '%s' (days such as 180d, or hours such as 12h)",
		            shown(t, b));
	v *= unit;
	if (v < VOUCH_UPDATE_EVERY_MIN || v > VOUCH_UPDATE_EVERY_MAX)
		return perr(ps, t->col, "update-every %s is out of range (1h to 3650d)",
		            shown(t, b));
	ps->pol->update_every = v;
	return 0;
}

static int cmp_rules(const void *a, const void *b)
{
	const struct vouch_policy_rule *x = *(const struct vouch_policy_rule *const *)a;
	const struct vouch_policy_rule *y = *(const struct vouch_policy_rule *const *)b;
	int c = memcmp(x->sha256, y->sha256, 32);

	if (c)
		return c;
	if (x->deny != y->deny)
		return x->deny ? 1 : -1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* The same hash twice in rules of the same kind is a mistake worth naming. */
static int check_duplicate_rules(struct parser *ps)
{
	struct vouch_policy *p = ps->pol;
	const struct vouch_policy_rule **v;
	int ret = 0;

	if (p->nrules < 2)
		return 0;
	v = malloc(p->nrules * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < p->nrules; i++)
		v[i] = &p->rules[i];
	qsort(v, p->nrules, sizeof(*v), cmp_rules);
	for (size_t i = 1; i < p->nrules; i++) {
		if (memcmp(v[i]->sha256, v[i - 1]->sha256, 32) == 0 &&
		    v[i]->deny == v[i - 1]->deny) {
			ps->line = v[i]->line;
			ret = perr(ps, 1, "duplicate '%s' rule for this SHA-256 (first on line %u)",
			           v[i]->deny ? "deny" : "allow", v[i - 1]->line);
			break;
		}
	}
	free(v);
	return ret;
}

static int directive(struct parser *ps)
{
	struct token *t = &ps->tok[0];
	char b[48];

	if (t->quoted)
		return perr(ps, t->col, "a line must begin with a keyword, not a string");
	if (tok_is(t, "mode"))
		return d_mode(ps);
	if (tok_is(t, "expires"))
		return d_expires(ps);
	if (tok_is(t, "message"))
		return d_message(ps);
	if (tok_is(t, "signer"))
		return d_signer(ps);
	if (tok_is(t, "manifest"))
		return d_manifest(ps);
	if (tok_is(t, "allow"))
		return d_rule(ps, false);
	if (tok_is(t, "deny"))
		return d_rule(ps, true);
	if (tok_is(t, "gate"))
		return d_gate(ps);
	if (tok_is(t, "log"))
		return d_log(ps);
	if (tok_is(t, "max-size"))
		return d_max_size(ps);
	if (tok_is(t, "update-every"))
		return d_update_every(ps);
	return perr(ps, t->col, "unknown keyword '%s'", shown(t, b));
}

int vouch_policy_parse(struct vouch_policy *p, const char *text, size_t len,
                       struct vouch_policy_error *err)
{
	struct parser ps = {.pol = p, .err = err};
	const char *cur = text, *end = text + len;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	memset(err, 0, sizeof(*err));
	p->gates = VOUCH_GATE_DEFAULT;
	if (len > VOUCH_POLICY_MAX)
		return VOUCH_E_TOOBIG;
	while (cur < end) {
		const char *nl = memchr(cur, '\n', (size_t)(end - cur));
		size_t n = nl ? (size_t)(nl - cur) : (size_t)(end - cur);

		ps.line++;
		if (n > 0 && cur[n - 1] == '\r')
			n--;
		if (n > LINE_MAX_LEN)
			return perr(&ps, LINE_MAX_LEN + 1, "line longer than %d bytes",
			            LINE_MAX_LEN);
		for (size_t i = 0; i < n; i++)
			if (cur[i] == '\0' || ((unsigned char)cur[i] < 0x20 && cur[i] != '\t'))
				return perr(&ps, (unsigned)i + 1, "control character in policy");
		ret = tokenize(&ps, cur, n);
		if (!ret && ps.ntok > 0)
			ret = directive(&ps);
		free_tokens(&ps);
		if (ret)
			return ret;
		cur = nl ? nl + 1 : end;
	}
	if (!ps.have_mode) {
		ps.line = 1;
		return perr(&ps, 1,
		            "the policy sets no mode: add 'mode enforce' or 'mode monitor'");
	}
	return check_duplicate_rules(&ps);
}

void vouch_policy_free(struct vouch_policy *p)
{
	if (!p)
		return;
	free(p->message);
	for (size_t i = 0; i < p->nmanifests; i++) {
		free(p->manifests[i].path);
		free(p->manifests[i].sigpath);
	}
	free(p->manifests);
	for (size_t i = 0; i < p->nrules; i++)
		free(p->rules[i].message);
	free(p->rules);
	free(p->signers);
	memset(p, 0, sizeof(*p));
}

const char *vouch_mode_name(enum vouch_mode m)
{
	return m == VOUCH_MODE_ENFORCE ? "enforce" : "monitor";
}

static int digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int vouch_time_parse(const char *s, size_t len, int64_t *out)
{
	struct tm tm = {0}, back;
	time_t t;

	if (len != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z')
		return VOUCH_E_RANGE;
	if (digits(s, 4, &tm.tm_year) || digits(s + 5, 2, &tm.tm_mon) ||
	    digits(s + 8, 2, &tm.tm_mday) || digits(s + 11, 2, &tm.tm_hour) ||
	    digits(s + 14, 2, &tm.tm_min) || digits(s + 17, 2, &tm.tm_sec))
		return VOUCH_E_RANGE;
	if (tm.tm_year < 1970 || tm.tm_sec > 59)
		return VOUCH_E_RANGE;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	back = tm;
	t = timegm(&tm);
	/* timegm() normalises 2027-02-30 into March: a changed field means no such date. */
	if (t == (time_t)-1 || tm.tm_year != back.tm_year || tm.tm_mon != back.tm_mon ||
	    tm.tm_mday != back.tm_mday || tm.tm_hour != back.tm_hour || tm.tm_min != back.tm_min)
		return VOUCH_E_RANGE;
	*out = (int64_t)t;
	return 0;
}

void vouch_time_format(int64_t t, char out[static 21])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, &tm) || tm.tm_year + 1900 > 9999 || tm.tm_year + 1900 < 0)
		snprintf(out, 21, "(out of range)");
	else
		strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
