"""The bare-pipe baseline: the leanest loop that answers batches of trivial calls.

Each line on stdin is a JSON array of calls {"id", "fn", "args"}; the answer is one line on
stdout, a JSON array with each call's result (its args) at the call's position. Answers travel
in request order, so positions identify them and no id is echoed: the baseline is the physical
floor, not a protocol. Stdlib json only. Exits when stdin closes.
"""

import json
import sys


def main() -> None:
    read = sys.stdin.buffer.readline
    write = sys.stdout.buffer.write
    flush = sys.stdout.buffer.flush
    loads = json.loads
    dumps = json.dumps
    while True:
        line = read()
        if not line:
            return
        calls = loads(line)
        write(dumps([c["args"] for c in calls]).encode() + b"\n")
        flush()


if __name__ == "__main__":
    main()
