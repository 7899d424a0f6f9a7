"""Throughput of `thinkbench-cli serve` with 1, 4 and 16 concurrent streaming clients.

Starts the server on a free loopback port, then for each client count runs that many threads,
each sending --requests streamed chat requests one after another (the `openai` client, seeded
sampling, --max-tokens each). Reports total completion tokens per second over the wall time of the
round, and the time to first token (first reasoning or content delta) per request, as a Markdown
table. With --make-model DIR it first writes a random-weight Qwen2 folder of the given shape (the
tokenizer taken from --tokenizer-from) and serves that.

  .venv/bin/python bench/serve/serve_bench.py --cli build/app/thinkbench-cli --model DIR
"""

import argparse
import json
import os
import statistics
import subprocess
import threading
import time

from openai import OpenAI


def make_model(directory, tokenizer_from, hidden, layers, seed=0):
    import shutil

    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    with open(os.path.join(tokenizer_from, "config.json")) as f:
        vocab = json.load(f)["vocab_size"]
    torch.manual_seed(seed)
    config = Qwen2Config(vocab_size=vocab, hidden_size=hidden, intermediate_size=hidden * 3,
                         num_hidden_layers=layers, num_attention_heads=hidden // 64, num_key_value_heads=2,
                         max_position_embeddings=2048, tie_word_embeddings=True)
    model = Qwen2ForCausalLM(config)
    model.save_pretrained(directory, safe_serialization=True)
    shutil.copy(os.path.join(tokenizer_from, "tokenizer.json"), directory)
    return sum(p.numel() for p in model.parameters())


def serve(cli, model, extra):
    server = subprocess.Popen([cli, "serve", "--model", model, "--port", "0", *extra],
                              stdout=subprocess.PIPE, text=True)
    line = server.stdout.readline()  # "serving NAME on http://HOST:PORT"
    name, url = line.split()[1], line.split()[-1]
    return server, name, url


def round_of(client, name, clients, requests, max_tokens):
    ttft, tokens, errors = [], [0] * clients, []

    def run(c):
        for r in range(requests):
            start, first = time.monotonic(), None
            try:
                for chunk in client.chat.completions.create(
                        model=name, stream=True, max_tokens=max_tokens, temperature=1.0, seed=1000 * c + r,
                        stream_options={"include_usage": True},
                        messages=[{"role": "user", "content": f"What is {c + 11} * {r + 23}?"}]):
                    if first is None and chunk.choices and (
                            chunk.choices[0].delta.content or
                            (chunk.choices[0].delta.model_extra or {}).get("reasoning_content")):
                        first = time.monotonic() - start
                    if chunk.usage:
                        tokens[c] += chunk.usage.completion_tokens
                ttft.append(first)
            except Exception as error:
                errors.append(repr(error))

    start = time.monotonic()
    threads = [threading.Thread(target=run, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - start
    ttft = [t for t in ttft if t is not None]
    return {"clients": clients, "requests": clients * requests, "tokens": sum(tokens), "seconds": wall,
            "tok_s": sum(tokens) / wall, "ttft_median": statistics.median(ttft),
            "ttft_max": max(ttft), "errors": errors}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--make-model", action="store_true", help="write a random model into --model first")
    parser.add_argument("--tokenizer-from", help="a model folder whose tokenizer and vocabulary to use")
    parser.add_argument("--hidden", type=int, default=512)
    parser.add_argument("--layers", type=int, default=8)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--requests", type=int, default=2, help="requests per client, one after another")
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--server-args", nargs="*", default=[], help="more `serve` options")
    args = parser.parse_args()
    if args.make_model:
        print(f"random model: {make_model(args.model, args.tokenizer_from, args.hidden, args.layers):,} parameters")
    server, name, url = serve(args.cli, args.model, args.server_args)
    try:
        client = OpenAI(base_url=url + "/v1", api_key="none", max_retries=0, timeout=600)
        round_of(client, name, 1, 1, 8)  # warm-up
        print("| clients | requests | completion tokens | wall s | total tok/s | TTFT median s | TTFT max s |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for clients in args.clients:
            r = round_of(client, name, clients, args.requests, args.max_tokens)
            print(f"| {clients} | {r['requests']} | {r['tokens']} | {r['seconds']:.1f} | {r['tok_s']:.1f} | "
                  f"{r['ttft_median']:.3f} | {r['ttft_max']:.3f} |", flush=True)
            if r["errors"]:
                print("errors:", r["errors"][:3])
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
