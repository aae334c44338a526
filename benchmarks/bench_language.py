"""Language-core speed against other filter-language parsers: `python benchmarks/bench_language.py`.

Needs the `bench` extra (`pip install -e '.[bench]'`): luqum (Lucene), pygeofilter (ECQL
and CQL2-text), odata-query (OData $filter) and sqlglot (a SQL WHERE condition).

The main rows parse 10-predicate filters that were never seen before: every filter has
its predicates in a random order, joined by random `and`/`or`, with random values, so no
cache (ours or theirs) can answer. Each library parses the same filters written in its
own syntax; rounds are interleaved (one round of each parser in turn) so machine noise
hits every parser alike, and each row is the median over rounds. Repeated texts (one
filter parsed again and again, where our parse cache answers) are a separate row.

``--ab`` instead measures the leaf memo (the one cache besides whole parses) against
building every leaf, on the workload it is for and on never-seen filters.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import filterlang as fl


@dataclass(frozen=True)
class Pred:
    """One predicate in the abstract; ``render`` spells it in each syntax."""

    field: str
    op: str  # gt lt ge eq ne like
    value: object  # int, str, bool, or ("ts", text)


# field, op, value maker: the 10 predicate kinds of a typical dashboard filter
KINDS: list[tuple[str, str, Callable[[random.Random], object]]] = [
    ("user_cost", "gt", lambda r: r.randint(1, 10**9)),
    ("model", "like", lambda r: f"gpt{r.randint(0, 10**9)}%"),
    ("status", "eq", lambda r: r.randint(100, 599)),
    ("latency", "lt", lambda r: r.randint(1, 10**9)),
    ("provider", "eq", lambda r: f"p{r.randint(0, 10**9)}"),
    ("properties.env", "eq", lambda r: f"e{r.randint(0, 10**9)}"),
    (
        "request_created_at",
        "ge",
        lambda r: ("ts", f"2026-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T00:00:00.{r.randint(0, 999):03d}Z"),
    ),
    ("cached", "eq", lambda r: r.random() < 0.5),
    ("prompt_tokens", "gt", lambda r: r.randint(1, 10**9)),
    ("country_code", "ne", lambda r: f"C{r.randint(0, 10**9)}"),
]


def new_filter(r: random.Random) -> tuple[list[Pred], list[str]]:
    preds = [Pred(f, op, make(r)) for f, op, make in KINDS]
    r.shuffle(preds)
    return preds, [r.choice(["and", "or"]) for _ in range(len(preds) - 1)]


def _join(parts: list[str], joins: list[str], words: dict[str, str]) -> str:
    out = [parts[0]]
    for j, p in zip(joins, parts[1:], strict=True):
        out += [words[j], p]
    return " ".join(out)


def ours(preds: list[Pred], joins: list[str]) -> str:
    sym = {"gt": ">", "lt": "<", "ge": ">=", "eq": "=", "ne": "!=", "like": "~"}

    def one(p: Pred) -> str:
        v = p.value
        text = json.dumps(v[1] if isinstance(v, tuple) else v)
        return f"{p.field} {sym[p.op]} {text}"

    return _join([one(p) for p in preds], joins, {"and": "and", "or": "or"})


def sql(preds: list[Pred], joins: list[str]) -> str:  # also ECQL / CQL2-text, which share this syntax
    sym = {"gt": ">", "lt": "<", "ge": ">=", "eq": "=", "ne": "<>", "like": "LIKE"}

    def one(p: Pred, ts: str) -> str:
        v = p.value
        if isinstance(v, bool):
            text = "true" if v else "false"
        elif isinstance(v, tuple):
            text = ts.format(v[1])
        elif isinstance(v, str):
            text = f"'{v}'"
        else:
            text = str(v)
        return f"{p.field.replace('.', '_')} {sym[p.op]} {text}"

    return _join([one(p, "'{}'") for p in preds], joins, {"and": "AND", "or": "OR"})


def ecql(preds: list[Pred], joins: list[str]) -> str:
    return sql(preds, joins).replace("'2026-", "TIMESTAMP('2026-").replace("Z'", "Z')")


def odata(preds: list[Pred], joins: list[str]) -> str:
    def one(p: Pred) -> str:
        v = p.value
        name = p.field.replace(".", "_")
        if p.op == "like":
            return f"startswith({name}, '{str(v).rstrip('%')}')"
        if isinstance(v, bool):
            text = "true" if v else "false"
        elif isinstance(v, tuple):
            text = v[1]
        elif isinstance(v, str):
            text = f"'{v}'"
        else:
            text = str(v)
        return f"{name} {p.op} {text}"

    return _join([one(p) for p in preds], joins, {"and": "and", "or": "or"})


def lucene(preds: list[Pred], joins: list[str]) -> str:
    def one(p: Pred) -> str:
        v = p.value
        name = p.field.replace(".", "_")
        if isinstance(v, bool):
            return f"{name}:{'true' if v else 'false'}"
        if isinstance(v, tuple):
            return f'{name}:["{v[1]}" TO *]'
        if p.op == "like":
            return f"{name}:{str(v).rstrip('%')}*"
        if p.op in ("gt", "lt"):
            return f"{name}:{{{v} TO *]" if p.op == "gt" else f"{name}:[* TO {v}}}"
        text = f'"{v}"' if isinstance(v, str) else str(v)
        return f"NOT {name}:{text}" if p.op == "ne" else f"{name}:{text}"

    return _join([one(p) for p in preds], joins, {"and": "AND", "or": "OR"})


def parsers() -> dict[str, tuple[Callable[[list[Pred], list[str]], str], Callable[[str], object]]]:
    """name -> (how to write the filter, how to parse it)."""
    import sqlglot
    from luqum.parser import parser as luqum_parser
    from odata_query.grammar import ODataLexer, ODataParser
    from pygeofilter.parsers.cql2_text import parse as cql2_parse
    from pygeofilter.parsers.ecql import parse as ecql_parse

    lexer, parser = ODataLexer(), ODataParser()
    return {
        "filterlang": (ours, fl.parse),
        "  same, on Lark's own LALR": (ours, on_larks_own_parser()),
        "luqum (Lucene)": (lucene, luqum_parser.parse),
        "pygeofilter (ECQL)": (ecql, ecql_parse),
        "pygeofilter (CQL2-text)": (ecql, cql2_parse),
        "odata-query (OData)": (odata, lambda t: parser.parse(lexer.tokenize(t))),
        "sqlglot (SQL condition)": (sql, sqlglot.condition),
    }


def on_larks_own_parser() -> Callable[[str], object]:
    """Our parse with Lark's own LALR parser and lexer in place of filterlang/dsl/lalr.py:
    the same grammar, callbacks and lowering (what the lean loop is worth)."""
    from lark import Lark

    from filterlang.dsl.ir import Ctx
    from filterlang.dsl.lalr import lark_transformer
    from filterlang.dsl.lower import Builder, lower
    from filterlang.dsl.syntax import grammar
    from filterlang.timefmt import resolve_now

    class Current:  # Lark's transformer is built once; each parse gets its own Builder
        builder: Builder

        def __getattr__(self, name: str) -> object:
            return getattr(self.builder, name)

    current = Current()
    lark = Lark(
        grammar(),
        parser="lalr",
        lexer="contextual",
        maybe_placeholders=False,
        transformer=lark_transformer(Builder, current),
    )

    def parse(text: str) -> object:
        ctx = Ctx(text, resolve_now(None), fl.DEFAULT_LIMITS)
        current.builder = Builder(ctx)
        ir = lark.parse(text)
        return lower(ctx, ir)

    return parse


def per_call(fn: Callable[[str], object], texts: list[str]) -> float:
    t0 = time.perf_counter()
    for t in texts:
        fn(t)
    return (time.perf_counter() - t0) / len(texts)


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:8.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:8.1f} µs"


def compare(rounds: int, per_round: int, seed: int) -> None:
    table = parsers()
    r = random.Random(seed)
    times: dict[str, list[float]] = {name: [] for name in table}
    for write, parse in table.values():  # warm up: imports, grammar tables, our lexers
        for _ in range(20):
            parse(write(*new_filter(r)))
    for _ in range(rounds):
        filters = [new_filter(r) for _ in range(per_round)]
        for name, (write, parse) in table.items():
            texts = [write(*f) for f in filters]
            times[name].append(per_call(parse, texts))
    med = {name: statistics.median(ts) for name, ts in times.items()}
    others = [name for name in table if not name.startswith(("filterlang", " "))]
    fastest_other = min(med[name] for name in others)

    preds, joins = new_filter(r)
    repeated = {}
    for name, (write, parse) in table.items():
        text = write(preds, joins)
        parse(text)
        repeated[name] = statistics.median(per_call(parse, [text] * per_round) for _ in range(rounds))
    fastest_repeat = min(repeated[name] for name in others)

    print(f"10-predicate filters, never seen before ({rounds} interleaved rounds of {per_round}, median per filter)\n")
    print(f"{'workload':14} {'parser':28} {'per filter':>11} {'vs filterlang':>14} {'filterlang vs it':>17}")
    print("-" * 88)
    for workload, times_by in (("new text", med), ("repeated text", repeated)):
        for name in table:
            t = times_by[name]
            print(
                f"{workload:14} {name:28} {fmt(t):>11} {t / times_by['filterlang']:13.2f}x "
                f"{times_by['filterlang'] / t:16.4g}"
            )
    print(
        f"\nfilterlang / fastest other library: {med['filterlang'] / fastest_other:.2f} (new text), "
        f"{repeated['filterlang'] / fastest_repeat:.2g} (repeated text)"
    )
    print("filterlang's time includes type-checking every value and building the API's pydantic AST.")
    verdict = "yes" if med["filterlang"] < fastest_other else "NO"
    print(f"ahead of every other library on never-seen filters (ratio < 1.0 to the fastest): {verdict}")


def other_rows() -> None:
    """The AST's other ways in and out, on one 10-predicate filter, with the natural
    alternative where there is one."""
    from pydantic import TypeAdapter

    node = fl.parse(ours(*new_filter(random.Random(1))))
    doc = fl.to_json(node)
    adapter: TypeAdapter[object] = TypeAdapter(fl.UserFilterNode)
    rows = [
        ("from_json", lambda: fl.from_json(doc), "pydantic TypeAdapter", lambda: adapter.validate_python(doc)),
        ("to_json", lambda: fl.to_json(node), "", None),
        ("to_dsl", lambda: fl.to_dsl(node), "", None),
    ]
    print(f"\n{'10 predicates':28} {'filterlang':>12}   {'alternative':22} {'alt time':>10}  ratio")

    def median_call(fn: Callable[[], object]) -> float:
        return statistics.median(per_call(lambda _t: fn(), [""] * 2000) for _ in range(5))

    for name, fn, alt_name, alt in rows:
        ours_t = median_call(fn)
        alt_t = median_call(alt) if alt else None
        ratio = f"{ours_t / alt_t:5.2f}x" if alt_t else ""
        print(f"{name:28} {fmt(ours_t):>12}   {alt_name:22} {fmt(alt_t) if alt_t else '':>10}  {ratio}")


def ab(rounds: int, per_round: int, seed: int) -> None:
    """Interleaved A/B of the leaf memo against none; prints the paired median difference."""
    from filterlang.dsl import lower, parser
    from filterlang.nodes import leaf_of

    r = random.Random(seed)
    counter = iter(range(10**7, 10**9))

    def never_seen() -> list[str]:
        return [ours(*new_filter(r)) for _ in range(per_round)]

    def leaves_repeat() -> list[str]:  # a new text each time; 9 of its 10 leaves seen before
        return [
            ours(*new_filter(random.Random(0))).replace("user_cost > ", f"user_cost > {next(counter)}")
            for _ in range(per_round)
        ]

    memo_leaf = lower.leaf
    experiments: list[tuple[str, Callable[[], list[str]], dict[str, Callable[[], None]]]] = [
        (
            "leaf memo, 9 of 10 leaves seen before",
            leaves_repeat,
            {
                "leaf memo": lambda: setattr(lower, "leaf", memo_leaf),
                "no leaf memo": lambda: setattr(lower, "leaf", leaf_of),
            },
        ),
        (
            "leaf memo, never-seen texts",
            never_seen,
            {
                "leaf memo": lambda: setattr(lower, "leaf", memo_leaf),
                "no leaf memo": lambda: setattr(lower, "leaf", leaf_of),
            },
        ),
    ]
    saved = parser.CACHE
    for title, workload, variants in experiments:
        times: dict[str, list[float]] = {k: [] for k in variants}
        for i in range(rounds):
            for name, use in list(variants.items())[:: 1 if i % 2 else -1]:
                use()
                times[name].append(per_call(fl.parse, workload()))
            parser.CACHE, lower.leaf = saved, memo_leaf  # type: ignore[misc]
        a, b = times
        diffs = [x - y for x, y in zip(times[a], times[b], strict=True)]
        wins = sum(d < 0 for d in diffs)
        print(
            f"{title}: {a} {fmt(statistics.median(times[a])).strip()}, {b} {fmt(statistics.median(times[b])).strip()}; "
            f"paired median difference {statistics.median(diffs) * 1e6:+.1f} µs ({a} faster in {wins}/{len(diffs)} rounds)"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--per-round", type=int, default=300)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--ab", action="store_true", help="A/B the leaf memo instead")
    args = ap.parse_args()
    if args.ab:
        ab(args.rounds, args.per_round, args.seed)
    else:
        compare(args.rounds, args.per_round, args.seed)
        other_rows()


if __name__ == "__main__":
    main()
