#!/usr/bin/env python3
"""Random tiny checkpoints and their logits from Hugging Face transformers (the peer of core/model).

Usage: hf_random_models.py OUT_DIR [NAME ...]
Makes each configuration below (all, or the NAMEs given) from its own fixed seed and writes
OUT_DIR/NAME/ with config.json and model.safetensors (f32) as save_pretrained writes them, and
reference.safetensors with input_ids [2, 17], HF's f32 logits (`logits`) and the logits of the
same checkpoint loaded by HF in bf16 (`logits_bf16`, from_pretrained(dtype=bfloat16), so HF keeps
the modules it declares f32 in f32), both as f32.
Out: one JSON line per configuration: name, model_type, dir, hf_bf16_error (max |bf16 - f32| /
max |f32|), and `peer` (false when this transformers ignores a setting of the config, with the
reason in `why`).
Weights as in tests/data/peers/README.md: norm weights 1 + 0.1 N(0, 1), e_score_correction_bias
0.05 N(0, 1), everything else 0.08 N(0, 1), so attention and routing are far from uniform.
"""
import json
import os
import sys
import warnings

import torch
import transformers
from safetensors.torch import save_file

BATCH, LENGTH = 2, 17


def qwen2(seed, hidden, heads, kv_heads, tied, layers=2, theta=1e6):
    return seed, dict(model_type="qwen2", vocab_size=500, hidden_size=hidden,
                      intermediate_size=2 * hidden + 8, num_hidden_layers=layers,
                      num_attention_heads=heads, num_key_value_heads=kv_heads,
                      tie_word_embeddings=tied, rope_theta=theta, max_position_embeddings=256)


def llama(seed, hidden, heads, kv_heads, tied, llama3, layers=2, head_dim=None, bias=False):
    config = dict(model_type="llama", vocab_size=480, hidden_size=hidden,
                  intermediate_size=3 * hidden, num_hidden_layers=layers,
                  num_attention_heads=heads, num_key_value_heads=kv_heads,
                  tie_word_embeddings=tied, attention_bias=bias, max_position_embeddings=256,
                  head_dim=head_dim or hidden // heads)
    # original_max_position_embeddings small enough that 17 positions reach the smoothed band
    config["rope_parameters"] = (
        dict(rope_type="llama3", rope_theta=5e5, factor=8.0, low_freq_factor=1.0,
             high_freq_factor=4.0, original_max_position_embeddings=32)
        if llama3 else dict(rope_type="default", rope_theta=1e4))
    return seed, config


def deepseek_v3(seed, q_lora_rank, n_group, topk_group, first_dense, shared, scoring="sigmoid",
                hidden=64, layers=3, experts=8, top_k=2, factor=4.0, original=64, mscale=1.0,
                interleave=True, norm_topk=True):
    rope = dict(rope_type="yarn", rope_theta=1e4, factor=factor, beta_fast=32.0, beta_slow=1.0,
                original_max_position_embeddings=original)
    if mscale:  # DeepSeek-V3's own settings; without them yarn's default attention factor
        rope.update(mscale=mscale, mscale_all_dim=mscale)
    return seed, dict(model_type="deepseek_v3", vocab_size=512, hidden_size=hidden,
                      intermediate_size=2 * hidden, moe_intermediate_size=24,
                      num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=4,
                      q_lora_rank=q_lora_rank, kv_lora_rank=16, qk_nope_head_dim=16,
                      qk_rope_head_dim=8, v_head_dim=12, n_routed_experts=experts,
                      num_experts_per_tok=top_k, n_group=n_group, topk_group=topk_group,
                      first_k_dense_replace=first_dense, n_shared_experts=shared,
                      routed_scaling_factor=2.5, norm_topk_prob=norm_topk, scoring_func=scoring,
                      rope_interleave=interleave, max_position_embeddings=256,
                      rope_parameters=rope)


CONFIGS = {
    "qwen2_tied_h32": qwen2(101, 32, 4, 1, True),
    "qwen2_tied_h64": qwen2(102, 64, 4, 2, True, layers=3),
    "qwen2_tied_h96": qwen2(103, 96, 6, 3, True, theta=1e4),
    "qwen2_tied_h48": qwen2(104, 48, 3, 1, True, layers=3),
    "qwen2_untied_h32": qwen2(105, 32, 2, 2, False),
    "qwen2_untied_h64": qwen2(106, 64, 8, 2, False, layers=3),
    "qwen2_untied_h96": qwen2(107, 96, 4, 4, False, theta=1e4),
    "qwen2_untied_h80": qwen2(108, 80, 5, 1, False),
    "llama_plain_h32": llama(201, 32, 4, 4, False, False),
    "llama_plain_h64_gqa": llama(202, 64, 8, 2, False, False, layers=3),
    "llama_plain_h48_tied": llama(203, 48, 4, 1, True, False),
    "llama_plain_h64_bias": llama(204, 64, 4, 2, False, False, bias=True),
    "llama3_h32": llama(205, 32, 2, 1, False, True),
    "llama3_h64_gqa": llama(206, 64, 4, 2, False, True, layers=3),
    "llama3_h96_tied": llama(207, 96, 6, 2, True, True),
    "llama3_h64_headdim24": llama(208, 64, 4, 2, False, True, head_dim=24),
    "dsv3_qlora_g4_dense1_sh1": deepseek_v3(301, 32, 4, 2, 1, 1),
    "dsv3_noqlora_g1_dense0_sh0": deepseek_v3(302, None, 1, 1, 0, 0),
    "dsv3_qlora_g2_dense2_sh2": deepseek_v3(303, 24, 2, 1, 2, 2, layers=3),
    "dsv3_noqlora_g4_dense1_sh2": deepseek_v3(304, None, 4, 3, 1, 2, top_k=3),
    "dsv3_qlora_g1_dense0_sh1_h96": deepseek_v3(305, 48, 1, 1, 0, 1, hidden=96, experts=6),
    "dsv3_qlora_g8_dense1_sh0": deepseek_v3(306, 32, 8, 4, 1, 0, experts=16, top_k=4),
    "dsv3_noqlora_g2_dense0_sh1_yarnfactor": deepseek_v3(307, None, 2, 2, 0, 1, factor=2.0,
                                                          original=32, mscale=0.0),
    "dsv3_qlora_g4_dense2_sh1_nointerleave": deepseek_v3(308, 16, 4, 2, 2, 1, interleave=False,
                                                          norm_topk=False),
    "dsv3_qlora_g1_dense1_sh1_h32_top1": deepseek_v3(309, 16, 1, 1, 1, 1, hidden=32, layers=2,
                                                      top_k=1),
    "dsv3_softmax_g1_dense1_sh1": deepseek_v3(310, 32, 1, 1, 1, 1, scoring="softmax"),
    "dsv3_softmax_g4_dense0_sh0": deepseek_v3(311, None, 4, 2, 0, 0, scoring="softmax"),
}


def randomize(model, seed):
    """The fixtures' weight distribution, in named_parameters order, from one generator."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g)
            p.copy_(1 + 0.1 * noise if "norm" in name else 0.08 * noise)
        for name, b in model.named_buffers():
            if name.endswith("e_score_correction_bias"):
                b.copy_(0.05 * torch.randn(b.shape, generator=g))
    return g


def scoring_func_ignored(model, ids):
    """Whether this transformers' model gives the same logits whatever scoring_func says."""
    other = "sigmoid" if model.config.scoring_func == "softmax" else "softmax"
    config = model.config.__class__.from_dict(model.config.to_dict() | {"scoring_func": other})
    twin = transformers.AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    twin.load_state_dict(model.state_dict())
    with torch.no_grad():
        return torch.equal(model(ids).logits, twin(ids).logits)


def make(name, out_dir):
    seed, fields = CONFIGS[name]
    config = transformers.AutoConfig.for_model(**fields)
    model = transformers.AutoModelForCausalLM.from_config(config, dtype=torch.float32).eval()
    g = randomize(model, seed)
    ids = torch.randint(config.vocab_size, (BATCH, LENGTH), generator=g)
    folder = os.path.join(out_dir, name)
    model.save_pretrained(folder)
    with torch.no_grad():
        logits = model(ids).logits
        bf16 = transformers.AutoModelForCausalLM.from_pretrained(folder, dtype=torch.bfloat16)
        logits_bf16 = bf16(ids).logits.float()
    save_file({"input_ids": ids, "logits": logits.contiguous(),
               "logits_bf16": logits_bf16.contiguous()},
              os.path.join(folder, "reference.safetensors"))
    row = {"name": name, "model_type": config.model_type, "dir": folder,
           "hf_bf16_error": ((logits_bf16 - logits).abs().max() / logits.abs().max()).item(),
           "peer": True}
    if fields.get("scoring_func", "sigmoid") != "sigmoid" and scoring_func_ignored(model, ids):
        row["peer"] = False
        row["why"] = (f"transformers {transformers.__version__} DeepseekV3 ignores "
                      f"scoring_func={fields['scoring_func']}: the same logits as with sigmoid")
    return row


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    warnings.filterwarnings("ignore", message="Initializing zero-element tensors")  # no shared expert
    for name in sys.argv[2:] or CONFIGS:
        print(json.dumps(make(name, sys.argv[1])), flush=True)


if __name__ == "__main__":
    main()
