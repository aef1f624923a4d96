#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Run a command on a new pseudo-terminal, answering prompts as a person would.
# Usage: ptyrun.py OUTFILE PROMPT REPLY [PROMPT REPLY ...] -- CMD [ARGS...]
# Each REPLY (plus a newline) is typed only after its PROMPT has appeared. Everything the
# terminal showed goes to OUTFILE; the exit status is the command's. Bounded to 120 s.
import os
import pty
import select
import sys
import time


def main():
    sep = sys.argv.index("--")
    outfile, pairs, cmd = sys.argv[1], sys.argv[2:sep], sys.argv[sep + 1:]
    answers = [(pairs[i].encode(), pairs[i + 1].encode() + b"\n") for i in range(0, len(pairs), 2)]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    out, seen, deadline = b"", 0, time.monotonic() + 120
    while time.monotonic() < deadline:
        if answers and answers[0][0] in out[seen:]:
            seen = out.index(answers[0][0], seen) + len(answers[0][0])
            os.write(fd, answers.pop(0)[1])
        ready, _, _ = select.select([fd], [], [], 0.2)
        if fd in ready:
            try:
                data = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            out += data
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    with open(outfile, "wb") as f:
        f.write(out)
    sys.exit(os.waitstatus_to_exitcode(status) if status else 0)


main()
