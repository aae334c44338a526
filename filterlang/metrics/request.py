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
import sys
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, StrictBool, ValidationError
from pydantic import Field as PField

from ..errors import FilterError, FilterSchemaError, FilterSyntaxError, closest
from ..limits import DEFAULT_LIMITS
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


def _loads_body(text: str | bytes | bytearray) -> Any:
    """JSON text read strictly by the filter reader's rules (:func:`filterlang.jsonio.loads`: a
    duplicated key anywhere is an error with its path, nesting measured before parsing), with
    one more level for the envelope; no length bound of its own (the filter inside is judged
    by :func:`filterlang.from_json`, which names its limits)."""
    from ..jsonio import loads

    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise FilterSyntaxError(
                f"the request body is not UTF-8 text ({e.reason} at byte {e.start})", path="$"
            ) from None
    envelope = replace(DEFAULT_LIMITS, max_depth=DEFAULT_LIMITS.max_depth + 1, max_length=sys.maxsize)
    try:
        return loads(text, limits=envelope)
    except FilterSyntaxError as e:
        raise FilterSyntaxError(
            f"the request body is not valid JSON: {e.message.removeprefix('invalid JSON: ')}",
            line=e.line,
            column=e.column,
        ) from None


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
