#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/<target>/): small valid inputs of
each format, so fuzzing starts from what real files look like. Run with the project venv's
Python (Hugging Face tokenizers writes the tokenizer seeds). Parts of a multi-part input are
separated by a line "%%" (fuzz/fuzz_input.h)."""

import json
import re
import shutil
import sqlite3
import struct
import sys
from pathlib import Path

root = Path(__file__).resolve().parent
repo = root.parent
corpus = root / "corpus"
SEP = b"\n%%\n"


def write(target, name, data):
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def parts(*items):
    return SEP.join(i if isinstance(i, bytes) else i.encode() for i in items)


def safetensors(tensors):
    header, data = {"__metadata__": {"format": "pt"}}, b""
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def seed_safetensors():
    f32 = struct.pack("<4f", 1, 2, 3, 4)
    write("safetensors", "two_tensors", safetensors({"a.weight": ("F32", [2, 2], f32), "b": ("BF16", [2], b"\0\x3f\0\x40")}))
    write("safetensors", "scalar_and_empty", safetensors({"s": ("I64", [], b"\1" + b"\0" * 7), "e": ("F16", [0, 3], b"")}))
    index = json.dumps({"metadata": {"total_size": 20}, "weight_map": {"a.weight": "model-00001-of-00002.safetensors",
                                                                       "b": "model-00002-of-00002.safetensors"}})
    write("safetensors", "index_two_shards", parts(index, safetensors({"a.weight": ("F32", [2, 2], f32)}),
                                                    safetensors({"b": ("I32", [1], b"\7\0\0\0")})))


def gguf_file(arch, keys, tensors):
    """A GGUF file from llama.cpp's gguf package: keys {name: value} and tensors {name: (type, array)}."""
    import tempfile

    import gguf
    import numpy as np
    with tempfile.TemporaryDirectory() as tmp:
        writer = gguf.GGUFWriter(f"{tmp}/seed.gguf", arch)
        for key, value in keys.items():  # ints as UINT32, the type of llama.cpp's counts and ids
            kind = gguf.GGUFValueType.UINT32 if isinstance(value, int) else gguf.GGUFValueType.get_type(value)
            writer.add_key_value(key, value, kind)
        for name, (qtype, array) in tensors.items():
            qtype = gguf.GGMLQuantizationType[qtype]
            raw = array if array.dtype == np.uint8 else gguf.quants.quantize(array.astype(np.float32), qtype)
            writer.add_tensor(name, raw, raw_dtype=None if qtype.name in ("F32", "F16") else qtype)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        return Path(f"{tmp}/seed.gguf").read_bytes()


def seed_gguf():
    import numpy as np
    rng = np.random.default_rng(18)
    hidden, ffn, vocab = 32, 64, 260
    # GPT-2's byte alphabet: printable bytes stand for themselves, the others for chr(256 + n).
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("\u00a1"), ord("\u00ac") + 1),
                 *range(ord("\u00ae"), ord("\u00ff") + 1)]
    others = [b for b in range(256) if b not in printable]
    alphabet = {b: chr(b) for b in printable} | {b: chr(256 + n) for n, b in enumerate(others)}
    tokens = [alphabet[b] for b in range(256)] + ["ab", "abc", "<|im_start|>", "<think>"]
    keys = {"general.alignment": 32, "tokenizer.ggml.model": "gpt2", "tokenizer.ggml.pre": "qwen2",
            "tokenizer.ggml.tokens": tokens, "tokenizer.ggml.token_type": [1] * 258 + [3, 4],
            "tokenizer.ggml.merges": ["a b", "ab c"], "tokenizer.ggml.eos_token_id": 258,
            "tokenizer.chat_template": "{% for m in messages %}<|im_start|>{{ m.content }}{% endfor %}"}
    for arch, types in (("llama", ["Q8_0", "Q4_0", "Q5_0", "F16"]), ("qwen2", ["BF16", "F32", "Q8_0", "F16"])):
        a = dict(keys)
        a.update({f"{arch}.context_length": 64, f"{arch}.embedding_length": hidden,
                  f"{arch}.block_count": 1, f"{arch}.feed_forward_length": ffn,
                  f"{arch}.attention.head_count": 4, f"{arch}.attention.head_count_kv": 2,
                  f"{arch}.rope.freq_base": 10000.0,
                  f"{arch}.attention.layer_norm_rms_epsilon": 1e-6})
        t = {"token_embd.weight": (types[0], rng.standard_normal((vocab, hidden))),
             "output_norm.weight": ("F32", np.ones(hidden)),
             "blk.0.attn_norm.weight": ("F32", np.ones(hidden)), "blk.0.ffn_norm.weight": ("F32", np.ones(hidden))}
        for i, name in enumerate(["attn_q", "attn_output", "ffn_gate", "ffn_up"]):
            rows = ffn if name.startswith("ffn") else hidden
            t[f"blk.0.{name}.weight"] = (types[i % 4], rng.standard_normal((rows, hidden)))
        t["blk.0.attn_k.weight"] = (types[1], rng.standard_normal((16, hidden)))
        t["blk.0.attn_v.weight"] = (types[2], rng.standard_normal((16, hidden)))
        t["blk.0.ffn_down.weight"] = (types[3], rng.standard_normal((hidden, ffn)))
        if arch == "qwen2":
            for name, rows in (("attn_q", hidden), ("attn_k", 16), ("attn_v", 16)):
                t[f"blk.0.{name}.bias"] = ("F32", np.zeros(rows))
        write("gguf", f"{arch}_model", gguf_file(arch, a, t))
    # K-quant blocks as raw bytes (the gguf package has no quantizer for them).
    raw = {name: (name, rng.integers(0, 256, (2, size), dtype=np.uint8))
           for name, size in (("Q4_K", 144), ("Q5_K", 176), ("Q6_K", 210))}
    write("gguf", "k_quants", gguf_file("llama", {"general.name": "k", "test.nested": [[1, 2], [3]]}, raw))


def seed_model_config():
    base = {"vocab_size": 320, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
            "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 4096,
            "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": True}
    write("model_config", "qwen2", json.dumps({"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], **base}))
    write("model_config", "llama3_rope", json.dumps({"model_type": "llama", "attention_bias": False, "head_dim": 8,
                                                      "rope_scaling": {"rope_type": "llama3", "factor": 8.0,
                                                                       "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                                                       "original_max_position_embeddings": 8192},
                                                      "eos_token_id": [1, 2], **base}))
    write("model_config", "deepseek_v3", json.dumps({
        "model_type": "deepseek_v3", **base, "q_lora_rank": 16, "kv_lora_rank": 16, "qk_nope_head_dim": 8,
        "qk_rope_head_dim": 4, "v_head_dim": 8, "moe_intermediate_size": 16, "n_routed_experts": 8,
        "num_experts_per_tok": 2, "n_shared_experts": 1, "n_group": 2, "topk_group": 1,
        "first_k_dense_replace": 1, "norm_topk_prob": True, "routed_scaling_factor": 2.5,
        "scoring_func": "sigmoid", "rope_parameters": {"rope_type": "yarn", "factor": 4.0, "rope_theta": 10000.0,
                                                       "beta_fast": 32, "beta_slow": 1, "mscale": 1.0},
        "bos_token_id": 0, "eos_token_id": 1}))


def seed_tokenizer():
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    texts = ["<think>Let me add 12 and 30. Wait, check it: 12 + 30 = 42.</think> The answer is \\boxed{42}.",
             "Étant donné x² = 4, x = ±2. 数学很有趣。", "def f(x):\n    return x * 2  # tabs\tand spaces"] * 20
    special = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False)])
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(texts, trainers.BpeTrainer(vocab_size=330, special_tokens=special,
                                                       initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok.add_tokens(["<think>", "</think>"])
    config = json.dumps({"bos_token": None, "eos_token": {"content": "<|im_end|>"}, "pad_token": "<|endoftext|>",
                         "chat_template": "{% for m in messages %}<|im_start|>{{ m.role }}{% endfor %}"})
    write("tokenizer", "byte_level", parts(tok.to_str(), config, "<|im_start|>user\nWhat is 12 + 30?<|im_end|>"))
    # A SentencePiece-style BPE: Split on a regex, byte fallback, merges as pairs.
    vocab = {f"<0x{b:02X}>": b for b in range(256)}
    for piece in ["a", "b", "ab", "c", "abc", "▁", "▁ab"]:
        vocab[piece] = len(vocab)
    fallback = {"version": "1.0", "added_tokens": [{"id": len(vocab), "content": "<s>", "special": True,
                                                     "lstrip": False, "rstrip": True, "normalized": False,
                                                     "single_word": False}],
                "normalizer": {"type": "Sequence", "normalizers": [{"type": "Replace", "pattern": {"String": " "},
                                                                    "content": "▁"}]},
                "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "\\p{N}|[^\\p{N}]+"},
                                  "behavior": "Isolated", "invert": False},
                "decoder": {"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "Fuse"}]},
                "model": {"type": "BPE", "byte_fallback": True, "unk_token": None, "vocab": vocab,
                          "merges": [["a", "b"], "ab c", ["▁", "ab"]]}}
    write("tokenizer", "byte_fallback", parts(json.dumps(fallback), "", "<s> abc ab 7 ✓"))


def seed_chat_template():
    r1 = "{% if not add_generation_prompt is defined %}{{'<｜Assistant｜>'}}{% endif %}"
    write("chat_template", "deepseek_r1", parts(r1, "You are helpful.", "What is 2+2?",
                                                "<think>2+2=4</think>\n\nThe answer is 4.", "And 3+3?"))
    write("chat_template", "qwen", parts("{{'<|im_start|>' + message['role']}}", "", "Hi <|im_end|>",
                                         "<think>\nhello</think>Hello!"))
    write("chat_template", "llama3", parts("<|start_header_id|>", "sys", "<think>unclosed"))
    write("chat_template", "r1_zero", parts("", "", "Solve x+1=2", "<think> x=1 </think> <answer>1</answer>"))


def seed_recipe():
    for toml in (repo / "resources" / "recipes").glob("*.toml"):
        write("recipe", toml.stem, toml.read_bytes())


def seed_dataset():
    write("dataset", "math_mini", (repo / "resources" / "tasks" / "math_mini.jsonl").read_bytes())
    write("dataset", "array", json.dumps([{"problem": "1+1?", "solution": "So \\boxed{2}.", "unique_id": "a"},
                                          {"prompt": "x?", "final_answer": 3.5}, {"question": "no answer"}, 7]))
    write("dataset", "lines", '{"question": "2*3?", "answer": 6, "id": 1}\n\n{bad json\n[1]\n'
                              '{"problem": "p", "solution": "\\\\boxed{\\\\frac{1}{2}}"}\r\n')


def seed_verifier():
    rows = [json.loads(line) for line in (repo / "tests" / "data" / "verifier" / "corpus.jsonl").open()]
    for i, row in enumerate(rows[::109]):
        write("verifier", f"corpus_{i:02d}", parts(row["response"], row["truth"]))
    extra = [("The answer is \\boxed{\\frac{\\sqrt{2}}{2}}", "\\frac{1}{\\sqrt{2}}"),
             ("<answer>{1, 2, 3}</answer>", "\\{3,2,1\\}"), ("x = 5", "5"), ("(1, 2]", "(1,2]"),
             ("\\begin{pmatrix} 1 & 2 \\\\ 3 & 4 \\end{pmatrix}", "[[1,2],[3,4]]"), ("The final answer is (B).", "B"),
             ("2^{10} = 1024", "1024"), ("10\\%", "0.1"), ("-\\infty", "-oo")]
    for i, (response, truth) in enumerate(extra):
        write("verifier", f"forms_{i:02d}", parts(response, truth))
    write("verifier", "countdown", parts("<answer>(25 - 5) * 3</answer>", "60|25,5,3", "countdown"))


SCHEMA = (repo / "core" / "store" / "store_schema.cpp").read_text()
MIGRATIONS = re.findall(r'R"sql\((.*?)\)sql"', SCHEMA, re.S)


def store(path, version):
    db = sqlite3.connect(path)
    db.execute("PRAGMA page_size = 512")
    for sql in MIGRATIONS[:version]:
        db.executescript(sql)
    db.executescript("""
INSERT INTO runs VALUES (1, 'seed', '[model]', 'finished', 1.0, 2.0, 'host', '0.1.0');
INSERT INTO stages VALUES (1, 1, 0, 'grpo', 'rl', '{"steps": 2}', 'finished', 1.0, 2.0, 1, 2);
INSERT INTO metric_keys VALUES (1, 'reward/mean'), (2, 'accuracy');
INSERT INTO metrics VALUES (1, 1, 1, 0, 0.5, 1.5), (1, 1, 2, 0, 0.75, 1.6), (1, 2, 2, 0, 1.0, 1.7);
INSERT INTO samples VALUES (1, 1, 0, 2, 'What is 2+2?', '<think>2+2</think> 4', '{"accuracy": 1}', 1.0, 1, 5, '4',
                            x'0000803f', x'00000000', x'01000000');
INSERT INTO checkpoints VALUES (1, 0, 2, 'ckpt/step-2', 1.8);
INSERT INTO evaluations VALUES (1, 1, 0, 2, 'm', 'math', 2, '{}', '{"pass@1": 0.5}', 1.9);
INSERT INTO eval_items VALUES (1, 1, 'p1', 'q', '4', '[{"completion": "4", "correct": true}]', 0.5, 1);
INSERT INTO annotations VALUES (1, 1, NULL, 0, 0, 1, -1, -1, 'error', '', 'note', 'me', 2.0);
INSERT INTO votes VALUES (1, 'p', 'A', 'B', 'a', 'b', 'tie', 2.1);
""")
    db.execute("PRAGMA application_id = 1413632595")  # 'TBRS'
    db.execute(f"PRAGMA user_version = {version}")
    db.commit()
    db.execute("VACUUM")
    db.close()


def seed_store():
    folder = corpus / "store"
    folder.mkdir(parents=True, exist_ok=True)
    for version in (1, 2):
        path = folder / f"schema_v{version}"
        path.unlink(missing_ok=True)
        store(path, version)
    foreign = folder / "foreign"
    foreign.unlink(missing_ok=True)
    db = sqlite3.connect(foreign)
    db.execute("PRAGMA page_size = 512")
    db.execute("CREATE TABLE runs (x)")
    db.commit()
    db.close()
    write("store", "empty", b"")


if __name__ == "__main__":
    targets = sys.argv[1:] or ["safetensors", "model_config", "tokenizer", "chat_template", "recipe", "dataset",
                               "verifier", "store", "gguf"]
    for target in targets:
        shutil.rmtree(corpus / target, ignore_errors=True)
        globals()["seed_" + target]()
