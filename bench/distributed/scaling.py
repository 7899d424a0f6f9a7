#!/usr/bin/env python3
"""Data-parallel scaling of the demo's GRPO stage on this machine: 1 rank x 2 threads against
2 ranks x 1 thread (`thinkbench-cli train --nproc 2`), the same global batch (the demo's
reasoning-rl stage: 16 prompts x 8 completions, 160 new tokens, from the demo's cold-start
checkpoint). The two set-ups alternate, ROUNDS times each, so a shared machine's load falls on
both alike. Read back from each run's store: time/step and dist/comm_seconds (rank 0's seconds
in collectives a step, waiting for the other rank included) of every step but the first (which
pays for the first allocations), then the medians over the runs' steps; the load average is
sampled at each run's start and end.

Usage: scaling.py [--rounds 3] [--steps 8] [--checkpoint FOLDER] [--cli PATH] [--out DIR]
FOLDER: a cold-start checkpoint of resources/recipes/demo.toml (default: the one scripts/demo
leaves in demo-run/); when it is missing, the demo recipe's first two stages are trained once to
make it (about 10 minutes on two idle cores)."""
import argparse
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "recipes" / "demo.toml"


def demo_head(threads):
    """The demo recipe up to its first stage (model, tokenizer, tasks), at `threads` threads."""
    text = DEMO.read_text()
    head = text[: text.index("[[stages]]")]
    return re.sub(r"(?m)^threads = \d+$", f"threads = {threads}", head)


def demo_stage(name):
    """One [[stages]] table of the demo recipe, by name."""
    text = DEMO.read_text()
    for table in text.split("[[stages]]")[1:]:
        if re.search(rf'(?m)^name = "{re.escape(name)}"$', table):
            return "[[stages]]" + table.split("\n\n#")[0].rstrip() + "\n"
    raise SystemExit(f"{DEMO}: no stage named {name}")


def cold_start(cli, out):
    folder = out / "cold-start-runs" / "run-1" / "01-cold-start" / "final"
    if folder.exists():
        return folder
    recipe = out / "cold-start.toml"
    recipe.write_text(demo_head(2) + "\n" + demo_stage("base") + "\n" + demo_stage("cold-start"))
    print(f"making the cold-start checkpoint: {recipe}", file=sys.stderr)
    subprocess.run([cli, "train", str(recipe), "--db", str(out / "cold-start.sqlite")], check=True)
    return folder


def grpo_recipe(threads, checkpoint, steps):
    head = demo_head(threads).replace('[model]\ndtype = "f32"\n', f'[model]\ndtype = "f32"\npath = "{checkpoint}"\n')
    # The checkpoint brings its config and tokenizer; the recipe's copies would be ignored.
    head = re.sub(r"(?ms)^\[model\.config\]\n.*?(?=^\[tokenizer\])", "", head)
    head = re.sub(r"(?m)^vocab_size = 512\n", "", head)
    stage = re.sub(r"(?m)^steps = \d+$", f"steps = {steps}", demo_stage("reasoning-rl"))
    head = re.sub(r'(?m)^name = .*$', f'name = "scaling-{threads}t"', head, count=1)
    head = re.sub(r'(?m)^description = .*$', 'description = "the demo\'s reasoning-rl GRPO stage from its cold start"', head)
    return f"{head}\n{stage}"


def loadavg():
    return float(Path("/proc/loadavg").read_text().split()[0])


def series(db, key):
    return [v for (v,) in db.execute(
        "SELECT m.value FROM metrics m JOIN metric_keys k ON k.id = m.key WHERE k.name = ? ORDER BY m.step",
        (key,))]


def run(cli, recipe, db, nproc):
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    args = [cli, "train", str(recipe), "--db", str(db)] + (["--nproc", str(nproc)] if nproc > 1 else [])
    load = [loadavg()]
    start = time.monotonic()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    wall = time.monotonic() - start
    load.append(loadavg())
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
        stage = c.execute("SELECT world_size, backend FROM stages").fetchone()
        return {"step": series(c, "time/step")[1:], "comm": series(c, "dist/comm_seconds")[1:],
                "gen": series(c, "time/generation")[1:], "update": series(c, "time/update")[1:],
                "tps": {r: series(c, f"dist/rank{r}/tokens_per_s")[1:] for r in range(nproc)},
                "wall": wall, "load": load, "world": stage}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--checkpoint", default=str(ROOT / "demo-run" / "runs-runs" / "run-1" / "01-cold-start" / "final"))
    p.add_argument("--cli", default=str(ROOT / "build" / "app" / "thinkbench-cli"))
    p.add_argument("--out", default="/tmp/thinkbench-scaling")
    a = p.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    checkpoint = Path(a.checkpoint) if Path(a.checkpoint).exists() else cold_start(a.cli, out)
    setups = {"1 rank x 2 threads": (2, 1), "2 ranks x 1 thread": (1, 2)}
    results = {name: [] for name in setups}
    for rnd in range(a.rounds):
        for name, (threads, nproc) in setups.items():
            recipe = out / f"grpo-{threads}t.toml"
            recipe.write_text(grpo_recipe(threads, checkpoint, a.steps))
            r = run(a.cli, recipe, out / f"run-{threads}t-{rnd}.sqlite", nproc)
            results[name].append(r)
            print(f"round {rnd + 1} {name}: median step {statistics.median(r['step']):.2f} s, "
                  f"wall {r['wall']:.0f} s, load {r['load'][0]:.1f}-{r['load'][1]:.1f}, stage {r['world']}",
                  file=sys.stderr, flush=True)

    print(f"{a.rounds} rounds x {a.steps} steps (the first of each run left out); medians over all kept steps\n")
    print("| set-up | s/step | steps/s | generation s | update s | comm s/step | comm share | tokens/s per rank | "
          "runs' median s/step | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    def med(runs, key):
        return statistics.median([v for r in runs for v in r[key]])

    for name, runs in results.items():
        step = med(runs, "step")
        comm, share, tps = "–", "–", "–"
        if runs[0]["comm"]:
            comm = f"{med(runs, 'comm'):.3f}"
            share = f"{100 * statistics.median([c / s for r in runs for c, s in zip(r['comm'], r['step'])]):.0f}%"
            tps = ", ".join(f"{statistics.median([v for r in runs for v in r['tps'][k]]):.0f}" for k in sorted(runs[0]["tps"]))
        per_run = " / ".join(f"{statistics.median(r['step']):.2f}" for r in runs)
        loads = [x for r in runs for x in r["load"]]
        print(f"| {name} | {step:.2f} | {1 / step:.3f} | {med(runs, 'gen'):.2f} | {med(runs, 'update'):.2f} | {comm} | "
              f"{share} | {tps} | {per_run} | {min(loads):.1f}-{max(loads):.1f} |")
    one = statistics.median([s for r in results["1 rank x 2 threads"] for s in r["step"]])
    two = statistics.median([s for r in results["2 ranks x 1 thread"] for s in r["step"]])
    print(f"\n2 ranks x 1 thread / 1 rank x 2 threads, steps/s: {one / two:.2f}x")


if __name__ == "__main__":
    main()
