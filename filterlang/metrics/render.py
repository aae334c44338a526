"""Terminal bar charts of the overview's two histograms, with ranges written for people.

The API's range strings are exact JavaScript numbers (``"0.0032156669999999997"``), right
for machines and unreadable in a terminal. Here each chart picks the fewest digits that
still tell every edge apart: a count chart ``1 – 1.5 requests``, and a cost chart with one
number of decimals for every label (``$0.0012 – $0.0500``), so amounts line up and compare
at a glance. Bars use eighth-block characters so small differences in height stay visible
at 40 columns.

Two facts a reader would otherwise get wrong are printed with the charts: the user total
is the users kept *after* the pSize cut (not everyone in the data), and the adaptive
method's heights are fractional user counts (ClickHouse's ``histogram()`` spreads a bin's
weight over its neighbours), so a height of 2.75 is not a rounding error.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["format_count", "format_usd", "render_histogram", "render_overview", "usd_labels"]

_EIGHTHS = " ▏▎▍▌▋▊▉"
_FULL = "█"
BAR_WIDTH = 40

_TITLES: dict[str, str] = {
    "request_count": "Requests per user",
    "user_cost": "Spend per user (USD)",
}


def _plain(x: float, sig: int) -> str:
    """``x`` with ``sig`` significant digits, never in exponent form, trailing zeros dropped."""
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    magnitude = math.floor(math.log10(abs(x)))
    decimals = max(0, sig - 1 - magnitude)
    text = f"{x:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_count(x: float, sig: int = 3) -> str:
    return _plain(x, sig)


def format_usd(x: float, sig: int = 2) -> str:
    """Dollars: cents for amounts of a dollar or more, significant digits below a dollar."""
    sign = "-" if x < 0 else ""
    ax = abs(x)
    if ax >= 1:
        return f"{sign}${_plain(round(ax, 2), max(sig, len(str(int(ax))) + 2))}"
    text = _plain(ax, sig)
    if ax >= 0.01 and len(text.partition(".")[2]) < 2:  # whole cents read as money: $0.40
        text = f"{ax:.2f}"
    return f"{sign}${text}"


def usd_labels(edges: Sequence[float]) -> list[str]:
    """Dollar labels with one number of decimals for all: at least cents, at least two significant
    digits for the smallest non-zero amount, and enough to keep distinct edges distinct
    (``$0.0012``, ``$0.0500``, ``$1.2000`` in one chart)."""
    distinct = sorted(set(edges))
    nonzero = [abs(e) for e in distinct if e != 0 and math.isfinite(e)]
    least = 2 if not nonzero else max(2, 1 - math.floor(math.log10(min(nonzero))))
    for decimals in range(min(least, 12), 13):
        texts = [_usd_fixed(e, decimals) for e in distinct]
        if len(set(texts)) == len(texts):
            table = dict(zip(distinct, texts, strict=True))
            return [table[e] for e in edges]
    return [f"${e!r}" for e in edges]


def _usd_fixed(x: float, decimals: int) -> str:
    text = f"{abs(x):,.{decimals}f}"
    return f"{'-' if x < 0 and text.strip('0.,') else ''}${text}"


def _edges_text(edges: Sequence[float], fmt: Any) -> list[str]:
    """The shortest formatting (from 2 significant digits up) under which distinct edges stay distinct."""
    distinct = sorted(set(edges))
    for sig in range(2, 18):
        texts = [fmt(e, sig) for e in distinct]
        if len(set(texts)) == len(texts):
            table = dict(zip(distinct, texts, strict=True))
            return [table[e] for e in edges]
    return [repr(e) for e in edges]


def _bar(value: float, top: float, width: int, ascii_only: bool) -> str:
    if top <= 0 or value <= 0:
        return ""
    eighths = round(value / top * width * 8)
    eighths = max(eighths, 1)  # a non-empty bin always shows
    if ascii_only:
        return "#" * max(1, eighths // 8)
    return _FULL * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def _value_text(v: float) -> str:
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def render_histogram(
    measure: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    width: int = BAR_WIDTH,
    ascii_only: bool = False,
    cut: str | None = None,
) -> str:
    """One measure's chart: a title, then one aligned line per bin (range, bar, height).

    ``cut`` names the pSize cut (``"p95"``) for the title's "users kept after the cut".
    """
    title = _TITLES.get(measure, measure)
    if not rows:
        return f"{title}\n  (no users kept)"
    starts = [float(r["range_start"]) for r in rows]
    ends = [float(r["range_end"]) for r in rows]
    is_cost = measure == "user_cost"
    texts = usd_labels(starts + ends) if is_cost else _edges_text(starts + ends, format_count)
    lo_t, hi_t = texts[: len(rows)], texts[len(rows) :]
    unit = "" if is_cost else " requests"
    lo_w = max(len(s) for s in lo_t)
    hi_w = max(len(s) for s in hi_t)
    labels = [f"{a.rjust(lo_w)} – {(b + unit).ljust(hi_w + len(unit))}" for a, b in zip(lo_t, hi_t, strict=True)]
    values = [float(r["value"]) for r in rows]
    total = sum(values)
    top = max(values)
    label_w = max(len(s) for s in labels)
    value_w = max(len(_value_text(v)) for v in values)
    kept = f"users kept after the {cut} cut" if cut else "users kept"
    lines = [f"{title}  ({_value_text(total)} {kept})"]
    for label, v in zip(labels, values, strict=True):
        bar = _bar(v, top, width, ascii_only)
        lines.append(f"  {label.ljust(label_w)}  {_value_text(v).rjust(value_w)}  {bar}")
    return "\n".join(lines)


ADAPTIVE_NOTE = (
    "Heights are users per bin; with adaptive bins they are fractional user counts "
    "(ClickHouse's histogram() spreads each bin's weight over its neighbours)."
)


def render_overview(
    data: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    subtitle: str = "",
    width: int = BAR_WIDTH,
    ascii_only: bool = False,
    cut: str | None = None,
    method: str = "adaptive",
) -> str:
    """Both charts of a Result's ``data``, separated by a blank line, and what the heights mean."""
    parts = [subtitle] if subtitle else []
    for measure in ("request_count", "user_cost"):
        parts.append(render_histogram(measure, data.get(measure, []), width=width, ascii_only=ascii_only, cut=cut))
    if method == "adaptive" and any(data.get(m) for m in ("request_count", "user_cost")):
        parts.append(ADAPTIVE_NOTE)
    return "\n\n".join(parts)
