#!/usr/bin/env python3
"""Writes corpus.jsonl beside this file: response/truth pairs on which tst_verifier compares
core::verify with Hugging Face's math-verify (tests/peers/math_verify_verdicts.py).

One JSON line per pair, {"response": ..., "truth": ...}. Seeded, so a rerun writes the same bytes.
Each answer family below yields pairs alternately meant right (the response's answer equals the
truth, often written another way) and meant wrong (a near miss); the verifiers decide, not these
labels. Integers and fractions are the commonest families, as they are the commonest answers.

The answer is then put in a response the way reasoning models write one (respond(), shares in
percent): a <think> trace then a \\boxed{} as the R1 distills answer (50), a bare \\boxed{} (25), a
"final answer is" sentence (15), a <think> trace then <answer>...</answer> as R1-Zero-style
policies answer (10). The traces hold numbers of their own; most end on the answer.
The shares move the agreement: math-verify does not read <answer> tags (it takes a number from
the trace or the tag's name instead), so with tags at 25 agreement falls from about 98.6% to 97.1%.

Usage: make_corpus.py (no arguments; rerun after changing it and check the file in).
"""
import json
import random
from fractions import Fraction
from pathlib import Path

rng = random.Random(20250122)

# --- writing numbers --------------------------------------------------------------------------


def decimal(value: Fraction) -> str:
    """Exact decimal of a fraction whose denominator divides a power of ten."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    places = 0
    while (value * 10**places).denominator != 1:
        places += 1
    digits = str(value * 10**places)
    if places == 0:
        return sign + digits
    digits = digits.rjust(places + 1, "0")
    return f"{sign}{digits[:-places]}.{digits[-places:]}"


def terminates(value: Fraction) -> bool:
    q = value.denominator
    for p in (2, 5):
        while q % p == 0:
            q //= p
    return q == 1


def latex_frac(value: Fraction, command="\\frac") -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}{command}{{{abs(value.numerator)}}}{{{value.denominator}}}"


def grouped(n: int, separator=",") -> str:
    return f"{n:,}".replace(",", separator)


def near(n: int) -> int:
    return n + rng.choice([-10, -2, -1, 1, 2, 10])


# --- answer families: each returns (answer as the model writes it, truth) ----------------------


def integer(right):
    n = rng.choice([rng.randint(0, 99), rng.randint(100, 999), rng.randint(1000, 99999)])
    shown = n if right else near(n)
    text = grouped(shown) if shown >= 1000 and rng.random() < 0.4 else str(shown)
    return text, str(n)


def negative(right):
    n = rng.randint(1, 500)
    truth = f"-{n}"
    if right:
        return rng.choices([f"-{n}", f"- {n}", f"(-{n})"], weights=[70, 15, 15])[0], truth
    return rng.choice([str(n), f"-{near(n)}"]), truth


def thousands(right):
    n = rng.randint(1000, 9_999_999)
    shown = n if right else n + rng.choice([1, 10, 100, 1000, -1, -100])
    # plain commas, LaTeX's {,}, MATH's ,\! and the SI thin space \,
    forms = [grouped(shown), grouped(shown, "{,}"), grouped(shown, ",\\!"), grouped(shown, "\\,"), str(shown)]
    text = rng.choices(forms, weights=[35, 20, 15, 15, 15])[0]
    truth = rng.choice([str(n), grouped(n)])
    return text, truth


def random_fraction():
    while True:
        q = rng.randint(2, 12)
        p = rng.randint(1, 30)
        value = Fraction(p, q)
        if value.denominator != 1:
            return value if rng.random() < 0.8 else -value


def fraction(right):
    value = random_fraction()
    truth = rng.choice([latex_frac(value), latex_frac(value, "\\dfrac"), f"{value.numerator}/{value.denominator}"])
    if right:
        k = rng.randint(2, 5)
        forms = [
            latex_frac(value),
            latex_frac(value, "\\dfrac"),
            f"{value.numerator}/{value.denominator}",
            f"{'-' if value < 0 else ''}\\frac{{{abs(value.numerator) * k}}}{{{value.denominator * k}}}",
        ]
        if terminates(value):
            forms.append(decimal(value))
        return rng.choice(forms), truth
    flipped = Fraction(value.denominator, value.numerator)
    wrong = rng.choice([flipped, value + 1, Fraction(value.numerator + 1, value.denominator)])
    if wrong == value:
        wrong += 1
    if not terminates(value) and rng.random() < 0.25:
        # a rounded decimal: not the exact value
        places = rng.choice([2, 3, 4, 6])
        return f"{float(value):.{places}f}", truth
    return rng.choice([latex_frac(wrong), f"{wrong.numerator}/{wrong.denominator}"]), truth


def decimals(right):
    value = Fraction(rng.randint(1, 999), rng.choice([4, 8, 10, 20, 25, 100, 1000]))
    if value.denominator == 1:
        value += Fraction(1, 2)
    truth = decimal(value)
    if right:
        forms = [latex_frac(value), truth + "0", f"{value.numerator}/{value.denominator}", truth]
        if value < 1:
            forms.append(truth[1:])  # ".75"
        return rng.choice(forms), truth
    wrong = rng.choice([value + Fraction(1, 10), value - Fraction(1, 100), value * 10])
    return decimal(wrong), truth


def scientific(right):
    mantissa = Fraction(rng.choice([15, 25, 32, 40, 45, 602, 12, 75]), rng.choice([10, 100]))
    exponent = rng.randint(-4, 6)
    value = mantissa * Fraction(10) ** exponent
    truth = rng.choice([decimal(value), f"{decimal(mantissa)}\\times 10^{{{exponent}}}"])
    shown_exp = exponent if right else exponent + rng.choice([-1, 1])
    m = decimal(mantissa)
    forms = [
        f"{m}\\times 10^{{{shown_exp}}}",
        f"{m} \\times 10^{shown_exp}" if 0 <= shown_exp <= 9 else f"{m} \\times 10^{{{shown_exp}}}",
        f"{m} \\cdot 10^{{{shown_exp}}}",
        f"{m}e{shown_exp}",
        f"{m}E{shown_exp}",
        decimal(mantissa * Fraction(10) ** shown_exp),
    ]
    text = rng.choices(forms, weights=[30, 15, 15, 10, 10, 20])[0]
    return text, truth


def percent(right):
    p = Fraction(rng.randint(1, 99)) + rng.choice([0, 0, 0, Fraction(1, 2)])
    truth = rng.choice([f"{decimal(p)}\\%", decimal(p), decimal(p / 100)])
    shown = p if right else p + rng.choice([-5, -1, 1, 10])
    text = rng.choices([f"{decimal(shown)}\\%", f"{decimal(shown)}%"], weights=[2, 1])[0]
    return text, truth


UNITS = [
    ("\\text{ cm}^2", ["\\text{ cm}^2", " \\text{cm}^{2}", "\\ \\mathrm{cm}^2", ""]),
    ("\\text{ m}^3", ["\\text{ m}^3", "\\,\\text{m}^{3}", ""]),
    ("\\text{ cm}", ["\\text{ cm}", " \\text{cm}", "\\text{ centimeters}", ""]),
    ("\\text{ km/h}", ["\\text{ km/h}", " \\text{km}/\\text{h}", ""]),
    ("\\,\\text{kg}", ["\\,\\text{kg}", " \\text{ kg}", ""]),
    ("^\\circ", ["^\\circ", "^{\\circ}", "\\text{ degrees}", ""]),
    ("\\text{ m/s}^2", ["\\text{ m/s}^2", " \\mathrm{m/s^2}", ""]),
]


def units(right):
    n = rng.randint(2, 500)
    unit, written = rng.choice(UNITS)
    truth = f"{n}{unit}" if rng.random() < 0.75 else str(n)
    shown = n if right else near(n)
    return f"{shown}{rng.choice(written)}", truth


def interval(right):
    a = rng.randint(-20, 10)
    b = a + rng.randint(1, 15)
    lo, hi = rng.choice("[("), rng.choice("])")
    ends = [str(a), str(b)]
    kind = rng.random()
    if kind < 0.2:
        lo, ends[0] = "(", "-\\infty"
    elif kind < 0.4:
        hi, ends[1] = ")", "\\infty"

    def write(lo, hi, ends, fancy):
        inner = f"{ends[0]}, {ends[1]}"
        return f"\\left{lo}{inner}\\right{hi}" if fancy else f"{lo}{inner}{hi}"

    truth = write(lo, hi, ends, rng.random() < 0.3)
    if not right:
        flip = {"[": "(", "(": "[", "]": ")", ")": "]"}
        if ends[0] != "-\\infty" and rng.random() < 0.5:
            lo = flip[lo]
        elif ends[1] != "\\infty":
            hi = flip[hi]
        else:
            ends = [str(int(ends[0]) + 1), ends[1]]
    return write(lo, hi, ends, rng.random() < 0.6), truth


def members(k):
    return rng.sample(range(-9, 30), k)


def finite_set(right):
    items = members(rng.randint(2, 5))
    truth = "\\{" + ", ".join(map(str, items)) + "\\}"
    shown = items[:]
    rng.shuffle(shown)
    if not right:
        if rng.random() < 0.5:
            shown.pop()
        else:
            shown[0] = max(items) + 1
    return "\\{" + rng.choice([", ", ","]).join(map(str, shown)) + "\\}", truth


def tuple_(right):
    items = members(rng.randint(2, 3))
    truth = "(" + ", ".join(map(str, items)) + ")"
    shown = items[:]
    if not right:
        if rng.random() < 0.5:
            shown[0], shown[1] = shown[1], shown[0]
        else:
            shown[-1] += rng.choice([-1, 1])
    inner = rng.choice([", ", ","]).join(map(str, shown))
    return (f"\\left({inner}\\right)" if rng.random() < 0.3 else f"({inner})"), truth


def equation(right):
    var = rng.choice("xyzank")
    value = rng.choice([Fraction(rng.randint(-30, 30)), random_fraction()])

    def show(v):
        return str(v.numerator) if v.denominator == 1 else latex_frac(v)

    truth = rng.choice([show(value), f"{var}={show(value)}", f"{var} = {show(value)}"])
    shown = value if right else value + rng.choice([-1, 1, 2])
    return rng.choice([f"{var}={show(shown)}", f"{var} = {show(shown)}", show(shown)]), truth


def matrix(right):
    rows, cols = rng.choice([(2, 2), (2, 2), (3, 3), (2, 3), (3, 1)])
    cells = [[Fraction(rng.randint(-9, 12)) for _ in range(cols)] for _ in range(rows)]
    if rng.random() < 0.25:
        cells[0][0] = Fraction(rng.choice([1, 3]), 2)
    env = rng.choice(["pmatrix", "bmatrix"])

    def show(v, decimals):
        if v.denominator == 1:
            return str(v.numerator)
        return decimal(v) if decimals else latex_frac(v)

    def write(cells, env, spaced, decimals):
        join_cell, join_row = (" & ", " \\\\ ") if spaced else ("&", "\\\\")
        body = join_row.join(join_cell.join(show(v, decimals) for v in row) for row in cells)
        return f"\\begin{{{env}}}{' ' if spaced else ''}{body}{' ' if spaced else ''}\\end{{{env}}}"

    truth = write(cells, env, True, False)
    shown = [row[:] for row in cells]
    if not right:
        r, c = rng.randrange(rows), rng.randrange(cols)
        shown[r][c] += rng.choice([-1, 1])
    env_shown = env if rng.random() < 0.7 else ("bmatrix" if env == "pmatrix" else "pmatrix")
    return write(shown, env_shown, rng.random() < 0.5, rng.random() < 0.5), truth


def words(right):
    kind = rng.random()
    if kind < 0.3:
        truth = rng.choice(["yes", "no", "Yes", "No"])
        shown = truth.lower() if right else ("no" if truth.lower() == "yes" else "yes")
        shown = shown.capitalize() if rng.random() < 0.5 else shown
        return rng.choice([shown, f"\\text{{{shown}}}"]), truth
    if kind < 0.5:
        truth = rng.choice(["knight", "knave"])
        shown = truth if right else ("knave" if truth == "knight" else "knight")
        shown = shown.capitalize() if rng.random() < 0.5 else shown
        return rng.choice([shown, f"\\text{{{shown}}}"]), truth
    letters = "ABCDE"
    truth_letter = rng.choice(letters)
    truth = rng.choice([truth_letter, f"({truth_letter})"])
    shown = truth_letter if right else rng.choice([x for x in letters if x != truth_letter])
    forms = [shown, f"({shown})", f"\\text{{{shown}}}", f"\\textbf{{({shown})}}", f"\\text{{({shown})}}"]
    return rng.choice(forms), truth


def malformed(right):
    value = random_fraction()
    p, q = abs(value.numerator), value.denominator
    sign = "-" if value < 0 else ""
    truth = latex_frac(value)
    if not right:
        p += 1
    frac = f"{sign}\\frac{{{p}}}{{{q}}}"
    forms = [
        frac[:-1],  # the last brace never closed
        f"{sign}\\frac{{{p}{{{q}}}}}",  # numerator brace closed at the end instead
        f"{sign}\\dfrac{{{p}}}{{{q}",  # unclosed, with \dfrac
        f"{sign}\\frac{p}{q}" if p < 10 and q < 10 else frac + "}",  # brace-less digits, or one brace too many
        f"{sign}\\frac {p} {q}" if p < 10 and q < 10 else frac + "}}",
        f"{sign}{p}/{q}}}",  # a stray closing brace
        f"\\left({frac}",  # \left without \right
        f"{sign}\\frac{{{p}}}{{{{{q}}}",  # a doubled opening brace
    ]
    return rng.choice(forms), truth


def expression(right):
    def times(k, factor):  # "3\\pi", but "\\pi" rather than "1\\pi"
        return factor if k == 1 else f"{k}{factor}"

    kind = rng.randrange(4)
    if kind == 0:
        a, s = rng.randint(2, 5), rng.choice([2, 3, 5, 6, 7])
        truth = f"{a}\\sqrt{{{s}}}"
        radicand = a * a * s if right else a * a * s + rng.choice([-1, 1])
        return rng.choice([f"\\sqrt{{{radicand}}}", f"\\sqrt{radicand}"]), truth
    if kind == 1:
        p, q = rng.choice([(1, 2), (1, 3), (2, 3), (3, 4), (5, 6)])
        pi = "\\pi"
        truth = f"\\frac{{{times(p, pi)}}}{{{q}}}"
        shown = p if right else p + 1
        forms = [f"\\frac{{{shown}}}{{{q}}}{pi}", f"\\frac{{{times(shown, pi)}}}{{{q}}}", f"{times(shown, pi)}/{q}"]
        return rng.choice(forms), truth
    if kind == 2:
        e = rng.randint(5, 20)
        truth = str(2**e)
        return f"2^{{{e if right else e + 1}}}", truth
    s, q = rng.choice([2, 3, 5]), rng.choice([2, 3, 4])
    a = rng.choice([k for k in range(1, 6) if k % q])
    root = f"\\sqrt{{{s}}}"
    truth = f"\\frac{{{times(a, root)}}}{{{q}}}"
    shown = a if right else a + 1
    return rng.choice([f"{times(shown, root)}/{q}", f"\\frac{{{shown}}}{{{q}}}{root}"]), truth


FAMILIES = [  # (family, pairs): integers and fractions most, as answers to math problems are
    (integer, 700),
    (negative, 120),
    (thousands, 80),
    (fraction, 240),
    (decimals, 120),
    (scientific, 80),
    (percent, 80),
    (units, 80),
    (interval, 80),
    (finite_set, 70),
    (tuple_, 70),
    (equation, 90),
    (matrix, 60),
    (words, 140),
    (malformed, 70),
    (expression, 90),
]

# --- responses ----------------------------------------------------------------------------------


def step():
    a, b, c = rng.randint(2, 40), rng.randint(2, 40), rng.randint(2, 9)
    return rng.choice(
        [
            f"First, {a} + {b} = {a + b}.",
            f"Multiplying, {a} \\times {c} = {a * c}.",
            f"So the difference is {a + b} - {b} = {a}.",
            f"There are {a} cases, each with {c} options.",
            f"Hmm, if it were {a * c} that would be too large.",
            "Let me set up the equation carefully.",
            "Wait, I should double-check the sign.",
            "That means the two conditions must hold at once.",
        ]
    )


def trace(shown):
    """A <think> body: a few steps, usually ending on the answer it reached."""
    steps = [step() for _ in range(rng.randint(1, 4))]
    ending = rng.random()
    if ending < 0.8:
        steps.append(rng.choice([f"So the answer is {shown}.", f"Therefore we get {shown}.", f"That gives {shown}."]))
    elif ending < 0.9:
        steps.append(f"So it should be {shown}. Let me verify once more: {step()}")
    else:
        steps.append(step())
    return " ".join(steps)


def respond(answer):
    inline = f"${answer}$"
    # Most reasoning models answer as the R1 distills do (a trace, then a \\boxed{}); R1-Zero-style
    # policies answer in tags; some write a bare box or a sentence.
    style = rng.choices(["boxed", "trace_boxed", "trace_tags", "sentence"], weights=[25, 50, 10, 15])[0]
    if style == "boxed":
        return rng.choice(
            [
                f"Therefore, the answer is $\\boxed{{{answer}}}$.",
                f"$$\\boxed{{{answer}}}$$",
                f"So we get \\boxed{{{answer}}}",
                f"**Answer:** $\\boxed{{{answer}}}$",
            ]
        )
    if style == "trace_boxed":
        closing = rng.choice(["The answer is", "Hence", "**Final Answer**\n", "Putting it together:"])
        return f"<think>\n{trace(inline)}\n</think>\n\n{closing} $\\boxed{{{answer}}}$"
    if style == "trace_tags":
        # as the R1-Zero template spaces it, tight, in math mode, boxed
        tagged = rng.choices([f" {answer} ", answer, inline, f"\\boxed{{{answer}}}"], weights=[35, 25, 20, 20])[0]
        return f"<think>\n{trace(inline)}\n</think>\n<answer>{tagged}</answer>"
    think = f"<think>\n{trace(inline)}\n</think>\n\n" if rng.random() < 0.6 else ""
    return f"{think}The final answer is {inline}."


def main():
    lines = []
    for family, count in FAMILIES:
        for i in range(count):
            answer, truth = family(i % 2 == 0)
            lines.append(json.dumps({"response": respond(answer), "truth": truth}, ensure_ascii=False))
    out = Path(__file__).with_name("corpus.jsonl")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} pairs -> {out}")


if __name__ == "__main__":
    main()
