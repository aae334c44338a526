"""The upstream API's own OpenAPI document, shipped as package data.

A copy of ``../shared/contract/metrics-overview.openapi.yaml`` (a test checks it is
identical whenever that file exists), so an installed package, a server that publishes the
document, and a clone of this repository all work with nothing beside them.
"""

from __future__ import annotations

from importlib.resources import files

OPENAPI_FILE = "metrics-overview.openapi.yaml"


def openapi_text() -> str:
    """The document exactly as upstream publishes it (YAML text)."""
    return files(__name__).joinpath(OPENAPI_FILE).read_text(encoding="utf-8")
