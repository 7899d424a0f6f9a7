#!/usr/bin/env python3
"""GGUF files written by llama.cpp's own `gguf` package (the peer of core/gguf).

Usage:
  gguf_files.py blocks OUT.gguf
      Random blocks of every type ThinkBench reads, each tensor TYPE (raw blocks) beside
      TYPE.expected (F32: gguf.quants.dequantize of the same bytes). Scales are random finite f16.
  gguf_files.py model HF_DIR OUT.gguf OUTTYPE
      The Hugging Face checkpoint in HF_DIR (config.json, model.safetensors; qwen2, llama or
      deepseek_v3) as
      llama.cpp's convert_hf_to_gguf.py writes it: its metadata keys, tensor names from
      gguf.get_tensor_name_map, llama's Q/K rows permuted, llama3 rope scaling as rope_freqs.weight,
      DeepSeek's experts stacked and kv_b_proj split into attn_k_b and attn_v_b, 1-D tensors and
      MoE routers F32 and the rest OUTTYPE (F32, F16, BF16 or Q8_0; Q8_0 falls back to F16 for rows
      that are not whole blocks, as the converter does).
  gguf_files.py tokenizer TOKENIZER_DIR OUT.gguf PRE
      The tokenizer.json + tokenizer_config.json in TOKENIZER_DIR as the converter stores them
      (tokens with their types, merges, special ids and chat template via gguf.SpecialVocab), with
      tokenizer.ggml.pre = PRE.
  gguf_files.py dump FILE.gguf OUT.safetensors [F32_FILE.gguf]
      Reads FILE with gguf.GGUFReader: prints its metadata (every key but GGUF.*, as [type, value])
      and tensor types and shapes, and writes every tensor dequantized by gguf.quants.dequantize to
      OUT (torch order). With F32_FILE (the same model in F32): q8_0_differ counts the Q8_0 tensors of
      FILE whose bytes differ from gguf.quants.quantize of F32_FILE's.
Out: one JSON line per file or type written.
"""
import json
import math
import sys

import gguf
import numpy as np
import torch
from gguf import GGMLQuantizationType as Q
from safetensors.torch import load_file

BLOCK_TYPES = ["F32", "F16", "BF16", "Q8_0", "Q4_0", "Q5_0", "Q4_K", "Q5_K", "Q6_K"]
# Byte offsets of each block's f16 scales (ggml's block_* structs).
F16_FIELDS = {"Q8_0": [0], "Q4_0": [0], "Q5_0": [0], "Q4_K": [0, 2], "Q5_K": [0, 2], "Q6_K": [208]}


def finite_f16(rng, n):
    bits = rng.integers(0, 1 << 16, n, dtype=np.uint16)
    bits[(bits & 0x7C00) == 0x7C00] &= 0xBFFF  # exponent all ones (inf, NaN) -> a finite value
    return bits


def blocks(out):
    rng = np.random.default_rng(18)
    writer = gguf.GGUFWriter(out, "llama")
    for name in BLOCK_TYPES:
        qtype = Q[name]
        block, size = gguf.GGML_QUANT_SIZES[qtype]
        rows, row_blocks = 8, max(1, 64 // block)
        if name == "F32":
            raw = rng.standard_normal(rows * row_blocks, dtype=np.float32).view(np.uint8)
        elif name == "F16":
            raw = finite_f16(rng, rows * row_blocks).view(np.uint8)
        elif name == "BF16":
            bits = rng.integers(0, 1 << 16, rows * row_blocks, dtype=np.uint16)
            bits[((bits & 0x7F80) == 0x7F80) & ((bits & 0x7F) != 0)] &= 0xFF7F  # no NaN
            raw = bits.view(np.uint8)
        else:
            raw = rng.integers(0, 256, (rows * row_blocks, size), dtype=np.uint8)
            for at in F16_FIELDS[name]:
                raw[:, at:at + 2] = finite_f16(rng, rows * row_blocks).view(np.uint8).reshape(-1, 2)
        raw = raw.reshape(rows, row_blocks * size)
        expected = gguf.quants.dequantize(raw, qtype).astype(np.float32).reshape(rows, row_blocks * block)
        writer.add_tensor(name, raw, raw_dtype=qtype)
        writer.add_tensor(name + ".expected", expected)
        print(json.dumps({"type": name, "elements": int(expected.size)}), flush=True)
    finish(writer)


def finish(writer):
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def permute(weights, heads):
    """convert_hf_to_gguf.py's LlamaModel.permute: each head's rotary halves interleaved."""
    return (weights.reshape(heads, 2, weights.shape[0] // heads // 2, *weights.shape[1:])
            .swapaxes(1, 2).reshape(weights.shape))


def llama3_factors(config, head_dim):
    """convert_hf_to_gguf.py's rope_freqs for llama3 rope scaling."""
    rope = config.get("rope_parameters") or config.get("rope_scaling") or {}
    if rope.get("rope_type") != "llama3":
        return None
    base = rope.get("rope_theta", config.get("rope_theta", 10000.0))
    freqs = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim))
    factor, low, high = rope["factor"], rope["low_freq_factor"], rope["high_freq_factor"]
    old = rope["original_max_position_embeddings"]
    low_wavelen, high_wavelen = old / low, old / high
    factors = []
    for freq in freqs:
        wavelen = 2 * math.pi / freq
        if wavelen < high_wavelen:
            factors.append(1)
        elif wavelen > low_wavelen:
            factors.append(factor)
        else:
            smooth = (old / wavelen - low) / (high - low)
            factors.append(1 / ((1 - smooth) / factor + smooth))
    return torch.tensor(factors, dtype=torch.float32)


def model(hf_dir, out, outtype):
    config = json.load(open(f"{hf_dir}/config.json"))
    arch = {"qwen2": gguf.MODEL_ARCH.QWEN2, "llama": gguf.MODEL_ARCH.LLAMA,
            "deepseek_v3": gguf.MODEL_ARCH.DEEPSEEK2}[config["model_type"]]
    heads, kv_heads = config["num_attention_heads"], config["num_key_value_heads"]
    head_dim = config.get("head_dim") or config["hidden_size"] // heads
    writer = gguf.GGUFWriter(out, gguf.MODEL_ARCH_NAMES[arch])
    writer.add_context_length(config["max_position_embeddings"])
    writer.add_embedding_length(config["hidden_size"])
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    rope = config.get("rope_parameters") or {}
    writer.add_rope_freq_base(rope.get("rope_theta", config.get("rope_theta", 10000.0)))
    writer.add_layer_norm_rms_eps(config["rms_norm_eps"])
    writer.add_file_type({"F32": 0, "F16": 1, "BF16": 32, "Q8_0": 7}[outtype])
    if arch == gguf.MODEL_ARCH.LLAMA:
        writer.add_vocab_size(config["vocab_size"])
        writer.add_rope_dimension_count(head_dim)
        if head_dim != config["hidden_size"] // heads:
            writer.add_key_length(head_dim)
            writer.add_value_length(head_dim)
    if arch == gguf.MODEL_ARCH.DEEPSEEK2:
        deepseek_keys(writer, config)
    names = gguf.get_tensor_name_map(arch, config["num_hidden_layers"])
    counts = {}

    def add(name, data):
        data = data.float().numpy()
        qtype = Q.F32 if data.ndim == 1 or name.endswith("ffn_gate_inp.weight") else Q[outtype]
        if qtype == Q.Q8_0 and data.shape[-1] % 32:
            qtype = Q.F16
        raw = gguf.quants.quantize(data, qtype)
        writer.add_tensor(name, raw, raw_dtype=qtype if qtype not in (Q.F32, Q.F16) else None)
        counts[qtype.name] = counts.get(qtype.name, 0) + 1

    factors = llama3_factors(config, head_dim) if arch == gguf.MODEL_ARCH.LLAMA else None
    if factors is not None:
        add(gguf.TENSOR_NAMES[gguf.MODEL_TENSOR.ROPE_FREQS] + ".weight", factors)
    tensors = load_file(f"{hf_dir}/model.safetensors")
    if arch == gguf.MODEL_ARCH.DEEPSEEK2:
        tensors = deepseek_tensors(tensors, config)
    for name, data in tensors.items():
        if arch == gguf.MODEL_ARCH.LLAMA and ".q_proj." in name:
            data = permute(data, heads)
        if arch == gguf.MODEL_ARCH.LLAMA and ".k_proj." in name:
            data = permute(data, kv_heads)
        add(names.get_name(name, try_suffixes=(".weight", ".bias")), data)
    finish(writer)
    print(json.dumps({"file": out, "types": counts}), flush=True)


def deepseek_keys(writer, c):
    """convert_hf_to_gguf.py's DeepseekV2Model keys (the absorbed-MLA layout)."""
    rope = c["rope_parameters"]
    writer.add_vocab_size(c["vocab_size"])
    writer.add_leading_dense_block_count(c["first_k_dense_replace"])
    if c.get("q_lora_rank"):
        writer.add_q_lora_rank(c["q_lora_rank"])
    writer.add_kv_lora_rank(c["kv_lora_rank"])
    writer.add_key_length(c["kv_lora_rank"] + c["qk_rope_head_dim"])
    writer.add_value_length(c["kv_lora_rank"])
    writer.add_key_length_mla(c["qk_nope_head_dim"] + c["qk_rope_head_dim"])
    writer.add_value_length_mla(c["v_head_dim"])
    writer.add_rope_dimension_count(c["qk_rope_head_dim"])
    writer.add_expert_feed_forward_length(c["moe_intermediate_size"])
    writer.add_expert_count(c["n_routed_experts"])
    writer.add_expert_used_count(c["num_experts_per_tok"])
    writer.add_expert_shared_count(c["n_shared_experts"])
    writer.add_expert_weights_scale(c["routed_scaling_factor"])
    writer.add_expert_weights_norm(c["norm_topk_prob"])
    writer.add_expert_gating_func(gguf.ExpertGatingFuncType.SIGMOID if c.get("scoring_func", "sigmoid") == "sigmoid"
                                  else gguf.ExpertGatingFuncType.SOFTMAX)
    writer.add_expert_group_count(c["n_group"])
    writer.add_expert_group_used_count(c["topk_group"])
    writer.add_rope_scaling_type(gguf.RopeScalingType.YARN)
    writer.add_rope_scaling_factor(rope["factor"])
    writer.add_rope_scaling_orig_ctx_len(rope["original_max_position_embeddings"])
    writer.add_rope_scaling_yarn_log_mul(0.1 * rope["mscale_all_dim"])


def deepseek_tensors(tensors, c):
    """As the converter: experts stacked per layer, kv_b_proj split into k_b (transposed) and v_b,
    the multi-token-prediction layers left out."""
    out, heads = {}, c["num_attention_heads"]
    for layer in range(c["num_hidden_layers"]):
        prefix = f"model.layers.{layer}."
        for name, data in tensors.items():
            if not name.startswith(prefix) or ".mlp.experts." in name:
                continue
            if name.endswith("kv_b_proj.weight"):
                kv_b = data.view(heads, c["qk_nope_head_dim"] + c["v_head_dim"], data.shape[-1])
                k_b, v_b = torch.split(kv_b, [c["qk_nope_head_dim"], c["v_head_dim"]], dim=1)
                out[prefix + "self_attn.k_b_proj.weight"] = k_b.transpose(1, 2)
                out[prefix + "self_attn.v_b_proj.weight"] = v_b
            else:
                out[name.replace("e_score_correction_bias", "e_score_correction.bias")] = data
        if f"{prefix}mlp.experts.0.gate_proj.weight" in tensors:
            for w in ("gate_proj", "up_proj", "down_proj"):
                out[f"{prefix}mlp.experts.{w}.weight"] = torch.stack(
                    [tensors[f"{prefix}mlp.experts.{e}.{w}.weight"] for e in range(c["n_routed_experts"])])
    for name in ("model.embed_tokens.weight", "model.norm.weight", "lm_head.weight"):
        out[name] = tensors[name]
    return out


def looks_special(token):
    """convert_hf_to_gguf.py's does_token_look_special."""
    return (token in ("<pad>", "<mask>", "<2mass>", "[@BOS@]") or (token.startswith("<|") and token.endswith("|>"))
            or (token.startswith("<\uff5c") and token.endswith("\uff5c>")))


def tokenizer(folder, out, pre):
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(f"{folder}/tokenizer.json")
    vocab = {i: t for t, i in tok.get_vocab(with_added_tokens=True).items()}
    added = tok.get_added_tokens_decoder()
    tokens, types = [], []
    for i in range(max(vocab) + 1):
        if i not in vocab:
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
        elif i in added:
            tokens.append(vocab[i])
            types.append(gguf.TokenType.CONTROL if added[i].special or looks_special(vocab[i])
                         else gguf.TokenType.USER_DEFINED)
        else:
            tokens.append(vocab[i])
            types.append(gguf.TokenType.NORMAL)
    writer = gguf.GGUFWriter(out, "llama")
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    gguf.SpecialVocab(folder, load_merges=True, n_vocab=len(tokens)).add_to_gguf(writer, quiet=True)
    finish(writer)
    print(json.dumps({"file": out, "tokens": len(tokens)}), flush=True)


def dump(path, out, f32_path=None):
    from safetensors.numpy import save_file
    reader = gguf.GGUFReader(path)
    metadata = {name: [field.types[-1].name, field.contents()] for name, field in reader.fields.items()
                if not name.startswith("GGUF.")}
    tensors, arrays = {}, {}
    for t in reader.tensors:
        shape = [int(d) for d in reversed(t.shape)]
        tensors[t.name] = {"type": t.tensor_type.name, "shape": shape}
        arrays[t.name] = np.ascontiguousarray(gguf.quants.dequantize(t.data, t.tensor_type).reshape(shape))
    save_file(arrays, out)
    row = {"metadata": metadata, "tensors": tensors}
    if f32_path:
        f32 = {t.name: t.data for t in gguf.GGUFReader(f32_path).tensors}
        row["q8_0_differ"] = sum(1 for t in reader.tensors if t.tensor_type == Q.Q8_0 and not np.array_equal(
            gguf.quants.quantize(f32[t.name], Q.Q8_0), t.data))
    print(json.dumps(row), flush=True)


def main():
    commands = {"blocks": (blocks, 1, 1), "model": (model, 3, 3), "tokenizer": (tokenizer, 3, 3), "dump": (dump, 2, 3)}
    if len(sys.argv) < 2 or sys.argv[1] not in commands or not (
            commands[sys.argv[1]][1] <= len(sys.argv) - 2 <= commands[sys.argv[1]][2]):
        sys.exit(__doc__)
    commands[sys.argv[1]][0](*sys.argv[2:])


if __name__ == "__main__":
    main()
