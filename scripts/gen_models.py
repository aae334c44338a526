#!/usr/bin/env python3
"""Write ``filterlang/_models.py``: the AST's operator and table models, from the registry.

The registry (``filterlang/fields.py``) is the one place a field's facts live; this
script turns it into plain class definitions so mypy and editors see every field with
its type. ``tests/test_api.py`` fails while the checked-in file differs from what this
script writes, so a registry change cannot ship without regenerating.

    python scripts/gen_models.py          # rewrite the file
    python scripts/gen_models.py --check  # exit 1 if it is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "filterlang" / "_models.py"
sys.path.insert(0, str(ROOT))

from filterlang.fields import FIELDS_BY_TABLE, OP_ATTR, OPERATORS, REQUESTS, USERS_VIEW, Kind  # noqa: E402

# Kind -> (operator model, value type). MAP and PROPERTY_KEY are handled on their own.
OPERATOR_MODELS = {
    Kind.TEXT: ("TextOperators", "TextValue"),
    Kind.NUMBER: ("NumberOperators", "NumberValue"),
    Kind.TIMESTAMP: ("TimestampOperators", "TimestampValue"),
    Kind.BOOLEAN: ("BooleanOperators", "BooleanValue"),
}
TABLE_MODELS = {REQUESTS: "RequestResponseFilter", USERS_VIEW: "UsersViewFilter"}
FIELD_TYPES = {
    **{kind: f"Absent[{model}]" for kind, (model, _) in OPERATOR_MODELS.items()},
    Kind.MAP: "Absent[dict[str, TextOperators]]",
    Kind.PROPERTY_KEY: "Absent[PropertyKeyOperators]",
}

HEADER = '''"""The AST's operator and table models, generated from ``filterlang/fields.py``.

DO NOT EDIT: run ``python scripts/gen_models.py`` after changing the registry
(``tests/test_api.py`` fails while this file is stale). Every property is
:data:`~filterlang.values.Absent`: it reads as None when the JSON does not have it,
and is never ``null`` in JSON.
"""

from __future__ import annotations

from pydantic import Field

from .values import Absent, BooleanValue, Model, NumberValue, TextValue, TimestampValue

__all__ = [
{names}
]
'''


def _attr(name: str, annotation: str, json_name: str) -> str:
    if name == json_name:
        return f"    {name}: {annotation} = None"
    return f'    {name}: {annotation} = Field(default=None, alias="{json_name}")'


def render() -> str:
    """The text ``filterlang/_models.py`` must have."""
    classes: list[str] = []
    names: list[str] = []
    for kind, (model, value) in OPERATOR_MODELS.items():
        ops = OPERATORS[kind]
        lines = [f"class {model}(Model):", f'    """Operators of a {kind.value} field: {", ".join(ops)}."""', ""]
        lines += [_attr(OP_ATTR[op], f"Absent[{value}]", op) for op in ops]
        classes.append("\n".join(lines))
        names.append(model)
    classes.append(
        "\n".join(
            [
                "class PropertyKeyOperators(Model):",
                '    """``{"equals": KEY}``: the request\'s properties map has KEY."""',
                "",
                "    equals: TextValue",
            ]
        )
    )
    names.append("PropertyKeyOperators")
    for table, model in TABLE_MODELS.items():
        lines = [
            f"class {model}(Model):",
            f'    """Conditions on `{table}`, all ANDed; every field is optional."""',
            "",
        ]
        lines += [_attr(f.attr, FIELD_TYPES[f.kind], f.name) for f in FIELDS_BY_TABLE[table].values()]
        classes.append("\n".join(lines))
        names.append(model)
    header = HEADER.format(names="\n".join(f'    "{n}",' for n in sorted(names)))
    return header + "\n\n" + "\n\n\n".join(classes) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET.relative_to(ROOT)} is stale: run python scripts/gen_models.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
