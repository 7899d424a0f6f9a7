#!/usr/bin/env python3
"""Expected token ids from Hugging Face's own `tokenizers` package (the peer of core/tokenizer).

Usage: tokenizers_encode.py NAME=TOKENIZER_JSON [NAME=TOKENIZER_JSON ...] < texts.jsonl
In: JSON lines {"text": ...}. Out: one JSON line per input, {"text": ..., NAME: [ids], ...}.
Added tokens in the text are matched (as Tokenizer.encode does by default); the post-processor's
special tokens (BOS and the like) are not added, as ThinkBench's encode does not add them.
"""
import json
import sys

from tokenizers import Tokenizer

tokenizers = {}
for arg in sys.argv[1:]:
    name, _, path = arg.partition("=")
    tokenizers[name] = Tokenizer.from_file(path)
if not tokenizers:
    sys.exit(__doc__)

texts = [json.loads(line)["text"] for line in sys.stdin if line.strip()]
encoded = {name: t.encode_batch(texts, add_special_tokens=False) for name, t in tokenizers.items()}
for i, text in enumerate(texts):
    row = {"text": text}
    for name in tokenizers:
        row[name] = encoded[name][i].ids
    print(json.dumps(row, ensure_ascii=False))
