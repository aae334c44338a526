"""The examples in docs/ are executed: what the docs say is what the code does."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import filterlang as fl

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAIR = re.compile(
    r"```filterlang\n(?P<dsl>.*?)\n```\n```json\n(?P<json>.*?)\n```(?:\nCanonical: `+ ?(?P<canon>.*?) ?`+)?", re.S
)


def examples() -> list[tuple[str, str, str | None]]:
    text = (DOCS / "language.md").read_text(encoding="utf-8")
    return [(m["dsl"], m["json"], m["canon"]) for m in PAIR.finditer(text)]


def test_there_are_examples() -> None:
    assert len(examples()) >= 25


@pytest.mark.parametrize(("dsl", "expected", "canonical"), examples())
def test_language_doc_example(dsl: str, expected: str, canonical: str | None) -> None:
    node = fl.parse(dsl, now="2026-11-25T12:00:00Z")
    assert fl.to_json(node) == json.loads(expected)
    assert fl.from_json(expected) == node
    assert fl.to_dsl(node) == (canonical or dsl)
