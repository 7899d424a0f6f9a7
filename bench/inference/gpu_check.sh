#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: GGUF files of the Qwen2.5-0.5B shape (random weights) run on the
# GPU against the CPU (logits of one forward, 128 greedy ids, speeds), a GRPO stage started from a
# Q4_K_M file on the GPU, and the MoE routing kernels against their CPU reference.
# Usage: bench/inference/gpu_check.sh [BUILD_DIR] [WORK_DIR]   (needs torch and safetensors in
# THINKBENCH_PYTHON, default the project venv's python). Figures: bench/results/inference.md.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
work=${2:-/tmp/thinkbench-gpu-check}
py=${THINKBENCH_PYTHON:-$root/.venv/bin/python}
cli="$build/app/thinkbench-cli"
shape=qwen2.5-0.5b
models="$work/$shape"
log() { echo "== $*"; }
nvidia-smi -L || { echo "gpu_check: no NVIDIA GPU here" >&2; exit 1; }
mkdir -p "$work/tokenizer"

log "MoE routing kernels against the reference"
"$build/tests/tst_core_moe_routing" 2>&1 | grep -E "OnGpu|Totals|FAIL"

log "models: $models"
tar xJf "$root/tests/data/peers/tokenizers/qwen3.tar.xz" -C "$work/tokenizer"
"$py" "$root/bench/inference/random_models.py" "$work" --shape $shape --types f32,q8_0 --cli "$cli" \
    --tokenizer "$work/tokenizer/qwen3" > /dev/null || exit 1
[[ -e "$models/$shape-q4_k_m.gguf" ]] ||
    "$cli" export-gguf --model "$models/hf" --output "$models/$shape-q4_k_m.gguf" --type q4_k_m > /dev/null 2>&1 || exit 1

log "forward: logits on cuda against the cpu, the same file and dtype"
"$py" -c "
import torch; from safetensors.torch import save_file
save_file({'input_ids': torch.randint(0, 151000, (2, 96), generator=torch.Generator().manual_seed(1))}, '$work/ids.safetensors')"
files="hf-bf16:$models/hf f32:$models/$shape-f32.gguf q8_0:$models/$shape-q8_0.gguf q4_k_m:$models/$shape-q4_k_m.gguf"
for spec in $files; do
    for device in cpu cuda; do
        for dtype in f32 bf16; do
            "$cli" forward --model "${spec#*:}" --input "$work/ids.safetensors" --device $device --dtype $dtype \
                --output "$work/logits-${spec%%:*}-$device-$dtype.safetensors" || echo "FAILED: forward $spec $device $dtype"
        done
    done
done
"$py" - "$work" $files <<'EOF'
import sys
from safetensors.torch import load_file
work = sys.argv[1]
print("file | dtype | max abs difference | relative to max logit | argmax equal")
for name in (spec.split(":")[0] for spec in sys.argv[2:]):
    for dtype in ("f32", "bf16"):
        a, b = (load_file(f"{work}/logits-{name}-{d}-{dtype}.safetensors")["logits"].double() for d in ("cpu", "cuda"))
        d = (a - b).abs().max().item()
        print(f"{name} | {dtype} | {d:.3g} | {d / a.abs().max().item():.3g} | {(a.argmax(-1) == b.argmax(-1)).double().mean().item():.4f}")
EOF

log "generate: 128 greedy ids on cuda against the cpu"
runs="f32:f32:$models/$shape-f32.gguf q4_k_m:bf16:$models/$shape-q4_k_m.gguf"
for spec in $runs; do
    IFS=: read -r name dtype file <<< "$spec"
    for device in cpu cuda; do
        "$cli" generate --model "$file" --prompt "Solve step by step: 12 + 35 = ? Think first." --greedy \
            --max-new-tokens 128 --dtype $dtype --device $device --json > "$work/gen-$name-$device.json" ||
            echo "FAILED: generate $name $device"
    done
done
"$py" - "$work" f32 q4_k_m <<'EOF'
import json, sys
work = sys.argv[1]
for name in sys.argv[2:]:
    a, b = (json.load(open(f"{work}/gen-{name}-{d}.json")) for d in ("cpu", "cuda"))
    first = next((i for i, (p, q) in enumerate(zip(a["ids"], b["ids"])) if p != q), min(len(a["ids"]), len(b["ids"])))
    speed = lambda o: ", ".join(f"{k.split('_')[0]} {v:.1f} tok/s" for k, v in o["timings"].items() if "per_second" in k)
    print(f"{name}: first difference at id {first} of {len(a['ids'])}; cpu {speed(a)}; cuda {speed(b)}")
EOF

log "GRPO from the Q4_K_M file on cuda"
cat > "$work/grpo.toml" <<EOF
name = "grpo-from-gguf-cuda"
seed = 7
device = "cuda"

[model]
path = "$models/$shape-q4_k_m.gguf"
dtype = "bf16"

[[tasks]]
name = "arithmetic"
options = { digits = "2", ops = "+-" }

[[stages]]
kind = "grpo"
name = "rl"
steps = 2
prompts_per_step = 4
group_size = 4
max_new_tokens = 48
optimizer = { lr = 1e-6, schedule = "constant" }
EOF
rm -f "$work/grpo.sqlite"
"$cli" train "$work/grpo.toml" --db "$work/grpo.sqlite" --json | grep -E '"(step|done)"' | cut -c1-400
