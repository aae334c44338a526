"""The OpenAPI document the server publishes at ``/openapi.json``.

It is the contract's document (``filterlang.contract.openapi_text()``, upstream's own)
with additions, never a document derived from handler code:

- the upstream operation keeps its request body schema byte for byte (a test compares it)
  and gains every response the server really sends (400, 401, 413, 422, 500, 503, 504 in
  strict mode; in upstream mode a failed query is the contract's 200 error result);
- our endpoints: ``/v1/filters/{parse,format,sql,check,complete}``, ``/healthz``,
  ``/openapi.json`` (and ``/`` when the playground is installed);
- security: the contract's ``api_key`` scheme on every ``/v1`` operation when the server
  has keys, and none when it has not (the document says what the server enforces).
"""

from __future__ import annotations

import copy
from typing import Any

from .config import Mode

_REF_ERROR = "#/components/schemas/ResultError_string_"
_REF_NODE = "#/components/schemas/UserFilterNode"
_NULL = {"type": "number", "enum": [None], "nullable": True}  # the contract's spelling of null


def contract() -> dict[str, Any]:
    """The contract's document as a dict (parsed once per call; the caller may change it)."""
    import yaml

    from ..contract import openapi_text

    doc: dict[str, Any] = yaml.safe_load(openapi_text())
    return doc


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _error(description: str, *, ref: str = _REF_ERROR, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description, "content": _json({"$ref": ref})}
    if headers:
        out["headers"] = headers
    return out


_WWW_AUTH = {"WWW-Authenticate": {"description": "Bearer challenge", "schema": {"type": "string"}}}
_RETRY = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "string"}}}


def _transport_errors(auth: bool, ref: str) -> dict[str, Any]:
    """Responses every POST route can give whatever the mode."""
    out: dict[str, Any] = {
        "400": _error("The body is not JSON (or not UTF-8).", ref=ref),
        "413": _error("The body is larger than the server's --max-body.", ref=ref),
        "500": _error("The data source failed, or a bug (the message holds an incident id, never a trace).", ref=ref),
    }
    if auth:
        out["401"] = _error("No API key, or a wrong one.", ref=ref, headers=_WWW_AUTH)
    return out


def _filter_components() -> dict[str, Any]:
    detail = {
        "type": "object",
        "description": "Where and why: DSL errors have line and column (1-based code points), JSON errors a path.",
        "properties": {
            "kind": {"type": "string", "enum": ["error", "syntax", "type", "schema", "limit"]},
            "message": {"type": "string"},
            "line": {"type": "integer"},
            "column": {"type": "integer"},
            "end_column": {"type": "integer"},
            "path": {"type": "string"},
            "suggestion": {"type": "string"},
            "expected": {"type": "array", "items": {"type": "string"}},
            "limit": {"type": "string"},
        },
        "required": ["kind", "message"],
    }
    filter_input = {
        "description": "DSL text (a string) or the API's UserFilterNode JSON.",
        "anyOf": [{"type": "string"}, {"$ref": _REF_NODE}],
    }

    def result(data: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"data": data, "error": _NULL},
            "required": ["data", "error"],
            "additionalProperties": False,
        }

    def request(props: dict[str, Any], required: tuple[str, ...] = ("filter",)) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"filter": {"$ref": "#/components/schemas/FilterInput"}, **props},
            "required": list(required),
            "additionalProperties": False,
        }

    from ..sql import list_dialects

    return {
        "FilterInput": filter_input,
        "FilterErrorDetail": detail,
        "FilterError": {
            "type": "object",
            "properties": {
                "data": _NULL,
                "error": {"type": "string"},
                "details": {"$ref": "#/components/schemas/FilterErrorDetail"},
            },
            "required": ["data", "error"],
            "additionalProperties": False,
        },
        "ParseRequest": request(
            {"now": {"type": "string", "format": "date-time", "description": "anchor for `now - 7d`"}}
        ),
        "FormatRequest": request({}),
        "SqlRequest": request(
            {
                "dialect": {"type": "string", "enum": list_dialects()},
                "profile": {"type": "string", "enum": ["flat", "helicone"]},
                "tenant": {"type": "string", "description": "helicone profile: organization guard"},
                "inline": {"type": "boolean"},
                "where": {"type": "boolean", "description": "only the condition, not a whole SELECT"},
            }
        ),
        "CheckRequest": request({"overview": {"type": "boolean", "description": "used for metrics-overview"}}),
        "CompleteRequest": {
            "type": "object",
            "properties": {
                "filter": {"type": "string", "description": "the DSL text being edited"},
                "cursor": {"type": "integer", "minimum": 0, "description": "code points into filter"},
            },
            "required": ["filter"],
            "additionalProperties": False,
        },
        "ParseResult": result({"$ref": _REF_NODE}),
        "FormatResult": result({"type": "string"}),
        "SqlResult": result(
            {
                "type": "object",
                "properties": {"sql": {"type": "string"}, "params": {"type": "object"}},
                "required": ["sql", "params"],
                "additionalProperties": False,
            }
        ),
        "CheckResult": result(
            {
                "type": "object",
                "properties": {
                    "valid": {"type": "boolean"},
                    "canonical": {"type": "string"},
                    "conditions": {"type": "integer"},
                    "nodes": {"type": "integer"},
                    "depth": {"type": "integer"},
                    "warnings": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "path": {"type": "string"},
                                "message": {"type": "string"},
                                "kind": {"type": "string", "enum": ["upstream", "never-matches", "coerced"]},
                            },
                            "required": ["path", "message", "kind"],
                            "additionalProperties": False,
                        },
                    },
                },
                "required": ["valid", "canonical", "conditions", "nodes", "depth", "warnings"],
                "additionalProperties": False,
            }
        ),
        "CompleteResult": result(
            {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string", "enum": ["field", "key", "operator", "value", "keyword"]},
                        "text": {"type": "string"},
                        "start": {"type": "integer"},
                        "end": {"type": "integer"},
                    },
                    "required": ["kind", "text", "start", "end"],
                    "additionalProperties": False,
                },
            }
        ),
        "Health": {
            "type": "object",
            "properties": {
                "status": {"type": "string", "enum": ["ok"]},
                "engine": {"type": "string"},
                "mode": {"type": "string", "enum": ["strict", "upstream"]},
                "running": {"type": "integer"},
                "waiting": {"type": "integer"},
            },
            "required": ["status", "engine", "mode", "running", "waiting"],
            "additionalProperties": False,
        },
    }


_FILTER_OPS = {
    "parse": ("ParseRequest", "ParseResult", "DSL text (or JSON) to the API's JSON"),
    "format": ("FormatRequest", "FormatResult", "a filter to canonical DSL text"),
    "sql": ("SqlRequest", "SqlResult", "a filter to SQL for a dialect and profile"),
    "check": ("CheckRequest", "CheckResult", "validate a filter; warnings where upstream differs"),
    "complete": ("CompleteRequest", "CompleteResult", "completions at a cursor (the playground's editor)"),
}


def published_document(mode: Mode, *, auth: bool, complete: bool = True, playground: bool = False) -> dict[str, Any]:
    """The document for a server in ``mode``; ``auth``: the server checks API keys."""
    doc = contract()
    info = doc.setdefault("info", {})
    info["description"] = (
        "The metrics-overview API as served by `filterlang serve` "
        f"(mode: {mode}). The upstream operation is the contract's own; /v1/filters/* are filterlang's."
    )
    info["x-filterlang-mode"] = mode
    security: list[dict[str, list[str]]] = [{"api_key": []}] if auth else []
    overview = doc["paths"]["/v1/user/metrics-overview/query"]["post"]
    overview["security"] = security
    responses = overview["responses"]
    responses.update(_transport_errors(auth, _REF_ERROR))
    if mode == "strict":
        responses["422"] = _error("The body, the filter or a limit is invalid (the message names the JSON path).")
    else:
        responses["200"]["description"] = "Ok, or a failed query as upstream answers it: {data: null, error}"
    responses["503"] = _error("Busy: all engine slots and the wait queue are taken.", headers=_RETRY)
    responses["504"] = _error("The query ran out of time (--timeout) and the engine stopped it.")

    schemas = doc["components"]["schemas"]
    schemas.update(_filter_components())
    for name, (req, res, summary) in _FILTER_OPS.items():
        if name == "complete" and not complete:
            summary += " (not available in this build: 501)"
        op_responses: dict[str, Any] = {
            "200": {"description": "Ok", "content": _json({"$ref": f"#/components/schemas/{res}"})},
            "422": _error("The filter or an option is invalid.", ref="#/components/schemas/FilterError"),
            **_transport_errors(auth, "#/components/schemas/FilterError"),
        }
        if name == "complete" and not complete:
            op_responses["501"] = _error("Not available in this build.", ref="#/components/schemas/FilterError")
        doc["paths"][f"/v1/filters/{name}"] = {
            "post": {
                "tags": ["Filters"],
                "operationId": f"Filter{name.capitalize()}",
                "summary": summary,
                "requestBody": {"required": True, "content": _json({"$ref": f"#/components/schemas/{req}"})},
                "responses": op_responses,
                "security": copy.deepcopy(security),
            }
        }
    doc["paths"]["/healthz"] = {
        "get": {
            "tags": ["Server"],
            "operationId": "Health",
            "summary": "liveness, engine and load (no key needed)",
            "responses": {"200": {"description": "Ok", "content": _json({"$ref": "#/components/schemas/Health"})}},
            "security": [],
        }
    }
    doc["paths"]["/openapi.json"] = {
        "get": {
            "tags": ["Server"],
            "operationId": "OpenApi",
            "summary": "this document (no key needed)",
            "responses": {"200": {"description": "Ok", "content": _json({"type": "object"})}},
            "security": [],
        }
    }
    if playground:
        doc["paths"]["/"] = {
            "get": {
                "tags": ["Server"],
                "operationId": "Playground",
                "summary": "the filter playground (a web page)",
                "responses": {"200": {"description": "Ok", "content": {"text/html": {"schema": {"type": "string"}}}}},
                "security": [],
            }
        }
    return doc


__all__ = ["contract", "published_document"]
