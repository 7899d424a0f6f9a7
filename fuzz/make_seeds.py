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
                               "verifier", "store"]
    for target in targets:
        shutil.rmtree(corpus / target, ignore_errors=True)
        globals()["seed_" + target]()
