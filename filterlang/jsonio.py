"""The API's JSON <-> AST, losslessly, for trees of any shape within the limits.

Why not ``TypeAdapter(UserFilterNode).validate_python``: pydantic validates recursively,
so a few hundred levels of branches hit its recursion guard, and its union errors name
internal validator tags instead of the JSON path a user needs. Here the tree is walked
with an explicit stack (no depth is too deep to *reject* cleanly), each leaf is checked
against the registry with messages that name the JSON path and the closest valid name,
and nodes are built with :func:`filterlang.nodes.construct`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from .errors import FilterError, FilterLimitError, FilterSchemaError, FilterSyntaxError, closest
from .fields import FIELDS_BY_TABLE, OP_ATTR, TABLES, Field, Kind
from .limits import DEFAULT_LIMITS, Limits, check_length, exceeded
from .nodes import (
    ALL,
    OPS_MODELS,
    TABLE_MODELS,
    FilterBranch,
    FilterLeaf,
    Node,
    as_node,
    branch,
    construct,
    dump,
)
from .typecheck import op_error, text_error, value_error, wrong_table_hint

BRANCH_KEYS = ("left", "operator", "right")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
# A JSON string, or an unterminated one running to the end of the text. Possessive
# quantifiers: a match never gives characters back, so a long run of ``\"`` costs one
# pass instead of one pass per quote (the old pattern was quadratic there).
_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]++")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# A leaf adds up to five JSON levels below its branch: leaf, table, field, map key, operators.
_LEAF_LEVELS = 5


def path_join(path: str, key: object) -> str:
    if not isinstance(key, str):
        return f"{path}[{key!r}]"
    if _IDENT.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key, ensure_ascii=text_error(key) is not None)}]"


# While converting, a JSON path is kept as (parent, key) pairs and spelled out only for
# an error message: building every path string up front cost a third of from_json.
Path = str | tuple[Any, object]


def _render(path: Path) -> str:
    keys: list[object] = []
    while isinstance(path, tuple):
        path, key = path
        keys.append(key)
    for key in reversed(keys):
        path = path_join(path, key)
    return path


def _err(path: Path, message: str, suggestion: str | None = None) -> FilterSchemaError:
    return FilterSchemaError(message, path=_render(path), suggestion=suggestion)


# ---------------------------------------------------------------- JSON text


def loads(text: str | bytes | bytearray | memoryview, *, limits: Limits = DEFAULT_LIMITS) -> Any:
    """JSON text -> Python value, strictly (RFC 8259), for any JSON document we accept.

    UTF-8 bytes or str; a duplicated key anywhere is a :class:`FilterSchemaError` naming
    its path; nesting is measured (in linear time) before ``json.loads`` recurses, so
    deep input is a :class:`FilterLimitError` (``limits.max_depth`` plus the five levels
    of a leaf), never a RecursionError. For documents that *hold* a filter, such as a
    request body, give ``limits`` one more level of ``max_depth``.
    """
    if not isinstance(text, str):
        text = _decode(text)
    check_length(limits, text, "the JSON input")
    # json.loads recurses per nesting level; measure nesting before handing it over.
    max_nest = limits.max_depth + _LEAF_LEVELS
    if text.count("{") + text.count("[") > max_nest:
        depth = max_depth_of(text)
        if depth > max_nest:
            raise exceeded(limits, "max_depth", depth - _LEAF_LEVELS, "the JSON text (branches plus a leaf)")

    dups: list[_Duplicate] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in items:
            if k in out and not dups:
                # Marked here and reported after the parse, when the key's path is known.
                dup = _Duplicate(out)
                dup.duplicate = k
                dups.append(dup)
                out = dup
            out[k] = v
        return out

    try:
        value = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise FilterSyntaxError(f"invalid JSON: {exc.msg}", text=text, line=exc.lineno, column=exc.colno) from None
    except FilterError:
        raise
    except ValueError:  # Python refuses to read integers of more than 4300 digits
        raise FilterSchemaError(
            "a JSON integer is too long to read (over 4300 digits); the API's numbers are 64-bit"
        ) from None
    except RecursionError:  # pragma: no cover - the pre-scan above bounds nesting
        raise FilterLimitError("JSON nesting too deep", limit="max_depth", value=-1, maximum=limits.max_depth) from None
    if dups:
        path, obj = _find_first(value, lambda v: isinstance(v, _Duplicate))
        raise _err(
            (path, obj.duplicate), f"duplicate key {json.dumps(obj.duplicate)} in a JSON object (one would be lost)"
        )
    return value


def _decode(data: bytes | bytearray | memoryview) -> str:
    try:
        return bytes(data).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FilterSchemaError(
            f"the JSON text is not valid UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
            "JSON travels as UTF-8 (RFC 8259)",
            path="$",
        ) from None


class _Duplicate(dict[str, Any]):
    """An object of the parsed JSON that repeated ``duplicate`` (found by the pairs hook)."""

    duplicate: str = ""


def _find_first(root: Any, pred: Callable[[Any], bool]) -> tuple[Path, Any]:
    """Path and value of the first (document order) value matching ``pred``, iteratively."""
    stack: list[tuple[Any, Path]] = [(root, "$")]
    while stack:
        v, path = stack.pop()
        if pred(v):
            return path, v
        if isinstance(v, dict):
            stack.extend(((x, (path, k)) for k, x in reversed(v.items())))
        elif isinstance(v, list):
            stack.extend(((x, (path, i)) for i, x in reversed(list(enumerate(v)))))
    raise LookupError("no such value")  # pragma: no cover - callers know one exists


def max_depth_of(text: str) -> int:
    """Deepest ``[``/``{`` nesting of JSON text, ignoring brackets inside strings.

    Linear in the text: strings are removed by one possessive regex pass, everything
    but brackets by another, and the running depth is summed in C by ``accumulate``.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


# ---------------------------------------------------------------- JSON value -> AST


def from_json(value: Any, *, limits: Limits = DEFAULT_LIMITS, coerce: bool = False) -> Node:
    """Read the API's ``UserFilterNode`` JSON into the typed AST.

    ``value`` is a parsed JSON value (dict or the string ``"all"``), JSON text (``str``
    or UTF-8 ``bytes``), or a node (returned unchanged). Raises :class:`FilterSyntaxError`
    for unreadable JSON text, :class:`FilterSchemaError` (a :class:`FilterTypeError`)
    naming the JSON path for anything the contract does not accept, and
    :class:`FilterLimitError`.

    ``coerce=True`` also accepts what upstream's request validation converts before
    it looks at a filter: a numeric string for a number field (``{"status": {"equals":
    "200"}}``, which upstream's "copy as curl" produces) and ``"true"``/``"false"`` for
    a boolean field. The AST holds the converted value; :func:`read_json` also says
    where conversions happened, and ``filterlang.check(..., coerce=True)`` warns.
    """
    return read_json(value, limits=limits, coerce=coerce)[0]


@dataclass(frozen=True, slots=True)
class Coercion:
    """One value ``from_json(..., coerce=True)`` converted: where, what came, what it became."""

    path: str
    given: str
    value: int | float | bool

    def __str__(self) -> str:
        return f"{self.path}: the string {json.dumps(self.given)} was read as {json.dumps(self.value)}"


def read_json(
    value: Any, *, limits: Limits = DEFAULT_LIMITS, coerce: bool = False
) -> tuple[Node, tuple[Coercion, ...]]:
    """:func:`from_json`, plus the list of values it coerced (empty unless ``coerce``)."""
    if isinstance(value, FilterLeaf | FilterBranch):
        return value, ()
    if isinstance(value, bytes | bytearray | memoryview):
        value = _decode(value)
    if isinstance(value, str):
        stripped = value.strip()
        if stripped == ALL:
            return ALL, ()
        if stripped.isidentifier():  # a bare word is not JSON; say what would be
            raise _err("$", f'expected "all" or a JSON object, not the bare word {stripped}', closest(stripped, [ALL]))
        value = loads(value, limits=limits)
    coerced: list[Coercion] | None = [] if coerce else None
    node = _convert(value, limits, coerced)
    return node, tuple(coerced or ())


def _convert(root: Any, limits: Limits, coerced: list[Coercion] | None) -> Node:
    out: list[Node] = []
    # (value, path, depth, operator) — operator set means "both children are built".
    stack: list[tuple[Any, Path, int, str | None]] = [(root, "$", 1, None)]
    count = 0
    while stack:
        v, path, depth, op = stack.pop()
        if op is not None:
            right = out.pop()
            left = out.pop()
            out.append(branch(left, op, right))  # type: ignore[arg-type]  # checked when pushed
            continue
        count += 1
        if count > limits.max_nodes:
            raise exceeded(limits, "max_nodes", count, "the filter", path=_render(path))
        if depth > limits.max_depth:
            raise exceeded(limits, "max_depth", depth, "the filter", path=_render(path))
        if isinstance(v, str):
            if v == ALL:
                out.append(ALL)
                continue
            raise _err(
                path,
                f'expected "all", a leaf object or a branch object, not the string {_show(v)}',
                closest(v, [ALL]),
            )
        if not isinstance(v, dict):
            raise _err(path, f'expected "all", a leaf object or a branch object, not {json_kind(v)}')
        if "left" in v or "operator" in v or "right" in v:  # BRANCH_KEYS, unrolled
            for k in v:
                if k not in BRANCH_KEYS:
                    _check_key(k, path)
                    raise _err(
                        (path, k),
                        f"unknown key {json.dumps(k)} in a branch (a branch has exactly left, operator, right)",
                        closest(k, BRANCH_KEYS),
                    )
            missing = [k for k in BRANCH_KEYS if k not in v]
            if missing:
                raise _err(path, "a branch needs left, operator and right; missing: " + ", ".join(missing))
            oper = v["operator"]
            if oper not in ("and", "or") or not isinstance(oper, str):
                hint = closest(oper, ["and", "or"]) if isinstance(oper, str) else None
                raise _err((path, "operator"), f'operator must be "and" or "or", not {_show(oper)}', hint)
            stack.append((v, path, depth, str.__str__(oper)))
            stack.append((v["right"], (path, "right"), depth + 1, None))
            stack.append((v["left"], (path, "left"), depth + 1, None))
        else:
            out.append(_leaf(v, path, coerced))
    assert len(out) == 1
    return out[0]


def _check_key(k: object, path: Path) -> None:
    """JSON object keys are strings; a Python dict handed in may hold anything.

    Called only once a key has failed its lookup, so valid input pays nothing.
    """
    if not isinstance(k, str):
        raise _err((path, k), f"object keys must be strings (JSON), not {_show_key(k)}")


def _show_key(k: object) -> str:
    if k is None:
        return "null"
    if isinstance(k, bool | int | float):
        return f"{json_kind(k)} ({json.dumps(k)})"
    return f"{json_kind(k)} ({type(k).__name__})"


def json_kind(v: Any) -> str:
    """What a JSON value is, in words for an error message (\"a string\", \"an array\"...)."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int | float):
        return "a number"
    if isinstance(v, list):
        return "an array"
    if isinstance(v, dict):
        return "an object"
    if isinstance(v, str):
        return "a string"
    return f"a Python {type(v).__name__}"


def _show(v: Any) -> str:
    if isinstance(v, str | int | float | bool) or v is None:
        try:
            return json.dumps(v)[:80]
        except (TypeError, ValueError):  # pragma: no cover - a hostile subclass
            pass
    return json_kind(v)


def _leaf(v: dict[str, Any], path: Path, coerced: list[Coercion] | None) -> FilterLeaf:
    tables: dict[str, Any] = {}
    for tname, tval in v.items():
        tpath = (path, tname)
        if tname not in TABLES:
            _check_key(tname, path)
            from .fields import FIELDS

            if tname in FIELDS:
                t = FIELDS[tname].table
                raise _err(tpath, f'`{tname}` is a field, not a table; write {{"{t}": {{"{tname}": {{...}}}}}}')
            raise _err(
                tpath,
                f"unknown key {_show(tname)} in a leaf (a leaf has request_response_rmt and/or users_view)",
                closest(tname, [*TABLES, *BRANCH_KEYS]),
            )
        if not isinstance(tval, dict):
            raise _err(tpath, f"expected an object of fields, not {json_kind(tval)}")
        fields: dict[str, Any] = {}
        decls = FIELDS_BY_TABLE[tname]
        for fname, fval in tval.items():
            fpath = (tpath, fname)
            f = decls.get(fname)
            if f is None:
                _check_key(fname, tpath)
                hint = wrong_table_hint(tname, fname)
                raise _err(fpath, hint or f"unknown field {_show(fname)} in {tname}", closest(fname, decls))
            if not isinstance(fval, dict):
                raise _err(fpath, f"expected an object of operators, not {json_kind(fval)}")
            if f.kind is Kind.MAP:
                keys: dict[str, Any] = {}
                for key, ops in fval.items():
                    _check_key(key, fpath)
                    reason = text_error(key)
                    if reason is not None:
                        raise _err((fpath, key), f"map key: {reason}")
                    keys[str.__str__(key)] = _ops(f, ops, (fpath, key), coerced)
                fields[f.attr] = keys
            else:
                fields[f.attr] = _ops(f, fval, fpath, coerced)
        tables[str.__str__(tname)] = construct(TABLE_MODELS[tname], fields)
    return construct(FilterLeaf, tables)


# Numbers as upstream's request validation reads them from strings (ASCII digits,
# optional sign, optional fraction and exponent); anything else stays a type error.
_NUMERIC = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_BOOLEAN_WORDS = {"true": True, "false": False}


def _coerce(f: Field, val: str) -> int | float | bool | None:
    """The value a numeric or boolean string stands for under ``coerce=True``, or None."""
    if f.value_kind is Kind.NUMBER and len(val) <= 400 and _NUMERIC.fullmatch(val):
        if _INTEGER.fullmatch(val):
            return int(val)
        number = float(val)
        return number if math.isfinite(number) else None
    if f.value_kind is Kind.BOOLEAN:
        return _BOOLEAN_WORDS.get(val.lower())
    return None


def _ops(f: Field, ops: Any, path: Path, coerced: list[Coercion] | None) -> Any:
    if not isinstance(ops, dict):
        raise _err(path, f"expected an object of operators, not {json_kind(ops)}")
    vals: dict[str, Any] = {}
    for op, val in ops.items():
        if op not in f.operators:
            _check_key(op, path)
            raise _err((path, op), op_error(f, op) or "", closest(op, f.operators))
        if coerced is not None and type(val) is str:
            as_value = _coerce(f, val)
            if as_value is not None:
                coerced.append(Coercion(_render((path, op)), val, as_value))
                val = as_value
        reason = value_error(f, val)
        if reason is not None:
            raise _err((path, op), reason)
        vals[OP_ATTR[op]] = val
    if f.kind is Kind.PROPERTY_KEY and "equals" not in vals:
        raise _err(path, 'property_key needs {"equals": KEY}')
    return construct(OPS_MODELS[f.kind], vals)


# ---------------------------------------------------------------- AST -> JSON value


def to_json(node: Node) -> Any:
    """The API's JSON for ``node``: plain dicts, lists, str, numbers and bools.

    Exactly the keys that were set come back (an empty leaf stays ``{}``, ``"all"``
    stays ``"all"``), so ``to_json(from_json(j)) == j`` for every valid ``j``.
    """
    out: list[Any] = []
    stack: list[tuple[Node, bool]] = [(as_node(node), False)]
    while stack:
        n, built = stack.pop()
        if isinstance(n, FilterBranch):
            if built:
                right = out.pop()
                left = out.pop()
                out.append({"left": left, "operator": n.operator, "right": right})
            else:
                stack.append((n, True))
                stack.append((n.right, False))
                stack.append((n.left, False))
        elif isinstance(n, FilterLeaf):
            out.append(dump(n))
        elif n == ALL:
            out.append(ALL)
        else:
            as_node(n)  # a foreign object inside a branch: FilterTypeError saying what it is
            raise AssertionError(n)
    return out[0]


def json_schema() -> dict[str, Any]:
    """JSON Schema of ``UserFilterNode`` as pydantic generates it from the models."""
    from pydantic import TypeAdapter

    from .nodes import UserFilterNode

    return TypeAdapter(UserFilterNode).json_schema()
