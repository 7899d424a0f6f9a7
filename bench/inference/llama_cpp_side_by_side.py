#!/usr/bin/env python3
"""ThinkBench against llama.cpp on the same GGUF files: batch-1 decode, prefill and peak RSS.

  .venv/bin/python bench/inference/llama_cpp_side_by_side.py run MODELS [--repeats 3] [--out F.jsonl]
  .venv/bin/python bench/inference/llama_cpp_side_by_side.py greedy MODELS [--tokens 32]
  .venv/bin/python bench/inference/llama_cpp_side_by_side.py table F.jsonl

MODELS is what random_models.py wrote (MODELS/SHAPE/SHAPE-TYPE.gguf). `run` first measures the
read bandwidth (bench_inference --read-bandwidth), then for every shape and type runs ours
(bench_inference --model FILE) and llama.cpp (this script's `llama` worker, llama-cpp-python) each
in a process of its own, alternating which goes first, --repeats times, and appends one JSON line
per process to --out as it finishes, so a cut-short run keeps what it measured. Each process loads
the file, warms up (8-token prompt, 4 tokens), prefills a 512-token prompt, then decodes 128
tokens one at a time after a 64-token prompt, and reports its peak RSS (VmHWM). llama.cpp is timed
around llama_decode alone (no sampling); ours through the Generator, greedy pick included.
llama.cpp runs with its AMX kernels refused (llama_no_amx.c, preloaded; --amx keeps them): they
segfault on this VM's CPU, and laptops have no AMX. Its AVX-512 and repacked kernels stay on.
On a machine shared with other work, --nice -10 (root) and --omp-wait-policy PASSIVE for both
engines: with two threads on two busy cores, OpenMP's spinning waits cost llama.cpp 3x in decode.
`greedy` checks the pipeline: greedy ids from our F32 export of the 0.5B shape as llama.cpp loads
it against ours from that file and from the Hugging Face folder it was exported from.
`table` prints the Markdown tables of bench/results/inference.md from a run's JSON lines.
"""

import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHAPES = ["qwen2.5-0.5b", "r1-distill-qwen-1.5b"]
TYPES = ["f32", "bf16", "q8_0", "q4_k_m"]
# Goals of issue 18: decode against llama.cpp per type, prefill, peak RSS against the file.
DECODE_GOAL = {"f32": 1.2, "bf16": 1.2, "q8_0": 1.0, "q4_k_m": 1.0}
PREFILL_GOAL = 0.8
RSS_GOAL = 1.1


def bench_prompt(n, variant=0):
    """The prompts bench_inference gives our engine (model_timing.cpp's benchPrompt)."""
    return [(1000 + 104729 * variant + 7919 * i) % 151643 for i in range(n)]


def peak_rss():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


class LlamaRunner:
    """One llama.cpp context on a model file, driven through llama_decode."""

    def __init__(self, path, threads, n_ctx=1024):
        import llama_cpp

        self.lib = llama_cpp
        start = time.perf_counter()
        self.llm = llama_cpp.Llama(model_path=path, n_threads=threads, n_threads_batch=threads,
                                   n_ctx=n_ctx, n_batch=512, n_ubatch=512, verbose=False)
        self.load_s = time.perf_counter() - start
        self.ctx = self.llm._ctx.ctx
        self.n_vocab = llama_cpp.llama_n_vocab(llama_cpp.llama_model_get_vocab(self.llm._model.model))

    def clear(self):
        self.lib.llama_memory_clear(self.lib.llama_get_memory(self.ctx), True)

    def decode(self, tokens):
        """Seconds llama_decode takes on one batch of tokens (logits of the last one only)."""
        array = (self.lib.llama_token * len(tokens))(*tokens)
        batch = self.lib.llama_batch_get_one(array, len(tokens))
        start = time.perf_counter()
        rc = self.lib.llama_decode(self.ctx, batch)
        seconds = time.perf_counter() - start
        if rc != 0:
            sys.exit(f"llama_decode returned {rc}")
        return seconds

    def argmax(self):
        import numpy as np

        logits = self.lib.llama_get_logits_ith(self.ctx, -1)
        return int(np.argmax(np.ctypeslib.as_array(logits, shape=(self.n_vocab,))))

    def timing(self, prompt, decode, prefill):
        self.decode(bench_prompt(8))  # warm-up, as ours
        for token in bench_prompt(4):
            self.decode([token])
        self.clear()
        prefill_s = self.decode(bench_prompt(prefill))
        self.clear()
        self.decode(bench_prompt(prompt))
        # Decode speed does not depend on which ids are fed: the prompt's ids again, no sampling.
        decode_s = sum(self.decode([t]) for t in bench_prompt(decode))
        return dict(load_s=self.load_s, prefill_tokens=prefill, prefill_tok_s=prefill / prefill_s,
                    prompt_tokens=prompt, decode_tokens=decode, decode_tok_s=decode / decode_s)

    def greedy(self, prompt, count, variant):
        self.clear()
        self.decode(bench_prompt(prompt, variant))
        ids = []
        for _ in range(count):
            ids.append(self.argmax())
            self.decode([ids[-1]])
        return ids


def llama_worker(args):
    baseline = peak_rss()
    runner = LlamaRunner(args.model, args.threads)
    out = dict(model=args.model, threads=args.threads, python_baseline_rss_bytes=baseline,
               amx_refused="llama_no_amx" in os.environ.get("LD_PRELOAD", ""))
    if args.greedy:
        out["greedy"] = [runner.greedy(args.prompt, args.greedy, v) for v in range(args.prompts)]
    else:
        out.update(runner.timing(args.prompt, args.decode, args.prefill))
        out["peak_rss_bytes"] = peak_rss()
    print(json.dumps(out), flush=True)


def run_json(command, env=None, nice=0, timeout=1800):
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env,
                            preexec_fn=(lambda: os.nice(nice)) if nice else None)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: exit {result.returncode}: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def ours_command(args, path, dtype, extra):
    return [args.bench, "--model", path, "--dtype", dtype, "--threads", str(args.threads)] + extra


def llama_command(args, path, extra):
    return [sys.executable, os.path.abspath(__file__), "llama", path, "--threads", str(args.threads)] + extra


def engine_env(args):
    env = dict(os.environ)
    if args.omp_wait_policy:
        env["OMP_WAIT_POLICY"] = args.omp_wait_policy
    if args.spin_count is not None:
        env["GOMP_SPINCOUNT"] = str(args.spin_count)
    return env


def llama_env(args):
    """The environment of llama.cpp's processes: llama_no_amx.c preloaded unless --amx."""
    env = engine_env(args)
    if args.amx:
        return env
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "llama_no_amx.c")
    shim = os.path.join(tempfile.gettempdir(), f"thinkbench_llama_no_amx_{int(os.path.getmtime(source))}.so")
    if not os.path.exists(shim):
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", shim, source, "-ldl"], check=True)
    env["LD_PRELOAD"] = shim
    return env


def weight_bytes_per_token(path):
    """Bytes of the file's tensors one decode step reads: all of them but the embedding table,
    unless the output head is tied to it (then the head reads it whole)."""
    from gguf import GGUFReader

    tensors = {t.name: int(t.n_bytes) for t in GGUFReader(path).tensors}
    total = sum(tensors.values())
    return total - tensors["token_embd.weight"] if "output.weight" in tensors else total


def git(*command):
    return subprocess.run(["git", "-C", ROOT, *command], capture_output=True, text=True).stdout


def run(args):
    our_dtypes = dict(item.split("=") for item in args.our_dtype.split(","))
    env = llama_env(args)
    with open(args.out, "a") as out:
        def record(entry):
            out.write(json.dumps(entry) + "\n")
            out.flush()
            print(json.dumps(entry), flush=True)

        record(dict(kind="machine", date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                    commit=git("rev-parse", "--short", "HEAD").strip(),
                    uncommitted=git("status", "--porcelain", "--untracked-files=no", "--", "core",
                                    "inference", "bench/inference").splitlines(),
                    cpu=cpu_model(), cores=os.cpu_count(), loadavg=os.getloadavg(),
                    llama_cpp=llama_version(), amx_refused=not args.amx, nice=args.nice,
                    omp_wait_policy=args.omp_wait_policy or "default",
                    spin_count=args.spin_count))
        for _ in range(args.repeats):
            record(dict(kind="bandwidth", **run_json([args.bench, "--read-bandwidth", str(args.threads)],
                                                     engine_env(args), args.nice)))
        extra = ["--prompt", str(args.prompt), "--decode", str(args.decode), "--prefill", str(args.prefill)]
        for shape in args.shapes.split(","):
            for dtype in args.types.split(","):
                path = os.path.join(args.models, shape, f"{shape}-{dtype}.gguf")
                if not os.path.exists(path):
                    print(f"{path}: missing, skipped", flush=True)
                    continue
                common = dict(shape=shape, type=dtype, file_bytes=os.path.getsize(path),
                              weight_bytes_per_token=weight_bytes_per_token(path))
                for rep in range(args.repeats):
                    engines = ["ours", "llama.cpp"] if rep % 2 == 0 else ["llama.cpp", "ours"]
                    for engine in engines:
                        ours = engine == "ours"
                        command = (ours_command(args, path, our_dtypes[dtype], extra) if ours
                                   else llama_command(args, path, extra))
                        loadavg = os.getloadavg()
                        try:
                            result = run_json(command, engine_env(args) if ours else env, args.nice)
                        except (RuntimeError, subprocess.TimeoutExpired) as error:
                            result = dict(error=str(error)[-600:])
                        record(dict(kind="timing", engine=engine, rep=rep, loadavg=loadavg, **common, **result))


def greedy(args):
    shape = "qwen2.5-0.5b"
    path = os.path.join(args.models, shape, f"{shape}-f32.gguf")
    extra = ["--prompt", str(args.prompt), "--greedy", str(args.tokens), "--prompts", str(args.prompts)]
    runs = {"ours, HF folder (safetensors)": ours_command(args, os.path.join(args.models, shape, "hf"), "f32", extra),
            "ours, our F32 GGUF": ours_command(args, path, "f32", extra),
            "llama.cpp, our F32 GGUF": llama_command(args, path, extra)}
    ids = {}
    env = llama_env(args)
    for name, command in runs.items():
        try:
            ids[name] = run_json(command, env if name.startswith("llama") else engine_env(args),
                                 args.nice)["greedy"]
        except RuntimeError as error:
            ids[name] = str(error)[-600:]
    reference = ids["llama.cpp, our F32 GGUF"]
    report = dict(kind="greedy", file=path, prompts=[bench_prompt(args.prompt, v) for v in range(args.prompts)],
                  tokens=args.tokens, ids=ids, first_divergence={})
    for name, got in ids.items():
        if isinstance(got, list) and isinstance(reference, list):
            # Per prompt: the index of the first id that differs from llama.cpp's, or null.
            report["first_divergence"][name] = [
                next((i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b), None)
                for mine, theirs in zip(got, reference)]
    print(json.dumps(report), flush=True)
    if args.out:
        with open(args.out, "a") as out:
            out.write(json.dumps(report) + "\n")


def llama_version():
    import llama_cpp

    return f"llama-cpp-python {llama_cpp.__version__}: {llama_cpp.llama_print_system_info().decode().strip()}"


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "?"


def gb(n):
    return f"{n / 1e9:.2f}"


def table(args):
    entries = [json.loads(line) for line in open(args.results) if line.strip()]
    machine = next(e for e in entries if e["kind"] == "machine")
    probes = [e for e in entries if e["kind"] == "bandwidth"]
    bandwidth = statistics.median(e["read_bytes_per_s"] for e in probes)
    bandwidth_4k = statistics.median(e["read_bytes_per_s_4k_pages"] for e in probes)
    print(f"Machine: {machine['cpu']}, {machine['cores']} cores; {machine['date']}; commit "
          f"{machine['commit']}; load average at start {', '.join(f'{x:.2f}' for x in machine['loadavg'])}; "
          f"read bandwidth (2 threads, median of {len(probes)}) {bandwidth / 1e9:.1f} GB/s with huge pages, "
          f"{bandwidth_4k / 1e9:.1f} GB/s with 4 KiB pages; nice {machine.get('nice', 0)}, OMP_WAIT_POLICY "
          f"{machine.get('omp_wait_policy', 'default')}, GOMP_SPINCOUNT {machine.get('spin_count') or 'default'}, llama.cpp AMX {'refused' if machine['amx_refused'] else 'on'}.\n")
    cells = {}
    for e in entries:
        if e["kind"] == "timing" and "error" not in e:
            cells.setdefault((e["shape"], e["type"]), {}).setdefault(e["engine"], []).append(e)
    errors = [e for e in entries if e["kind"] == "timing" and "error" in e]

    def med(runs, key):
        return statistics.median(r[key] for r in runs) if runs else float("nan")

    def goal(ratio, wanted):
        return f"{'met' if ratio >= wanted else 'MISSED'} (>= {wanted}x)"

    print("| shape | type | runs | decode ours tok/s | decode llama.cpp tok/s | ratio | goal | "
          "prefill ours tok/s | prefill llama.cpp tok/s | ratio | goal |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |")
    rows = []
    for (shape, dtype), by in cells.items():
        ours, theirs = by.get("ours", []), by.get("llama.cpp", [])
        d = (med(ours, "decode_tok_s"), med(theirs, "decode_tok_s"))
        p = (med(ours, "prefill_tok_s"), med(theirs, "prefill_tok_s"))
        rows.append((shape, dtype, ours, theirs, d))
        print(f"| {shape} | {dtype.upper()} | {len(ours)}+{len(theirs)} | {d[0]:.1f} | {d[1]:.1f} | "
              f"{d[0] / d[1]:.2f}x | {goal(d[0] / d[1], DECODE_GOAL[dtype])} | {p[0]:.1f} | {p[1]:.1f} | "
              f"{p[0] / p[1]:.2f}x | {goal(p[0] / p[1], PREFILL_GOAL)} |")
    print("\n| shape | type | file GB | peak RSS ours GB (x file) | goal (<= 1.1x) | ours before load GB | "
          "peak RSS llama.cpp GB (x file) | weights read/token GB | roofline tok/s | ours | llama.cpp |")
    print("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for shape, dtype, ours, theirs, d in rows:
        first = (ours or theirs)[0]
        size, per_token = first["file_bytes"], first["weight_bytes_per_token"]
        rss = (med(ours, "peak_rss_bytes"), med(theirs, "peak_rss_bytes"))
        start = med(ours, "start_rss_bytes") if all("start_rss_bytes" in r for r in ours) else float("nan")
        roofline = bandwidth / per_token
        print(f"| {shape} | {dtype.upper()} | {gb(size)} | {gb(rss[0])} ({rss[0] / size:.2f}) | "
              f"{'met' if rss[0] <= RSS_GOAL * size else 'MISSED'} | {gb(start)} | {gb(rss[1])} "
              f"({rss[1] / size:.2f}) | {gb(per_token)} | {roofline:.1f} | {100 * d[0] / roofline:.0f}% | "
              f"{100 * d[1] / roofline:.0f}% |")
    loads = [e["loadavg"][0] for e in entries if e["kind"] == "timing"]
    if loads:
        print(f"\nLoad average (1 min) before each process: {min(loads):.2f} to {max(loads):.2f}.")
    for e in errors:
        print(f"\nFailed: {e['engine']} {e['shape']} {e['type']}: {e['error']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("run", "greedy"):
        p = sub.add_parser(name)
        p.add_argument("models")
        p.add_argument("--bench", default=os.path.join(ROOT, "build/bench/bench_inference"))
        p.add_argument("--threads", type=int, default=2)
        p.add_argument("--amx", action="store_true", help="let llama.cpp use its AMX kernels")
        p.add_argument("--nice", type=int, default=0,
                       help="niceness of both engines' processes (negative: ahead of other work; root)")
        p.add_argument("--omp-wait-policy", choices=["ACTIVE", "PASSIVE"],
                       help="OMP_WAIT_POLICY for both engines (PASSIVE: idle threads sleep, which a "
                            "machine shared with other work needs)")
        p.add_argument("--spin-count", type=int,
                       help="GOMP_SPINCOUNT for both engines: how long an idle OpenMP thread spins before it "
                            "sleeps (our CLI and GUI set 5000 unless a policy or count is given)")
        p.add_argument("--out", default=None if name == "greedy" else "inference_side_by_side.jsonl")
    run_parser = sub.choices["run"]
    run_parser.add_argument("--shapes", default=",".join(SHAPES))
    run_parser.add_argument("--types", default=",".join(TYPES))
    run_parser.add_argument("--repeats", type=int, default=3)
    run_parser.add_argument("--prompt", type=int, default=64)
    run_parser.add_argument("--decode", type=int, default=128)
    run_parser.add_argument("--prefill", type=int, default=512)
    run_parser.add_argument("--our-dtype", default="f32=f32,bf16=bf16,q8_0=f32,q4_k_m=f32",
                            help="the --dtype our engine loads each file type with")
    sub.choices["greedy"].add_argument("--prompt", type=int, default=16)
    sub.choices["greedy"].add_argument("--tokens", type=int, default=32)
    sub.choices["greedy"].add_argument("--prompts", type=int, default=4)
    t = sub.add_parser("table")
    t.add_argument("results")
    w = sub.add_parser("llama", help="internal: time llama.cpp on one file in this process")
    w.add_argument("model")
    w.add_argument("--threads", type=int, default=2)
    w.add_argument("--prompt", type=int, default=64)
    w.add_argument("--decode", type=int, default=128)
    w.add_argument("--prefill", type=int, default=512)
    w.add_argument("--greedy", type=int, default=0)
    w.add_argument("--prompts", type=int, default=4)
    args = parser.parse_args()
    {"run": run, "greedy": greedy, "table": table, "llama": llama_worker}[args.command](args)


if __name__ == "__main__":
    main()
