#!/usr/bin/env python3
"""Random-weight models of two real shapes as Hugging Face folders and as GGUF files, for the
side-by-side benchmark against llama.cpp (llama_cpp_side_by_side.py).

Usage: random_models.py OUT_DIR [--shape qwen2.5-0.5b|r1-distill-qwen-1.5b ...] [--cli PATH]
                        [--tokenizer DIR] [--types f32,bf16,q8_0,q4_k_m]
Writes OUT_DIR/SHAPE/hf/ (config.json, model.safetensors, tokenizer.json, tokenizer_config.json)
and OUT_DIR/SHAPE/SHAPE-TYPE.gguf. F32, BF16 and Q8_0 are written by our `thinkbench-cli
export-gguf`; Q4_K_M by llama.cpp's own quantizer (llama_model_quantize of llama-cpp-python) from
our F32 file, so both engines read the very same bytes. The weights are rounded to bf16 before
they are stored (the folder is bf16), so the F32 and BF16 files hold one model exactly.
An existing file is kept (delete it to remake it).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Hugging Face config.json of each shape; the published models' values, random weights.
SHAPES = {
    "qwen2.5-0.5b": dict(hidden_size=896, num_hidden_layers=24, num_attention_heads=14,
                         num_key_value_heads=2, intermediate_size=4864, tie_word_embeddings=True,
                         rope_theta=1e6, max_position_embeddings=32768),
    "r1-distill-qwen-1.5b": dict(hidden_size=1536, num_hidden_layers=28, num_attention_heads=12,
                                 num_key_value_heads=2, intermediate_size=8960,
                                 tie_word_embeddings=False, rope_theta=1e4,
                                 max_position_embeddings=131072),
}
TYPES = ["f32", "bf16", "q8_0", "q4_k_m"]


def gguf_path(out_dir, shape, dtype):
    return os.path.join(out_dir, shape, f"{shape}-{dtype}.gguf")


def write_hf_folder(folder, shape, tokenizer_dir, seed=0):
    import torch
    from safetensors.torch import save_file

    c = SHAPES[shape]
    config = dict(architectures=["Qwen2ForCausalLM"], model_type="qwen2", vocab_size=151936,
                  hidden_act="silu", rms_norm_eps=1e-6, bos_token_id=151643, eos_token_id=151643,
                  torch_dtype="bfloat16", use_sliding_window=False, **c)
    h, inter, kv = c["hidden_size"], c["intermediate_size"], c["num_key_value_heads"]
    kv_dim = kv * h // c["num_attention_heads"]
    shapes = {"model.embed_tokens.weight": [151936, h], "model.norm.weight": [h]}
    if not c["tie_word_embeddings"]:
        shapes["lm_head.weight"] = [151936, h]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        shapes.update({
            p + "input_layernorm.weight": [h], p + "post_attention_layernorm.weight": [h],
            p + "self_attn.q_proj.weight": [h, h], p + "self_attn.q_proj.bias": [h],
            p + "self_attn.k_proj.weight": [kv_dim, h], p + "self_attn.k_proj.bias": [kv_dim],
            p + "self_attn.v_proj.weight": [kv_dim, h], p + "self_attn.v_proj.bias": [kv_dim],
            p + "self_attn.o_proj.weight": [h, h],
            p + "mlp.gate_proj.weight": [inter, h], p + "mlp.up_proj.weight": [inter, h],
            p + "mlp.down_proj.weight": [h, inter]})
    generator = torch.Generator().manual_seed(seed)
    tensors = {}
    for name, size in shapes.items():
        # Norm weights near 1, the rest at the published models' initializer scale: logits of
        # random weights then differ by far more than two engines' rounding, so greedy is stable.
        if name.endswith("norm.weight"):
            t = 1 + 0.1 * torch.randn(size, generator=generator)
        else:
            t = 0.02 * torch.randn(size, generator=generator)
        tensors[name] = t.to(torch.bfloat16)
    os.makedirs(folder, exist_ok=True)
    save_file(tensors, os.path.join(folder, "model.safetensors"), metadata={"format": "pt"})
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(tokenizer_dir, name), folder)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2)


def quantize_q4_k_m(source, target):
    import llama_cpp

    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = llama_cpp.LLAMA_FTYPE_MOSTLY_Q4_K_M
    params.nthread = 2
    if llama_cpp.llama_model_quantize(source.encode(), target.encode(), params) != 0:
        sys.exit(f"{target}: llama_model_quantize failed")


def make(out_dir, shape, cli, tokenizer_dir, types):
    folder = os.path.join(out_dir, shape, "hf")
    if not os.path.exists(os.path.join(folder, "config.json")):
        print(f"{folder}: writing", flush=True)
        write_hf_folder(folder, shape, tokenizer_dir)
    for dtype in types:
        target = gguf_path(out_dir, shape, dtype)
        if os.path.exists(target):
            continue
        print(f"{target}: writing", flush=True)
        if dtype == "q4_k_m":
            source = gguf_path(out_dir, shape, "f32")
            if not os.path.exists(source):
                make(out_dir, shape, cli, tokenizer_dir, ["f32"])
            quantize_q4_k_m(source, target + ".part")
        else:
            subprocess.run([cli, "export-gguf", "--model", folder, "--output", target + ".part",
                            "--type", dtype], check=True)
        os.replace(target + ".part", target)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--shape", action="append", choices=sorted(SHAPES))
    parser.add_argument("--types", default=",".join(TYPES))
    parser.add_argument("--cli", default=os.path.join(ROOT, "build/app/thinkbench-cli"))
    parser.add_argument("--tokenizer", default=os.path.join(ROOT, "build/peers/tokenizers/qwen3"),
                        help="folder with the Qwen tokenizer.json and tokenizer_config.json")
    args = parser.parse_args()
    for shape in args.shape or list(SHAPES):
        make(args.out_dir, shape, args.cli, args.tokenizer, args.types.split(","))


if __name__ == "__main__":
    main()
