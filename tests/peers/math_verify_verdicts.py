#!/usr/bin/env python3
"""Verdicts of Hugging Face's math-verify (the peer of core::verify) on response/truth pairs.

Usage: math_verify_verdicts.py < pairs.jsonl
In: JSON lines {"response": ..., "truth": ...}. Out: one JSON line per input, {"correct": bool},
plus "timeout": true where the guard below stopped the item (the verdict is then false, as
math-verify's own timeouts make it).

Used as its README shows: parse the gold, parse the answer, verify(gold, answer), gold first.
Both are parsed with the default extraction configs, LatexExtractionConfig() + ExprExtractionConfig()
(LaTeX environments and \\boxed first, then plain numbers and expressions). The response goes in
as the model wrote it, reasoning and tags included. The truth is a bare answer ("\\frac{1}{2}",
"[1, 3)"), and LaTeX extraction only reads LaTeX inside a math environment, so it is wrapped in
$...$ first, as a gold answer is written in a solution.

Guard: one wall-clock alarm per item covers both parses and the verify, so a pathological item
ends as a timeout (tst_verifier then fails naming its line) instead of hanging the test.
math-verify's own per-call alarms are switched off (parsing_timeout/timeout_seconds None), since
they share the one SIGALRM timer and would cancel ours.
"""
import json
import logging
import signal
import sys

from math_verify import parse, verify

ITEM_SECONDS = 20  # an item takes milliseconds; this only stops a runaway


class ItemTimeout(BaseException):
    """Not an Exception, so math-verify's own `except Exception` cannot swallow it."""


def on_alarm(signum, frame):
    raise ItemTimeout()


def verdict(response, truth):
    gold = parse(f"${truth}$", parsing_timeout=None)
    answer = parse(response, parsing_timeout=None)
    return verify(gold, answer, timeout_seconds=None)


def main():
    logging.getLogger("math_verify").setLevel(logging.ERROR)  # the once-only "timeout disabled" note
    signal.signal(signal.SIGALRM, on_alarm)
    for line in sys.stdin:
        if not line.strip():
            continue
        pair = json.loads(line)
        row = {}
        signal.alarm(ITEM_SECONDS)
        try:
            row["correct"] = bool(verdict(pair["response"], pair["truth"]))
        except ItemTimeout:
            row = {"correct": False, "timeout": True}
        finally:
            signal.alarm(0)
        print(json.dumps(row))


if __name__ == "__main__":
    main()
