#!/usr/bin/env python3
"""ThinkBench's GGUF export against llama.cpp's quantize: wall and CPU seconds, peak RSS, file size.

  .venv/bin/python bench/inference/export_side_by_side.py MODELS [--shapes ...] [--types q4_k_m q8_0] [--repeats 2]

MODELS is what random_models.py wrote (MODELS/SHAPE/SHAPE-TYPE.gguf, MODELS/SHAPE/hf). For each
shape and type both quantize the same bf16 GGUF file, each in a process of its own, alternating
which goes first: ours is `thinkbench-cli export-gguf --model SHAPE-bf16.gguf --type TYPE` (all
cores), llama.cpp's is llama_model_quantize from llama-cpp-python with as many threads. Ours from
the Hugging Face folder follows once (what exporting a trained checkpoint reads). Prints a Markdown
table of medians.
"""

import argparse
import ctypes
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHAPES = ["qwen2.5-0.5b", "r1-distill-qwen-1.5b"]
LLAMA_FTYPE = {"q8_0": 7, "q4_k_m": 15}  # llama_ftype: LLAMA_FTYPE_MOSTLY_Q8_0, _Q4_K_M


def measured(command):
    """Runs command; returns wall seconds, CPU seconds and peak RSS in bytes of its process."""
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(command)} failed:\n{process.stderr.read().decode()}")
    return dict(wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss=usage.ru_maxrss * 1024)


def llama_quantize(source, output, ftype, threads):
    """The worker: llama.cpp quantizes source into output in this process."""
    import llama_cpp

    llama_cpp.llama_backend_init()
    params = llama_cpp.llama_model_quantize_default_params()
    params.nthread = threads
    params.ftype = ftype
    if llama_cpp.llama_model_quantize(source.encode(), output.encode(), ctypes.byref(params)) != 0:
        sys.exit(f"llama_model_quantize failed on {source}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="?")
    parser.add_argument("--shapes", nargs="+", default=SHAPES, choices=SHAPES)
    parser.add_argument("--types", nargs="+", default=["q4_k_m", "q8_0"], choices=sorted(LLAMA_FTYPE))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out-dir", default="/tmp")
    parser.add_argument("--llama-worker", nargs=4, metavar=("SOURCE", "OUTPUT", "FTYPE", "THREADS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.llama_worker:
        source, output, ftype, threads = args.llama_worker
        llama_quantize(source, output, int(ftype), int(threads))
        return
    if not args.models:
        parser.error("MODELS is required")

    cli = os.path.join(ROOT, "build", "app", "thinkbench-cli")
    threads = os.cpu_count()
    print("| shape | type | from | ours wall s | ours CPU s | ours peak RSS GB | llama.cpp wall s | "
          "llama.cpp CPU s | llama.cpp peak RSS GB | wall ratio (llama.cpp / ours) | file MB ours / llama.cpp |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for shape in args.shapes:
        source = os.path.join(args.models, shape, f"{shape}-bf16.gguf")
        for kind in args.types:
            ours_out = os.path.join(args.out_dir, f"export-ours-{shape}-{kind}.gguf")
            theirs_out = os.path.join(args.out_dir, f"export-llama-{shape}-{kind}.gguf")
            ours_command = [cli, "export-gguf", "--model", source, "--type", kind, "--output", ours_out]
            theirs_command = [sys.executable, os.path.abspath(__file__), "--llama-worker", source, theirs_out,
                              str(LLAMA_FTYPE[kind]), str(threads)]
            ours, theirs = [], []
            for repeat in range(args.repeats):
                order = [(ours, ours_command), (theirs, theirs_command)]
                for runs, command in order if repeat % 2 == 0 else reversed(order):
                    runs.append(measured(command))
            med = lambda runs, key: statistics.median(r[key] for r in runs)
            mb = lambda path: os.path.getsize(path) / 1e6
            print(f"| {shape} | {kind.upper()} | bf16 GGUF | {med(ours, 'wall'):.1f} | {med(ours, 'cpu'):.1f} | "
                  f"{med(ours, 'rss') / 1e9:.2f} | {med(theirs, 'wall'):.1f} | {med(theirs, 'cpu'):.1f} | "
                  f"{med(theirs, 'rss') / 1e9:.2f} | {med(theirs, 'wall') / med(ours, 'wall'):.2f}x | "
                  f"{mb(ours_out):.1f} / {mb(theirs_out):.1f} |", flush=True)
            folder = measured([cli, "export-gguf", "--model", os.path.join(args.models, shape, "hf"), "--type", kind,
                               "--output", ours_out])
            print(f"| {shape} | {kind.upper()} | HF folder (bf16) | {folder['wall']:.1f} | {folder['cpu']:.1f} | "
                  f"{folder['rss'] / 1e9:.2f} | | | | | {mb(ours_out):.1f} / |", flush=True)


if __name__ == "__main__":
    main()
