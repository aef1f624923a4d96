/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for the policy language parser and its UTC time format. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/error.h"
#include "vouch/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whatever parses must satisfy the invariants the compiler relies on. */
static void check_policy(const struct vouch_policy *p)
{
	if (p->mode != VOUCH_MODE_ENFORCE && p->mode != VOUCH_MODE_MONITOR)
		abort();
	if (p->gates &
	    ~(unsigned)(VOUCH_GATE_EXEC | VOUCH_GATE_ELF | VOUCH_GATE_SHEBANG | VOUCH_GATE_INTERP))
		abort();
	if (p->message && strlen(p->message) > VOUCH_MESSAGE_MAX)
		abort();
	for (size_t i = 0; i < p->nsigners; i++)
		if (!p->signers[i].name[0] || strlen(p->signers[i].name) > VOUCH_NAME_MAX)
			abort();
	for (size_t i = 0; i < p->nmanifests; i++)
		if (p->manifests[i].signer >= p->nsigners || !p->manifests[i].path[0])
			abort();
	for (size_t i = 0; i < p->nrules; i++) {
		const char *m = p->rules[i].message;

		if (m && strlen(m) > VOUCH_MESSAGE_MAX)
			abort();
		for (; m && *m; m++)
			if ((unsigned char)*m < 0x20 || *m == 0x7f)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vouch_policy p;
	struct vouch_policy_error err;
	int64_t t;
	int ret = vouch_policy_parse(&p, (const char *)data, size, &err);

	if (ret == 0)
		check_policy(&p);
	else if (ret == VOUCH_E_POLICY && (err.line == 0 || err.column == 0 || !err.msg[0]))
		abort(); /* every policy error says where and what */
	vouch_policy_free(&p);

	/* A time that parses formats back to the same text. */
	if (vouch_time_parse((const char *)data, size, &t) == 0) {
		char back[21];

		vouch_time_format(t, back);
		if (size != 20 || memcmp(back, data, 20) != 0)
			abort();
	}
	return 0;
}
