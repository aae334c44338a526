"""Typed errors for every way input can be wrong.

Every error a user can cause is a :class:`FilterError`, so callers need exactly one
``except`` clause; the subclasses say *which* kind of wrong it was. Each carries where
the problem is (a line/column and caret for DSL text, a JSON path for JSON input) and,
when a known name is close, a suggestion, because the message is the user interface.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable


def _cells(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


class FilterError(ValueError):
    """Base of all filterlang input errors.

    Subclasses ``ValueError`` so code that already treats bad values generically keeps
    working. ``str(err)`` is the full, human-readable report (message, source line and
    caret, or JSON path); ``err.message`` is the one-line reason alone.
    """

    kind = "error"

    def __init__(
        self,
        message: str,
        *,
        text: str | None = None,
        line: int | None = None,
        column: int | None = None,
        end_column: int | None = None,
        path: str | None = None,
        suggestion: str | None = None,
        expected: list[str] | None = None,
    ) -> None:
        self.message = message
        self.text = text
        self.line = line
        self.column = column
        self.end_column = end_column
        self.path = path
        self.suggestion = suggestion
        self.expected = expected or []
        super().__init__(self._render())

    def _render(self) -> str:
        parts: list[str] = []
        where = ""
        if self.line is not None and self.column is not None:
            where = f"line {self.line}, column {self.column}: "
        elif self.path:
            where = f"at {self.path}: "
        msg = f"{where}{self.message}"
        if self.suggestion and "did you mean" not in self.message:
            msg += f" (did you mean `{self.suggestion}`?)"
        parts.append(msg)
        if self.text is not None and self.line is not None and self.column is not None:
            lines = self.text.splitlines() or [""]
            if 1 <= self.line <= len(lines):
                src = lines[self.line - 1]
                # Long lines are windowed around the error so the caret stays readable.
                start = max(0, self.column - 60)
                snippet = src[start : start + 120]
                prefix = "… " if start else ""
                width = max(1, (self.end_column or self.column + 1) - self.column)
                width = min(width, max(1, len(snippet) - (self.column - 1 - start)))
                parts.append("  " + prefix + snippet.replace("\t", " "))
                lead = snippet[: self.column - 1 - start]
                marked = snippet[self.column - 1 - start : self.column - 1 - start + width]
                # Wide (East Asian) characters take two terminal cells: keep the caret under the token.
                parts.append("  " + " " * (len(prefix) + _cells(lead)) + "^" * max(1, _cells(marked)))
        # Input may hold text that cannot be printed (unpaired surrogates): escape it.
        return "\n".join(parts).encode("utf-8", "backslashreplace").decode("utf-8")

    def rerooted(self, prefix: str) -> FilterError:
        """This error with its JSON path re-rooted under ``prefix`` (``$.a`` -> ``prefix.a``).

        For a value read from inside a larger document (a filter inside a request body), so
        the path names the place in what the caller sent. Errors with a text position stay.
        """
        if self.path is not None and self.path.startswith("$"):
            self.path = prefix + self.path[1:]
        elif self.path is None and self.line is None:
            self.path = prefix
        self.args = (self._render(),)
        return self

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description, for the CLI's ``--json`` mode and the HTTP error body."""
        d: dict[str, object] = {"kind": self.kind, "message": self.message}
        for k in ("line", "column", "path", "suggestion"):
            v = getattr(self, k)
            if v is not None:
                d[k] = v
        if self.expected:
            d["expected"] = self.expected
        return d


class FilterSyntaxError(FilterError):
    """The text (DSL or JSON) cannot be read at all: a token is missing or misplaced."""

    kind = "syntax"


class FilterTypeError(FilterError):
    """Readable input that means nothing: a field/operator/value mismatch, an unknown name."""

    kind = "type"


class FilterSchemaError(FilterTypeError):
    """JSON input whose shape is not the contract's (unknown key, wrong JSON type, ...).

    A subclass of :class:`FilterTypeError` because to a caller both mean "well-formed
    input that does not describe a valid filter"; the separate class lets tools tell a
    structural JSON problem from a DSL type mismatch when they care.
    """

    kind = "schema"


class FilterLimitError(FilterError):
    """Input beyond a configured limit (length, depth, node count); names the limit."""

    kind = "limit"

    def __init__(self, message: str, *, limit: str, value: int, maximum: int, **kw: object) -> None:
        self.limit = limit
        self.value = value
        self.maximum = maximum
        super().__init__(message, **kw)  # type: ignore[arg-type]


def closest(name: object, candidates: Iterable[str], *, n: int = 1) -> str | None:
    """Best near-miss for ``name`` among ``candidates``, as plain text (the rendered
    message quotes it; ``FilterError.suggestion`` stays what the user would type)."""
    if not isinstance(name, str):
        return None
    pool = list(candidates)
    matches = difflib.get_close_matches(name, pool, n=n, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in pool}
        if name.lower() in lowered:
            matches = [lowered[name.lower()]]
    return matches[0] if matches else None
