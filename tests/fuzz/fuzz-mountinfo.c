/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target for vouchd's /proc/PID/mountinfo line parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "marks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	struct mount_ent m;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (mountinfo_parse_line(line, &m) == 0) {
		/* What marks_scan() relies on: an absolute, terminated path and a type. */
		if (m.point[0] != '/' || strlen(m.point) >= sizeof(m.point) || !m.fstype[0] ||
		    strlen(m.fstype) >= sizeof(m.fstype))
			abort();
		(void)fs_is_local(m.fstype);
	}
	free(line);
	return 0;
}
