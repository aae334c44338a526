"""JavaScript's ``Number.prototype.toString()`` for Python floats.

Upstream (a TypeScript service) returns histogram edges as ``String(x)``, and clients
compare those strings, so ``"1"`` must not become ``"1.0"`` and ``1e-7`` must not become
``"1e-07"``. Both languages pick the same digits: the shortest decimal that reads back
as the same double, ties resolved to the closest (Python's ``repr`` since 3.1, and
ECMA-262 §6.1.6.1.20 Number::toString). Only the layout rules differ, and those are
spelled out below exactly as the ECMAScript specification states them.
"""

from __future__ import annotations

import math

__all__ = ["js_number_to_string", "shortest_digits"]


def shortest_digits(x: float) -> tuple[str, int]:
    """(digits, n) with ``x == 0.digits × 10**n``, digits the shortest round-trip string.

    ``x`` must be finite and positive. ``digits`` has no leading or trailing zeros, so
    ``len(digits)`` is ECMAScript's *k* and ``n`` its *n*.
    """
    mantissa, _, exp_text = repr(x).partition("e")
    whole, _, frac = mantissa.partition(".")
    exponent = int(exp_text) if exp_text else 0
    digits = whole + frac
    # Position of the decimal point relative to the start of ``digits``.
    n = len(whole) + exponent
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    return stripped.rstrip("0"), n


def js_number_to_string(x: float) -> str:
    """``String(x)`` in JavaScript: ``"1"``, ``"4.5"``, ``"1e+21"``, ``"1e-7"``, ``"0"`` for -0."""
    if math.isnan(x):
        return "NaN"
    if x == 0:
        return "0"  # both zeros: JS prints -0 as "0"
    if x < 0:
        return "-" + js_number_to_string(-x)
    if math.isinf(x):
        return "Infinity"
    s, n = shortest_digits(float(x))
    k = len(s)
    if k <= n <= 21:
        return s + "0" * (n - k)
    if 0 < n <= 21:
        return s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + s
    e = n - 1
    sign = "+" if e >= 0 else "-"
    head = s[0] if k == 1 else s[0] + "." + s[1:]
    return f"{head}e{sign}{abs(e)}"
