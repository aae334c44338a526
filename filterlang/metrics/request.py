"""The metrics-overview request body: ``{filter, pSize, useInterquartile}``, validated.

The envelope is checked by a strict pydantic model (all three keys required, pSize one
of the enum, a real JSON boolean, no extra keys) and the filter by
:func:`filterlang.from_json`, so every problem becomes one typed :class:`FilterError`
whose path starts at the body (``$.filter.left.request_response_rmt...``,
``$.pSize``) instead of a pydantic error list the caller would have to translate.

The contract's ``filter`` is the JSON ``UserFilterNode``. DSL text is accepted only
through the explicit :meth:`OverviewRequest.from_dsl`, never sniffed from a string.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, StrictBool, ValidationError
from pydantic import Field as PField

from ..errors import FilterError, FilterSchemaError, FilterSyntaxError, closest
from ..nodes import ALL, FilterBranch, FilterLeaf, Node
from .histogram import P_LEVELS, PSize

__all__ = ["OverviewRequest", "parse_request"]

_KEYS = ("filter", "pSize", "useInterquartile")


class OverviewRequest(BaseModel):
    """A validated request. Build it with :func:`parse_request` or :meth:`from_dsl`."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True, populate_by_name=True)

    filter: Any  # a filterlang Node (already validated by from_json / parse)
    p_size: PSize = PField(alias="pSize")
    use_interquartile: StrictBool = PField(alias="useInterquartile")

    @property
    def node(self) -> Node:
        n: Node = self.filter
        return n

    @property
    def levels(self) -> tuple[float, float]:
        """(p, 1 - p) for this pSize, 1 - p exact as a decimal literal."""
        return P_LEVELS[self.p_size]

    def to_json(self) -> dict[str, Any]:
        """The wire body again (filter as the API's JSON)."""
        from ..jsonio import to_json

        return {"filter": to_json(self.node), "pSize": self.p_size, "useInterquartile": self.use_interquartile}

    @classmethod
    def from_dsl(cls, text: str, p_size: str = "p95", use_interquartile: bool = False) -> OverviewRequest:
        """A request whose filter is DSL text (``'model ~ "gpt%" and cost > 0.01'``).

        Explicit on purpose: the wire format's ``filter`` is JSON only.
        """
        from ..dsl.parser import parse

        node = parse(text)
        return parse_request({"filter": node, "pSize": p_size, "useInterquartile": use_interquartile})


class _Envelope(BaseModel):
    """The body's shape without the filter (which from_json checks with better messages)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    filter: Any
    pSize: PSize
    useInterquartile: StrictBool


def _rebase(err: FilterError, prefix: str) -> FilterError:
    """Re-root an error's JSON path under ``prefix`` (from_json paths start at ``$``)."""
    if err.path is not None and err.path.startswith("$"):
        err.path = prefix + err.path[1:]
    elif err.path is None and err.line is None:
        err.path = prefix
    err.args = (err._render(),)
    return err


def _shown(value: Any) -> str:
    """``value`` as JSON for a message, or its clipped repr when it has no JSON form."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError):  # a set, bytes, an object, a circular list
        text = repr(value)
        return f"{text if len(text) <= 60 else text[:57] + '...'} (not JSON)"


def _envelope_error(exc: ValidationError, body: Mapping[str, Any]) -> FilterSchemaError:
    first = exc.errors()[0]
    loc = [str(p) for p in first["loc"]]
    key = loc[0] if loc else ""
    path = "$" + "".join(f".{p}" for p in loc)
    etype = first["type"]
    if etype == "extra_forbidden":
        return FilterSchemaError(
            f"unknown key {json.dumps(key)} in the request body (it has exactly filter, pSize and useInterquartile)",
            path=path,
            suggestion=closest(key, _KEYS),
        )
    if etype == "missing":
        missing = [k for k in _KEYS if k not in body]
        return FilterSchemaError(
            "the request body needs filter, pSize and useInterquartile; missing: " + ", ".join(missing),
            path="$",
        )
    if key == "pSize":
        got = body.get("pSize")
        allowed = ", ".join(get_args(PSize))
        hint = closest(got, get_args(PSize)) if isinstance(got, str) else None
        return FilterSchemaError(f"pSize must be one of {allowed}, not {_shown(got)}", path=path, suggestion=hint)
    if key == "useInterquartile":
        got = body.get("useInterquartile")
        return FilterSchemaError(f"useInterquartile must be true or false, not {_shown(got)}", path=path)
    return FilterSchemaError(first["msg"], path=path)


class _Duplicated(dict[str, Any]):
    """A JSON object in which ``key`` appeared more than once (json.loads would keep the last)."""

    key: str = ""


def _pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in items:
        if k in out and not isinstance(out, _Duplicated):
            out = _Duplicated(out)
            out.key = k
        out.setdefault(k, v)
    return out


def _duplicate_path(root: Any) -> tuple[str, str] | None:
    """The JSON path of the first duplicated key, in document order (an explicit stack, no recursion)."""
    from ..jsonio import path_join

    stack: list[tuple[Any, str]] = [(root, "$")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _Duplicated):
            return path_join(path, value.key), value.key
        if isinstance(value, dict):
            stack.extend((v, path_join(path, k)) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((v, path_join(path, i)) for i, v in reversed(list(enumerate(value))))
    return None


def _loads_body(text: str | bytes | bytearray) -> Any:
    """JSON text as RFC 8259 reads it strictly: a duplicated key anywhere is an error with its path."""
    try:
        if isinstance(text, bytes | bytearray):
            text = bytes(text).decode("utf-8")
        body = json.loads(text, object_pairs_hook=_pairs)
    except UnicodeDecodeError as e:
        raise FilterSyntaxError(
            f"the request body is not UTF-8 text ({e.reason} at byte {e.start})", path="$"
        ) from None
    except json.JSONDecodeError as e:
        raise FilterSyntaxError(f"the request body is not valid JSON: {e.msg}", line=e.lineno, column=e.colno) from None
    except RecursionError:
        raise FilterSyntaxError("the request body is nested too deeply to read", path="$") from None
    except ValueError as e:  # Python refuses integers of more than 4300 digits
        raise FilterSyntaxError(f"the request body is not valid JSON: {_first(e)}", path="$") from None
    dup = _duplicate_path(body)
    if dup is not None:
        path, key = dup
        raise FilterSchemaError(f"duplicate key {json.dumps(key)} in a JSON object (one would be lost)", path=path)
    return body


def _first(exc: BaseException) -> str:
    return str(exc).split(";")[0]


def parse_request(body: Any, *, coerce: bool = False) -> OverviewRequest:
    """Validate a request body: a dict, JSON text/bytes, or an :class:`OverviewRequest`.

    Raises a :class:`FilterError` subclass whose path starts at the body. ``coerce=True``
    reads the filter with :func:`filterlang.from_json`'s ``coerce`` (numeric and boolean
    strings, as upstream's request validation accepts them).
    """
    if isinstance(body, OverviewRequest):
        return body
    if isinstance(body, str | bytes | bytearray):
        body = _loads_body(body)
    if not isinstance(body, Mapping):
        raise FilterSchemaError(
            f"the request body must be a JSON object with filter, pSize and useInterquartile, not "
            f"{type(body).__name__}",
            path="$",
        )
    try:
        env = _Envelope.model_validate(dict(body))
    except ValidationError as e:
        raise _envelope_error(e, body) from None
    raw = env.filter
    node: Node
    if isinstance(raw, FilterLeaf | FilterBranch):
        node = raw
    elif isinstance(raw, str) and raw != ALL:
        raise FilterSchemaError(
            f'expected "all", a leaf object or a branch object, not the string {json.dumps(raw)[:80]} '
            "(DSL text goes through OverviewRequest.from_dsl)",
            path="$.filter",
        )
    else:
        from ..jsonio import from_json

        try:
            node = from_json(raw, coerce=coerce)
        except FilterError as e:
            raise _rebase(e, "$.filter") from None
    return OverviewRequest.model_validate(
        {"filter": node, "pSize": env.pSize, "useInterquartile": env.useInterquartile}
    )
