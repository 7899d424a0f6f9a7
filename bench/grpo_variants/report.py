#!/usr/bin/env python3
"""Markdown tables of a run of r1-zero-variants.toml: per GRPO stage, held-out pass@1 with its
standard error at each evaluation, and the step metrics (reward, length, entropy, clipping) early
and late; then the two final evaluations compared problem by problem (the same held-out problems,
so the paired difference has a tighter interval than the two separate ones).

Usage: report.py RUNS.sqlite [RUN_ID]"""
import json
import math
import sqlite3
import sys


def main():
    db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    run = int(sys.argv[2]) if len(sys.argv) > 2 else db.execute("select max(id) from runs").fetchone()[0]
    stages = db.execute("select idx, kind, name, started_at, finished_at, first_step, last_step from stages "
                        "where run = ? order by idx", (run,)).fetchall()

    def series(key, first, last):
        return [v for (v,) in db.execute(
            "select m.value from metrics m join metric_keys k on k.id = m.key "
            "where m.run = ? and k.name = ? and m.step between ? and ? order by m.step", (run, key, first, last))]

    def evaluation(model):
        row = db.execute("select id, summary from evaluations where run = ? and model = ? order by id desc",
                         (run, model)).fetchone()
        return (row[0], json.loads(row[1])) if row else (None, None)

    def pct(summary):
        return f"{100 * summary['pass@1']:.1f}% ± {100 * summary.get('pass@1_stderr', 0):.1f}"

    print("| stage | evaluation | held-out pass@1 ± s.e. | mean length |")
    print("|---|---|---|---|")
    finals = {}
    for i, (idx, kind, name, *_rest) in enumerate(stages):
        if kind != "eval":
            continue
        trained = stages[i - 1][2] if i > 0 else ""
        models = [m for (m,) in db.execute("select model from evaluations where run = ? and model like ? order by id",
                                           (run, trained + "@%"))] if trained else []
        for model in models + [name]:
            eid, summary = evaluation(model)
            if summary:
                print(f"| {trained if model != name else name} | {model} | {pct(summary)} | "
                      f"{summary.get('mean_length', 0):.1f} |")
        finals[trained] = evaluation(name)[0]

    print()
    print("| GRPO stage | steps | s | reward (first 10 → last 10) | accuracy | length/mean | entropy | "
          "clip low / high | zero-std groups |")
    print("|---|---|---|---|---|---|---|---|---|")
    for idx, kind, name, started, finished, first, last in stages:
        if kind != "grpo" or first is None:
            continue

        def early_late(key, scale=1.0, digits=3):
            values = series(key, first, last)
            if not values:
                return "–"
            head, tail = values[:10], values[-10:]
            return (f"{scale * sum(head) / len(head):.{digits}f} → {scale * sum(tail) / len(tail):.{digits}f}")

        clip = f"{early_late('clip/low', 100, 2)}% / {early_late('clip/high', 100, 2)}%"
        print(f"| {name} | {last - first + 1} | {finished - started:.0f} | {early_late('reward/mean')} | "
              f"{early_late('accuracy')} | {early_late('length/mean', 1, 1)} | {early_late('entropy')} | {clip} | "
              f"{early_late('zero_adv_groups', 1, 2)} |")

    def per_problem(evaluation_id):
        return dict(db.execute("select problem_id, pass1 from eval_items where evaluation = ?",
                               (evaluation_id,)).fetchall())

    def interval(diffs, label):
        n = len(diffs)
        mean = sum(diffs) / n
        se = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (n - 1) / n) if n > 1 else 0.0
        print(f"- {label}: {100 * mean:+.1f} points ± {100 * se:.1f} (95% interval {100 * (mean - 1.96 * se):+.1f} "
              f"to {100 * (mean + 1.96 * se):+.1f}) over {n} problems")

    # GSPO stage "gspo<suffix>" against "token-grpo<suffix>", problem by problem, and pooled.
    pairs = [(finals[t], finals[g], g) for g in finals if g.startswith("gspo") and finals[g] is not None
             for t in [g.replace("gspo", "token-grpo", 1)] if finals.get(t) is not None]
    if pairs:
        print()
        print("GSPO minus token-level GRPO in final held-out pass@1, paired over the same problems:")
        pooled = {}
        for token_id, gspo_id, name in pairs:
            a, b = per_problem(token_id), per_problem(gspo_id)
            diffs = {p: b[p] - a[p] for p in a if p in b}
            interval(list(diffs.values()), name)
            for p, d in diffs.items():
                pooled.setdefault(p, []).append(d)
        if len(pairs) > 1:
            interval([sum(v) / len(v) for v in pooled.values()], f"mean of the {len(pairs)} replicates")

if __name__ == "__main__":
    main()
