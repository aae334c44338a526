"""Completion speed: `python benchmarks/bench_complete.py`.

Median time of ``filterlang.complete`` on a ~1 kB filter at several cursors (a field,
an operator, a value, a connective), and side by side the natural alternative measured in
the same run: Lark's interactive parser fed the same text, then ``accepts()`` (which
copies the parser once per terminal) to learn what may come next.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import filterlang as fl
from filterlang.dsl.complete import Vocabulary

ROWS = [
    {"model": f"gpt-{i % 40}", "properties": {"env": ["prod", "dev"][i % 2], f"k{i % 30}": "v"}} for i in range(5000)
]


def filter_1kb() -> str:
    parts, i = [], 0
    while sum(len(p) + 5 for p in parts) < 1000:
        parts.append(f'(model ~ "gpt-{i}%" or cost > {i}.5) and properties.env != "e{i}"')
        i += 1
    return " and ".join(parts)


def timeit(fn: Callable[[], object], repeat: int = 200) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def lark_accepts(text: str) -> Callable[[], object]:
    from importlib import resources

    from lark import Lark

    grammar = resources.files("filterlang.grammar").joinpath("filter.lark").read_text(encoding="utf-8")
    lark = Lark(grammar, parser="lalr", lexer="contextual", cache=True, maybe_placeholders=False)

    def run() -> object:
        ip = lark.parse_interactive(text)
        ip.exhaust_lexer()
        return ip.accepts()

    return run


def main() -> None:
    base = filter_1kb()
    vocab = Vocabulary.from_rows(ROWS)
    cases = {
        "field (after `and `)": base + " and ",
        "field prefix `mod`": base + " and mod",
        "operator (after `cost `)": base + " and cost ",
        "value from data (`model = `)": base + " and model = ",
        "connective (after a comparison)": base + ' and model = "a" ',
    }
    print(f"filter: {len(base)} characters, {base.count(' and ') + base.count(' or ') + 1} conditions")
    print(f"{'cursor at':36} {'complete()':>12} {'Lark accepts()':>16} {'ratio':>7}")
    medians = []
    for name, text in cases.items():
        ours = timeit(lambda t=text: fl.complete(t, len(t), source=vocab))
        medians.append(ours)
        theirs = timeit(lark_accepts(text.rstrip() if not text.endswith("mod") else text[:-3]), repeat=30)
        print(f"{name:36} {ours * 1e3:9.3f} ms {theirs * 1e3:13.3f} ms {theirs / ours:6.1f}x")
    print(f"median over cursors: {statistics.median(medians) * 1e3:.3f} ms (target < 1 ms)")


if __name__ == "__main__":
    main()
