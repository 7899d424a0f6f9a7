#!/usr/bin/env python3
"""Hugging Face tokenizers' encode/decode speed on a corpus, for bench_tokenizer.

Usage: peer_bench.py CORPUS.jsonl NAME=TOKENIZER_JSON ... -> one JSON line of MB/s per NAME.
One text at a time (Tokenizer.encode, single-threaded), as ThinkBench's encode is measured;
"cold" is the first pass, "warm" a second pass over the same texts.
"""
import json
import sys
import time

from tokenizers import Tokenizer

texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
size = sum(len(t.encode("utf-8")) for t in texts)
result = {"bytes": size}
for arg in sys.argv[2:]:
    name, _, path = arg.partition("=")
    tokenizer = Tokenizer.from_file(path)
    start = time.perf_counter()
    ids = [tokenizer.encode(t, add_special_tokens=False).ids for t in texts]
    cold = time.perf_counter() - start
    start = time.perf_counter()
    for t in texts:
        tokenizer.encode(t, add_special_tokens=False)
    warm = time.perf_counter() - start
    start = time.perf_counter()
    for row in ids:
        tokenizer.decode(row, skip_special_tokens=False)
    decode = time.perf_counter() - start
    result[name] = {"encode_cold": size / cold / 1e6, "encode_warm": size / warm / 1e6,
                    "decode": size / decode / 1e6}
print(json.dumps(result))
