"""Where a valid filter means something different upstream (semantics.md).

We depart from the hosted API on purpose where it is unsound; ``filterlang check``
warns when a filter hits one of those departures, so nobody is surprised when the
same JSON gives other rows upstream.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from . import timefmt
from .fields import CONTAINS, EQUALS, FIELDS_BY_TABLE, NOT_CONTAINS, USERS_VIEW, Kind
from .jsonio import path_join
from .nodes import FilterBranch, FilterLeaf, Node, leaf_conditions

UPSTREAM_INT32_USD = (2**31 - 1) / 1e9  # upstream binds nano-USD cost as Int32


@dataclass(frozen=True, slots=True)
class Warning_:
    """One upstream difference: where (JSON path) and what happens."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def _leaves_with_paths(node: Node) -> Iterator[tuple[str, FilterLeaf]]:
    stack: list[tuple[Node, str]] = [(node, "$")]
    while stack:
        n, path = stack.pop()
        if isinstance(n, FilterBranch):
            stack.append((n.right, path + ".right"))
            stack.append((n.left, path + ".left"))
        elif isinstance(n, FilterLeaf):
            yield path, n


def upstream_differences(node: Node, *, overview: bool = True) -> list[Warning_]:
    """Warnings for every place where upstream would evaluate ``node`` differently.

    ``overview``: the filter is used for the metrics-overview endpoint, where upstream
    drops users_view conditions entirely.
    """
    out: list[Warning_] = []
    for path, leaf in _leaves_with_paths(node):
        for table in FIELDS_BY_TABLE:
            tmodel = getattr(leaf, table)
            if tmodel is None:
                continue
            tpath = path_join(path, table)
            set_fields = [f for f in FIELDS_BY_TABLE[table].values() if getattr(tmodel, f.attr) is not None]
            if len(set_fields) > 1:
                out.append(
                    Warning_(
                        tpath,
                        f"{len(set_fields)} fields in one leaf: upstream keeps only the first "
                        "(in JSON key order) and drops the rest; we AND them all",
                    )
                )
            for f in set_fields:
                fval = getattr(tmodel, f.attr)
                if f.kind is Kind.MAP and len(fval) > 1:
                    out.append(
                        Warning_(
                            path_join(tpath, f.name),
                            f"{len(fval)} keys in one map condition: upstream keeps only the first",
                        )
                    )
            if table == USERS_VIEW and overview:
                out.append(
                    Warning_(
                        tpath,
                        "users_view conditions are dropped by upstream's metrics-overview; "
                        "we apply them per request row (semantics.md §3)",
                    )
                )
        conds = leaf_conditions(leaf)
        per_field: dict[tuple[str, str | None], int] = {}
        for c in conds:
            per_field[(c.field, c.key)] = per_field.get((c.field, c.key), 0) + 1
        for (fname, key), n in per_field.items():
            if n > 1:
                where = fname if key is None else f"{fname}[{key!r}]"
                out.append(Warning_(path, f"{n} operators on `{where}` in one leaf: upstream keeps only the first"))
        for c in conds:
            f = c.decl
            if f.name in ("assets", "search_properties"):
                out.append(
                    Warning_(
                        path,
                        f"`{f.name}` is not a plain text column upstream (assets is Array(String), "
                        "search_properties is not in request_response_rmt): upstream results differ",
                    )
                )
            if (
                f.kind is Kind.TIMESTAMP
                and c.op == EQUALS
                and isinstance(c.value, str)
                and timefmt.to_epoch_ms(c.value) % 1000
            ):
                out.append(
                    Warning_(
                        path,
                        f"`{f.name} = {c.value}` has sub-second digits: upstream truncates "
                        "timestamps to seconds, so it never matches there; we compare milliseconds",
                    )
                )
            if c.op in (CONTAINS, NOT_CONTAINS) and isinstance(c.value, str) and any(ch in c.value for ch in "%_\\"):
                out.append(
                    Warning_(
                        path,
                        f"`{c.op}` value {c.value!r} has % _ or \\: upstream does not escape them "
                        "(they act as wildcards there); we match them literally",
                    )
                )
            if f.name == "cost" and isinstance(c.value, int | float) and abs(c.value) > UPSTREAM_INT32_USD:
                out.append(
                    Warning_(
                        path,
                        f"cost {c.value} is above $2.147: upstream binds nano-USD as Int32 and "
                        "wraps; we scale in 64-bit integers",
                    )
                )
    return out
