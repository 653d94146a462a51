#!/usr/bin/env python3
"""The bench's zero-work program for --compute-cmd: answers every request with 0 at once.

It speaks the line protocol as the shipped example (examples/sweeps/bowl.py) does, one answer
written and flushed per request, so the bench measures the protocol's cost and nothing else.
"""
import json
import sys


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        sys.stdout.write(json.dumps({"id": request["id"], "value": 0}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
