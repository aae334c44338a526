"""Language-core speed: `python benchmarks/bench_language.py`.

Prints one table: each operation, its median time, and a ratio against the natural
alternative measured in the same run (Lark's own LALR front end for parsing; pydantic's
recursive TypeAdapter validation for JSON input; json.dumps for output size scale).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from itertools import count

import filterlang as fl
from filterlang.dsl import parser as P
from filterlang.dsl.lalr import Driver, lark_transformer
from filterlang.timefmt import resolve_now

ALL_NEW = (
    'user_cost > {n} and model ~ "gpt{n}%" and status = {n} and latency < {n} and provider = "p{n}" '
    'and properties.env = "e{n}" and request_created_at >= "2026-01-01T00:00:00.{m:03d}Z" and cached = false '
    'and prompt_tokens > {n} and country_code != "C{n}"'
)
TEN = (
    'user_cost > {n} and model ~ "gpt%" and status = 200 and latency < 1000 and provider = "openai" '
    'and properties.env = "prod" and request_created_at >= "2026-01-01T00:00:00Z" and cached = false '
    'and prompt_tokens > 10 and country_code != "US"'
)


def timeit(fn: Callable[[], object], *, repeat: int = 7, number: int = 0, budget: float = 0.3) -> float:
    """Median seconds per call over `repeat` rounds of `number` calls (auto-sized)."""
    if not number:
        number, t0 = 1, time.perf_counter()
        fn()
        one = max(time.perf_counter() - t0, 1e-7)
        number = max(1, int(budget / one / repeat))
    rounds = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        rounds.append((time.perf_counter() - t0) / number)
    return statistics.median(rounds)


def import_time() -> float:
    code = "import time; t=time.perf_counter(); import filterlang; print(time.perf_counter()-t)"
    subprocess.run([sys.executable, "-c", "import filterlang; filterlang.parse('model = \"a\"')"], check=True)
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(7)
    ]
    return statistics.median(runs)


def fmt(seconds: float) -> str:
    if seconds >= 1e-3:
        return f"{seconds * 1e3:9.2f} ms"
    return f"{seconds * 1e6:9.1f} µs"


def main() -> None:
    from lark import Lark
    from pydantic import TypeAdapter

    lark_builder = P._Builder(P._Ctx("", resolve_now(None), fl.DEFAULT_LIMITS))
    lark_own = Lark(
        P._grammar(),
        parser="lalr",
        lexer="contextual",
        maybe_placeholders=False,
        transformer=lark_transformer(P._Builder, lark_builder),
    )
    numbers = count()
    text = TEN.format(n=5)
    node = fl.parse(text)
    doc = fl.to_json(node)
    adapter: TypeAdapter[object] = TypeAdapter(fl.UserFilterNode)
    chain = " or ".join(f'model = "m{i}"' for i in range(10_000))
    chain_node = fl.parse(chain)
    chain_doc = fl.to_json(chain_node)

    def cold() -> object:  # a new text every call: no parse cache hit; 9 of 10 leaves seen before
        return fl.parse(TEN.format(n=next(numbers)))

    def all_new() -> object:  # every value new: no text cache, no leaf cache hit
        n = next(numbers) + 10**9
        return fl.parse(ALL_NEW.format(n=n, m=n % 1000))

    # A driver that never learns shapes: every parse walks the LALR tables.
    tables_only = Driver(P._lark(), P._Builder)
    tables_only._second_sighting = lambda node, types: False  # type: ignore[method-assign]

    def new_shape() -> object:  # as all_new, but as if the token-type sequence were new
        saved = P._driver
        P._driver = lambda: tables_only  # type: ignore[assignment]
        try:
            return all_new()
        finally:
            P._driver = saved

    # A driver that knows the ALL_NEW shape but learns nothing more: a text that leaves
    # it at the last comparison replays nine comparisons and runs the tables for one.
    known_prefix = Driver(P._lark(), P._Builder)
    for _ in range(2):
        sample = ALL_NEW.format(n=1, m=1)
        known_prefix.parse(sample, P._Builder(P._Ctx(sample, resolve_now(None), fl.DEFAULT_LIMITS)))
    known_prefix._second_sighting = lambda node, types: False  # type: ignore[method-assign]

    def new_tail() -> object:
        n = next(numbers) + 10**9
        saved = P._driver
        P._driver = lambda: known_prefix  # type: ignore[assignment]
        try:
            return fl.parse(ALL_NEW.format(n=n, m=n % 1000).replace('!= "C', 'contains "C'))
        finally:
            P._driver = saved

    rows: list[tuple[str, float, str, float | None]] = []
    t_cold = timeit(cold)
    t_lark_front = timeit(lambda: lark_own.parse(TEN.format(n=next(numbers))))
    t_ours_front = timeit(lambda: P._parse_ir(TEN.format(n=next(numbers))))
    t_tables_front = timeit(lambda: tables_only.parse(TEN.format(n=next(numbers)), lark_builder))
    rows.append(("parse+validate 10 predicates (new text)", t_cold, "", None))
    rows.append(("  ... every value new (no leaf reuse)", timeit(all_new), "", None))
    rows.append(("  ... a new shape, first 9 of 10 known", timeit(new_tail), "", None))
    rows.append(("  ... a shape sharing nothing known", timeit(new_shape), "", None))
    rows.append(("  front end: shape replay", t_ours_front, "Lark's own LALR+lexer", t_lark_front))
    rows.append(("  front end: our LALR tables loop", t_tables_front, "Lark's own LALR+lexer", t_lark_front))
    rows.append(("parse 10 predicates (cached text)", timeit(lambda: fl.parse(text)), "", None))
    rows.append(
        (
            "from_json 10 predicates",
            timeit(lambda: fl.from_json(doc)),
            "pydantic TypeAdapter",
            timeit(lambda: adapter.validate_python(doc)),
        )
    )
    rows.append(("to_json 10 predicates", timeit(lambda: fl.to_json(node)), "", None))
    rows.append(("to_dsl 10 predicates", timeit(lambda: fl.to_dsl(node)), "", None))
    rows.append(
        (
            "parse 10,000-term or chain",
            timeit(lambda: P._parse_uncached(chain, None, fl.DEFAULT_LIMITS), repeat=3),
            "",
            None,
        )
    )
    rows.append(
        (
            "from_json 10,000-term chain",
            timeit(lambda: fl.from_json(chain_doc), repeat=3),
            "json.loads of its text",
            timeit(lambda: json.loads(json.dumps(chain_doc)), repeat=3),
        )
    )
    rows.append(("to_dsl 10,000-term chain", timeit(lambda: fl.to_dsl(chain_node), repeat=3), "", None))
    rows.append(("import filterlang (grammar cached)", import_time(), "", None))

    print(f"{'operation':40} {'filterlang':>12}   {'alternative':24} {'alt time':>12}  ratio")
    print("-" * 100)
    for name, ours, alt_name, alt in rows:
        ratio = f"{ours / alt:5.2f}x" if alt else ""
        print(f"{name:40} {fmt(ours):>12}   {alt_name:24} {fmt(alt) if alt else '':>12}  {ratio}")
    print("\nratio = filterlang time / alternative time (below 1 is faster)")


if __name__ == "__main__":
    main()
