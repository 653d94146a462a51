#!/usr/bin/env python3
"""A compute program for TTG's --compute-cmd, standard library only.

Reads one JSON request per line on stdin, {"id": 12, "point": {"x": 0.1, "y": 0.01}},
and answers one line per request on stdout, {"id": 12, "value": 1.23} (or
{"id": 12, "error": "why"}). Diagnostics go to stderr (the worker's log).

The function: a tilted bowl in x and log10(y) with a ripple, lowest near x = 0.3, y = 10^0.5.
"""
import json
import math
import sys


def compute(point):
    x = float(point["x"])
    y = float(point["y"])
    if y <= 0:
        raise ValueError(f"y must be positive, got {y}")
    u = math.log10(y)
    return (x - 0.3) ** 2 + (u - 0.5) ** 2 + 0.05 * math.sin(7 * x) * math.cos(3 * u)


def main():
    print("bowl.py ready", file=sys.stderr, flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            answer = {"id": request["id"], "value": compute(request.get("point") or {})}
        except Exception as error:  # one parameter's failure, reported per parameter
            answer = {"id": request["id"], "error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
