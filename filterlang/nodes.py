"""The typed AST: pydantic models that *are* the API's ``UserFilterNode``.

    UserFilterNode = "all" | FilterLeaf | FilterBranch

The operator and table models live in :mod:`filterlang._models`, generated from the
registry in :mod:`filterlang.fields` by ``scripts/gen_models.py``, so the JSON names,
operator sets and value types cannot drift from it and type checkers see every field.
Every optional property may be *absent*, never *null* (:data:`filterlang.values.Absent`).

Nodes are frozen. Code that builds trees inside filterlang uses :func:`construct`, which
skips validation because the values were type-checked already (that keeps DSL parsing
fast); anything arriving from outside goes through :mod:`filterlang.jsonio`.

Reading a tree: :func:`iter_conditions` (every :class:`Condition`, left to right),
:func:`iter_leaves` / :meth:`FilterLeaf.conditions` (per leaf), :func:`flatten` (n-ary
and/or). Backends use these, never a model's ``__dict__``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias, TypeVar, Union

from pydantic import BaseModel

from ._models import (
    BooleanOperators,
    NumberOperators,
    PropertyKeyOperators,
    RequestResponseFilter,
    TextOperators,
    TimestampOperators,
    UsersViewFilter,
)
from .fields import FIELDS, FIELDS_BY_TABLE, OP_ATTR, REQUESTS, USERS_VIEW, Field, Kind
from .values import INT64_MAX, PLAIN_TYPES, Absent, Model, plain_type_error

__all__ = [
    "ALL",
    "INT64_MAX",
    "OPS_MODELS",
    "TABLE_MODELS",
    "BooleanOperators",
    "Condition",
    "FilterBranch",
    "FilterLeaf",
    "Flat",
    "Node",
    "NumberOperators",
    "PropertyKeyOperators",
    "RequestResponseFilter",
    "TextOperators",
    "TimestampOperators",
    "UserFilterNode",
    "UsersViewFilter",
    "Value",
    "as_node",
    "balanced",
    "branch",
    "conditions_to_leaf",
    "construct",
    "dump",
    "fields_used",
    "flat_depth",
    "flatten",
    "is_true",
    "iter_conditions",
    "iter_leaves",
    "leaf_conditions",
    "leaf_of",
    "make_leaf",
    "shape",
    "uses_table",
]

OPS_MODELS: dict[Kind, type[Model]] = {
    Kind.TEXT: TextOperators,
    Kind.NUMBER: NumberOperators,
    Kind.TIMESTAMP: TimestampOperators,
    Kind.BOOLEAN: BooleanOperators,
    Kind.MAP: TextOperators,
    Kind.PROPERTY_KEY: PropertyKeyOperators,
}
TABLE_MODELS: dict[str, type[Model]] = {REQUESTS: RequestResponseFilter, USERS_VIEW: UsersViewFilter}


class FilterLeaf(Model):
    """A leaf: conditions on the request table and/or the per-user view, all ANDed.

    The empty leaf ``{}`` means TRUE, like ``"all"``.
    """

    request_response_rmt: Absent[RequestResponseFilter] = None
    users_view: Absent[UsersViewFilter] = None

    def conditions(self) -> list[Condition]:
        """The leaf's atomic conditions, in declaration order (tables, fields, operators)."""
        return leaf_conditions(self)


class FilterBranch(Model):
    """``left AND right`` or ``left OR right``.

    ``==`` and ``repr`` are iterative here: pydantic's own recurse once per level and
    would hit Python's recursion limit on trees deeper than a few hundred levels, which
    a caller may allow with a larger ``Limits.max_depth``.
    """

    left: UserFilterNode
    operator: Literal["and", "or"]
    right: UserFilterNode

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FilterBranch):
            return NotImplemented
        stack: list[tuple[Any, Any]] = [(self, other)]
        while stack:
            a, b = stack.pop()
            if a is b:
                continue
            if isinstance(a, FilterBranch) and isinstance(b, FilterBranch):
                if a.operator != b.operator:
                    return False
                stack.append((a.right, b.right))
                stack.append((a.left, b.left))
            elif isinstance(a, FilterBranch) or isinstance(b, FilterBranch) or a != b:
                return False
        return True

    __hash__ = None  # type: ignore[assignment]  # leaves hold dicts; nodes are compared, not hashed

    def __repr__(self) -> str:
        depth, count = shape(self)
        if depth <= 50:
            return super().__repr__()
        summary = f"<{count} nodes, depth {depth}>"
        if count > _REPR_PREVIEW_NODES:  # printing all of it to show 200 characters is not worth seconds
            return f"FilterBranch({summary})"
        from .dsl.printer import to_dsl

        text = to_dsl(self)
        return f"FilterBranch({summary}: {text[:200]}{'…' if len(text) > 200 else ''})"


_REPR_PREVIEW_NODES = 5_000

ALL: Literal["all"] = "all"
UserFilterNode: TypeAlias = Union[FilterLeaf, FilterBranch, Literal["all"]]  # noqa: UP007
Node: TypeAlias = UserFilterNode
FilterBranch.model_rebuild()

Value: TypeAlias = str | int | float | bool


@dataclass(frozen=True, slots=True)
class Condition:
    """One atomic test: ``field[key] op value``. The unit the backends compile.

    ``key`` is set only for map fields (properties, search_properties, scores).
    """

    field: str
    op: str
    value: Value
    key: str | None = None

    @property
    def decl(self) -> Field:
        return FIELDS[self.field]

    @property
    def table(self) -> str:
        return FIELDS[self.field].table

    @property
    def kind(self) -> Kind:
        """The field's kind (text, number, timestamp, boolean, map, property_key)."""
        return FIELDS[self.field].kind


# ---------------------------------------------------------------- fast construction

M = TypeVar("M", bound=BaseModel)
_DEFAULTS: dict[type[BaseModel], dict[str, Any]] = {}
_new = object.__new__


def _slot_setter(name: str) -> Callable[[Any, Any], None]:
    """The slot's own setter (a third faster than ``object.__setattr__`` by name)."""
    descriptor = BaseModel.__dict__.get(name)
    if descriptor is not None and hasattr(descriptor, "__set__"):
        return descriptor.__set__  # type: ignore[no-any-return]
    return lambda m, v: object.__setattr__(m, name, v)  # pragma: no cover - another pydantic layout


_set_dict = _slot_setter("__dict__")
_set_fields_set = _slot_setter("__pydantic_fields_set__")
_set_extra = _slot_setter("__pydantic_extra__")
_set_private = _slot_setter("__pydantic_private__")


def construct(cls: type[M], values: dict[str, Any]) -> M:
    """Build a frozen model from already-checked values, without validation.

    Equivalent to ``cls.model_construct(**values)`` (fields_set = the given names, so
    ``to_json`` emits exactly them) but several times faster for the wide table models,
    which matters because the DSL parser builds three per leaf.
    """
    if len(values) == 1:
        ((attr, value),) = values.items()
        return _one(cls, _proto(cls, attr), attr, value)
    defaults = _DEFAULTS.get(cls)
    if defaults is None:
        defaults = _DEFAULTS[cls] = {name: f.default for name, f in cls.model_fields.items()}
    # The given fields first, in the caller's order (the JSON's key order survives the
    # round trip; upstream gives meaning to "the first field"), then the unset defaults.
    d = dict(values)
    d.update(defaults)
    d.update(values)
    return _make(cls, d, set(values))


def _make(cls: type[M], d: dict[str, Any], fields_set: set[str]) -> M:
    """A model instance from its finished ``__dict__``: what validation would have set."""
    m = _new(cls)
    _set_dict(m, d)
    _set_fields_set(m, fields_set)
    _set_extra(m, None)
    _set_private(m, None)
    return m


_PLAIN = PLAIN_TYPES


def _plain_condition(value: Any, key: str | None) -> tuple[Value, str | None]:
    """``(value, key)`` checked to be plain ``str``/``int``/``float``/``bool`` and ``str``.

    The builders skip validation, so this is their one door check (the same rule as
    from_json and the models, :func:`filterlang.values.plain_type_error`): an ``IntEnum``
    or a numpy scalar in a leaf would print as DSL that does not parse and miss the SQL
    compiler's type tables.
    """
    reason = plain_type_error(value)
    if reason is None and key is not None and type(key) is not str:
        reason = f"a map key must be a plain str, not {type(key).__module__}.{type(key).__qualname__}"
    if reason is not None:
        from .errors import FilterTypeError

        raise FilterTypeError(reason)
    return value, key


def make_leaf(cond: Condition) -> FilterLeaf:
    """A leaf holding exactly one condition (what the DSL produces for each comparison)."""
    return leaf_of(cond.field, cond.op, cond.value, cond.key)


# (model, attribute) -> the model's __dict__ with that attribute first and every other
# field at its default: one dict copy builds a single-field model in stored order.
_PROTOS: dict[tuple[type[BaseModel], str], dict[str, Any]] = {}


def _proto(cls: type[BaseModel], attr: str) -> dict[str, Any]:
    proto = _PROTOS.get((cls, attr))
    if proto is None:
        proto = _PROTOS[(cls, attr)] = {attr: None, **{n: f.default for n, f in cls.model_fields.items() if n != attr}}
    return proto


def _one(cls: type[M], proto: dict[str, Any], attr: str, value: Any) -> M:
    """``construct(cls, {attr: value})``, the shape every DSL leaf is made of."""
    d = proto.copy()
    d[attr] = value
    return _make(cls, d, {attr})


# (field, operator) -> everything leaf_of needs, looked up once per leaf.
_LEAF_PLANS: dict[tuple[str, str], tuple[Any, ...]] = {}


def leaf_of(field_name: str, op: str, value: Value, key: str | None = None) -> FilterLeaf:
    """``make_leaf`` without the Condition object (the DSL's hot path)."""
    if value.__class__ not in _PLAIN or (key is not None and key.__class__ is not str):
        _plain_condition(value, key)
    plan = _LEAF_PLANS.get((field_name, op))
    if plan is None:
        f = FIELDS[field_name]
        ops_cls, table_cls, op_attr = OPS_MODELS[f.kind], TABLE_MODELS[f.table], OP_ATTR[op]
        plan = _LEAF_PLANS[(field_name, op)] = (
            ops_cls,
            _proto(ops_cls, op_attr),
            op_attr,
            table_cls,
            _proto(table_cls, f.attr),
            f.attr,
            _proto(FilterLeaf, f.table),
            f.table,
        )
    ops_cls, ops_proto, op_attr, table_cls, table_proto, attr, leaf_proto, table = plan
    ops = _one(ops_cls, ops_proto, op_attr, value)
    tmodel = _one(table_cls, table_proto, attr, {key: ops} if key is not None else ops)
    return _one(FilterLeaf, leaf_proto, table, tmodel)


def branch(left: Node, operator: Literal["and", "or"], right: Node) -> FilterBranch:
    """``construct`` specialised for the one model with no defaults (the hot path of chains)."""
    return _make(FilterBranch, {"left": left, "operator": operator, "right": right}, {"left", "operator", "right"})


def balanced(operator: Literal["and", "or"], items: list[Node]) -> Node:
    """Join ``items`` with ``operator`` as a balanced tree (depth log2 n).

    Chains are balanced, not left-deep, so a 10,000-term ``or`` stays 14 levels deep:
    the stdlib ``json`` module, pydantic's own ``repr``/``model_dump`` and sqlglot all
    recurse and would fail on a 10,000-deep tree. The split point is fixed (left half
    gets the extra item) so the printer can recognise a chain and print it flat.
    """
    if not items:
        raise ValueError("balanced() needs at least one item")

    # Recursion depth here is log2 n; an iterative bottom-up pairing would change the shape.
    def build(lo: int, hi: int) -> Node:
        n = hi - lo
        if n == 1:
            return items[lo]
        if n == 2:
            return branch(items[lo], operator, items[lo + 1])
        mid = (lo + hi + 1) // 2
        return branch(build(lo, mid), operator, build(mid, hi))

    return build(0, len(items))


# ---------------------------------------------------------------- reading leaves


_FIELD_BY_ATTR: dict[str, dict[str, Field]] = {t: {f.attr: f for f in fs.values()} for t, fs in FIELDS_BY_TABLE.items()}
_OP_BY_ATTR: dict[str, str] = {attr: op for op, attr in OP_ATTR.items()}


def leaf_conditions(leaf: FilterLeaf) -> list[Condition]:
    """The leaf's conditions in the order its JSON had them (declaration order for
    models built by pydantic validation)."""
    out: list[Condition] = []
    for table, tmodel in leaf.__dict__.items():
        if tmodel is None:
            continue
        by_attr = _FIELD_BY_ATTR[table]
        for attr, fval in tmodel.__dict__.items():
            if fval is None:
                continue
            f = by_attr[attr]
            if f.kind is Kind.MAP:
                for key, ops in fval.items():
                    out.extend(_ops_conditions(f, ops, key))
            else:
                out.extend(_ops_conditions(f, fval, None))
    return out


def _ops_conditions(f: Field, ops: BaseModel, key: str | None) -> Iterator[Condition]:
    for attr, v in ops.__dict__.items():
        if v is not None:
            yield Condition(f.name, _OP_BY_ATTR[attr], v, key)


_ALIASES: dict[type[BaseModel], dict[str, str]] = {}


def dump(model: BaseModel) -> dict[str, Any]:
    """A leaf (or table / operator model) as JSON, keys in stored order, set fields only.

    Like ``model_dump(by_alias=True, exclude_unset=True)``, but pydantic emits fields in
    declaration order, and the lossless round trip needs the input's order.
    """
    aliases = _ALIASES.get(type(model))
    if aliases is None:
        aliases = _ALIASES[type(model)] = {n: f.alias or n for n, f in type(model).model_fields.items()}
    fields_set = model.__pydantic_fields_set__
    out: dict[str, Any] = {}
    for attr, v in model.__dict__.items():
        if attr not in fields_set:
            continue
        if isinstance(v, BaseModel):
            v = dump(v)
        elif isinstance(v, dict):
            v = {k: dump(x) for k, x in v.items()}
        out[aliases[attr]] = v
    return out


def as_node(value: Any) -> Node:
    """``value`` as a filter node, or a FilterTypeError saying what to call instead.

    Every backend takes a node; a dict is read as the API's JSON. A string other than
    "all" is refused rather than guessed at (DSL or JSON text?): silently treating it as
    "no filter" would return every row.
    """
    if isinstance(value, FilterLeaf | FilterBranch) or value == ALL:
        return value  # type: ignore[no-any-return]
    if isinstance(value, dict):
        from .jsonio import from_json

        return from_json(value)
    from .errors import FilterTypeError

    hint = (
        " (DSL text? use filterlang.parse(text); JSON text? filterlang.from_json(text))"
        if isinstance(value, str)
        else ""
    )
    raise FilterTypeError(
        f"expected a filter node from filterlang.parse or filterlang.from_json, not {type(value).__name__}{hint}"
    )


def is_true(node: Node) -> bool:
    """True for the two spellings of "no filter": ``"all"`` and a leaf with no condition."""
    return node == ALL or (isinstance(node, FilterLeaf) and not leaf_conditions(node))


def iter_leaves(node: Node) -> Iterator[FilterLeaf]:
    """Leaves left to right, iteratively (trees from JSON may be deep)."""
    stack: list[Node] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, FilterBranch):
            stack.append(n.right)
            stack.append(n.left)
        elif isinstance(n, FilterLeaf):
            yield n


def iter_conditions(node: Node) -> Iterator[Condition]:
    for leaf in iter_leaves(node):
        yield from leaf_conditions(leaf)


def shape(node: Node) -> tuple[int, int]:
    """(depth, node count) of a tree, iteratively. A lone leaf or "all" has depth 1."""
    depth = count = 0
    stack: list[tuple[Node, int]] = [(node, 1)]
    while stack:
        n, d = stack.pop()
        count += 1
        depth = max(depth, d)
        if isinstance(n, FilterBranch):
            stack.append((n.right, d + 1))
            stack.append((n.left, d + 1))
    return depth, count


def uses_table(node: Node, table: str) -> bool:
    return any(c.table == table for c in iter_conditions(node))


def fields_used(node: Node) -> list[str]:
    seen: dict[str, None] = {}
    for c in iter_conditions(node):
        seen[c.field] = None
    return list(seen)


def conditions_to_leaf(conds: Iterable[Condition]) -> FilterLeaf:
    """A single leaf holding several conditions (the JSON's implicit AND).

    Raises ValueError when two conditions need the same (field, key, operator) slot,
    which one JSON leaf cannot hold.
    """
    tables: dict[str, dict[str, Any]] = {}
    for c in conds:
        value, key = _plain_condition(c.value, c.key)
        f = FIELDS[c.field]
        tvals = tables.setdefault(f.table, {})
        attr = c.op.replace("-", "_")
        if f.kind is Kind.MAP:
            m: dict[str, dict[str, Any]] = tvals.setdefault(f.name, {})
            slot = m.setdefault(key or "", {})
        else:
            slot = tvals.setdefault(f.name, {})
        if attr in slot:
            raise ValueError(f"two conditions for {c.field} {c.op} cannot share one leaf")
        slot[attr] = value
    built: dict[str, Any] = {}
    for table, tvals in tables.items():
        fvals: dict[str, Any] = {}
        for name, spec in tvals.items():
            f = FIELDS[name]
            ops_model = OPS_MODELS[f.kind]
            if f.kind is Kind.MAP:
                fvals[f.attr] = {k: construct(ops_model, v) for k, v in spec.items()}
            else:
                fvals[f.attr] = construct(ops_model, spec)
        built[table] = construct(TABLE_MODELS[table], fvals)
    return construct(FilterLeaf, built)


@dataclass(slots=True)
class Flat:
    """An n-ary AND/OR: chains of one operator are flattened so depth = alternations."""

    op: str
    items: list[Any]  # Flat | FilterLeaf | "all"


def flatten(node: Node) -> Flat | FilterLeaf | str:
    """Collapse same-operator chains into n-ary nodes, iteratively (any input depth)."""
    if not isinstance(node, FilterBranch):
        return node
    root = Flat(node.operator, [])
    # stack of (branch, target n-ary node); children with the same operator join it
    stack: list[tuple[Node, Flat]] = [(node.right, root), (node.left, root)]
    while stack:
        n, parent = stack.pop()
        if isinstance(n, FilterBranch):
            if n.operator == parent.op:
                stack.append((n.right, parent))
                stack.append((n.left, parent))
            else:
                child = Flat(n.operator, [])
                parent.items.append(child)
                stack.append((n.right, child))
                stack.append((n.left, child))
        else:
            parent.items.append(n)
    return root


def flat_depth(root: Flat | FilterLeaf | str) -> int:
    """Nesting of and/or alternations (a chain of one operator counts once)."""
    depth = 0
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        n, d = stack.pop()
        depth = max(depth, d)
        if isinstance(n, Flat):
            stack.extend((c, d + 1) for c in n.items)
    return depth
