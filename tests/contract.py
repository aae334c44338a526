"""The contract's own schemas, loaded from the copy shipped in the package (``filterlang.contract``)."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import yaml

from filterlang.contract import openapi_text


def shared_contract_dir() -> Path | None:
    """``../shared/contract`` beside the checkout, when there is one (the packaged copy must equal it)."""
    env = os.environ.get("FILTERLANG_CONTRACT_DIR")
    if env:
        return Path(env)
    cand = Path(__file__).resolve().parent.parent.parent / "shared" / "contract"
    return cand if cand.is_dir() else None


@functools.cache
def openapi() -> dict[str, Any]:
    return yaml.safe_load(openapi_text())


@functools.cache
def validator(schema_name: str) -> Any:
    """An OpenAPI 3.0 schema validator for ``#/components/schemas/<schema_name>``."""
    from openapi_schema_validator import OAS30Validator, oas30_format_checker

    doc = openapi()
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": doc["components"]}
    return OAS30Validator(schema, format_checker=oas30_format_checker)


@functools.cache
def request_validator() -> Any:
    from openapi_schema_validator import OAS30Validator, oas30_format_checker

    doc = openapi()
    body = doc["paths"]["/v1/user/metrics-overview/query"]["post"]["requestBody"]["content"]["application/json"]
    return OAS30Validator({**body["schema"], "components": doc["components"]}, format_checker=oas30_format_checker)


RESULT_SCHEMA = "Result__request_count-HistogramRow-Array--user_cost-HistogramRow-Array_.string_"
