#!/usr/bin/env python3
"""Writes corpus.jsonl: texts that stress a byte-level BPE tokenizer (scripts, code, math, digits,
emoji, combining marks, whitespace of every kind, special-token strings). Deterministic (seeded).
Usage: python3 make_corpus.py > corpus.jsonl"""
import json
import random

rng = random.Random(20261122)

english = [
    "The quick brown fox jumps over the lazy dog.",
    "It's a truth universally acknowledged, that a single man in possession of a good fortune must be in want of a wife.",
    "We'll see; they've said they'd come, but I'm not sure you're right.",
    "WE'LL SEE; THEY'VE SAID THEY'D COME, BUT I'M NOT SURE YOU'RE RIGHT.",
    "Reinforcement learning with verifiable rewards makes long chains of thought emerge.",
    "Don't panic. Isn't it odd? Shouldn't we check? Wouldn't you agree?",
    "DON'T PANIC. ISN'T IT ODD? She'S here; He'LL go; It'D work.",
    "Mr. Smith paid $1,234.56 on 2024-03-15 at 10:45 p.m. (approx. 3.5% more than planned).",
    "e-mail: someone@example.com, URL: https://example.org/path?query=1&x=y#frag",
]
chinese = [
    "强化学习让模型学会了长链推理。", "我们先计算 12 乘以 34，然后再加上 56。",
    "深度求索发布了一个推理模型，名为 DeepSeek-R1。", "等一下，这一步好像算错了，让我重新检查。",
    "今天天气很好，我们去公园散步吧！", "中文、English 和数字 2025 混合在一起。",
]
japanese = [
    "これは日本語の文章です。", "東京は日本の首都です。カタカナとひらがなが混ざっています。",
    "推論モデルは「考える」過程を示します。", "ｶﾀｶﾅ（半角）と全角ＡＢＣ１２３。",
]
korean = ["안녕하세요, 세계!", "강화 학습으로 추론 능력이 생깁니다.", "한국어와 English가 섞인 문장입니다 123."]
other = ["Привет, мир! Это тест.", "Γειά σου κόσμε", "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया",
         "สวัสดีชาวโลก", "Xin chào thế giới", "Ünïcödé façade naïve café résumé coöperate"]
code = [
    "def f(x):\n    return x ** 2 + 1\n\nprint(f(3))\n",
    "for (int i = 0; i < n; ++i) {\n\tsum += a[i] * b[i];\n}\n",
    "#include <vector>\nint main() { std::vector<int> v{1, 2, 3}; return v.size(); }\n",
    "const add = (a, b) => a + b;\nconsole.log(`sum=${add(2, 3)}`);\n",
    "fn main() {\n    let v: Vec<u32> = (0..10).map(|x| x * x).collect();\n    println!(\"{:?}\", v);\n}\n",
    "SELECT name, COUNT(*) FROM users WHERE age >= 18 GROUP BY name ORDER BY 2 DESC;",
    "if __name__ == '__main__':\r\n    main()\r\n",
    "    \t  mixed indentation\n  \t\tline two\n",
    "<div class=\"x\">&nbsp;<span>Hello</span></div>",
    "x = {'a': [1, 2, 3], \"b\": (4, 5)}  # comment",
]
latex = [
    r"\frac{a}{b} + \sqrt{x^2 + y^2} = \int_0^\infty e^{-t^2}\,dt",
    r"\boxed{\dfrac{3}{4}}", r"$\sum_{k=1}^{n} k = \frac{n(n+1)}{2}$",
    r"Let $f(x) = \alpha x^2 + \beta x + \gamma$, then $f'(x) = 2\alpha x + \beta$.",
    r"\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}", r"The answer is $\boxed{42}$.",
    r"\lim_{x \to 0} \frac{\sin x}{x} = 1 \quad \text{and} \quad \pi \approx 3.14159",
]
think = [
    "<think>\nFirst, 17 * 23 = 391. Let me verify: 17 * 20 = 340, 17 * 3 = 51, 340 + 51 = 391.\n</think>\n\nThe answer is 391.",
    "<think>Wait, that's wrong. Let me re-examine the second step.</think> <answer>12</answer>",
    "<think>\n\n</think>\n\n<answer>7/3</answer>",
    "Assistant: <think> reasoning process here </think> <answer> answer here </answer>",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n<think>\n2+2=4\n</think>\n\n4<|im_end|>",
    "<｜begin▁of▁sentence｜><｜User｜>Solve x+1=3<｜Assistant｜><think>\nx=2\n</think>\n\n\\boxed{2}<｜end▁of▁sentence｜>",
]
emoji = ["😀", "👩‍👩‍👧‍👦", "👍🏽", "🇨🇳🇺🇸", "❤️", "🧑‍💻 coding", "1️⃣ 2️⃣", "🏳️‍🌈", "a😀b", "😀😀😀😀"]
combining = ["e\u0301", "a\u0308o\u0308u\u0308", "n\u0303", "\u1100\u1161\u11a8", "A\u030a",
             "Z\u0351\u0352\u0353a\u0354\u0355l\u0356g\u0357o", "\u0915\u094d\u0937", "ﬁ ﬂ Ⅸ ①"]
spaces = [" ", "  ", "   ", "\t", "\t\t", "\n", "\n\n", "\r\n", "\r", "\u00a0", "\u3000", "\u2009",
          " \n ", "\n \n", "\t \t", "    \n", "\u00a0\u00a0", "\u2028", "\u200b", "\ufeff"]
words = ("alpha beta gamma delta epsilon reasoning policy reward group advantage token expert router "
         "gradient verify answer think step because therefore however wait check").split()


def long_digits():
    n = rng.randint(5, 120)
    return "".join(rng.choice("0123456789") for _ in range(n))


def arithmetic():
    a, b = rng.randint(0, 10 ** rng.randint(1, 9)), rng.randint(0, 10 ** rng.randint(1, 6))
    op = rng.choice(["+", "-", "*", "/", " + ", " × ", " ÷ "])
    return f"{a}{op}{b} = ?"


def long_word():
    base = rng.choice(["supercalifragilistic", "antidisestablishment", "pneumono", "x", "ab", "的", "🙂", "-"])
    return base * rng.randint(10, 80)


def mix():
    parts = []
    pools = [english, chinese, japanese, korean, other, code, latex, think, emoji, combining]
    for _ in range(rng.randint(2, 5)):
        pool = rng.choice(pools)
        parts.append(rng.choice(pool))
        parts.append(rng.choice(spaces + ["", " ", " "]))
    return "".join(parts)


def whitespace_text():
    out = []
    for _ in range(rng.randint(2, 8)):
        out.append(rng.choice(words + ["Hello", "world", "123", "x"]))
        out.append("".join(rng.choice(spaces) for _ in range(rng.randint(1, 4))))
    if rng.random() < 0.5:
        out.append(rng.choice(spaces) * rng.randint(1, 5))  # trailing whitespace
    return "".join(out)


def prose():
    sentence = " ".join(rng.choice(words) for _ in range(rng.randint(3, 25)))
    if rng.random() < 0.3:
        sentence = sentence.upper()
    elif rng.random() < 0.3:
        sentence = sentence.capitalize()
    contraction = rng.choice(["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'VE", "'M", "'LL", "'D", "’s"])
    return sentence.replace(" ", contraction + " ", 1) + rng.choice([".", "!", "?", "...", ";", ""])


texts = []
fixed = english + chinese + japanese + korean + other + code + latex + think + emoji + combining + spaces
texts.extend(fixed)
generators = [long_digits, arithmetic, long_word, mix, whitespace_text, prose]
while len(texts) < 3200:
    texts.append(rng.choice(generators)())
for text in texts:
    print(json.dumps({"text": text}, ensure_ascii=False))
