"""The AST's operator and table models, generated from ``filterlang/fields.py``.

DO NOT EDIT: run ``python scripts/gen_models.py`` after changing the registry
(``tests/test_api.py`` fails while this file is stale). Every property is
:data:`~filterlang.values.Absent`: it reads as None when the JSON does not have it,
and is never ``null`` in JSON.
"""

from __future__ import annotations

from pydantic import Field

from .values import Absent, BooleanValue, Model, NumberValue, TextValue, TimestampValue

__all__ = [
    "BooleanOperators",
    "NumberOperators",
    "PropertyKeyOperators",
    "RequestResponseFilter",
    "TextOperators",
    "TimestampOperators",
    "UsersViewFilter",
]


class TextOperators(Model):
    """Operators of a text field: equals, not-equals, like, ilike, contains, not-contains."""

    equals: Absent[TextValue] = None
    not_equals: Absent[TextValue] = Field(default=None, alias="not-equals")
    like: Absent[TextValue] = None
    ilike: Absent[TextValue] = None
    contains: Absent[TextValue] = None
    not_contains: Absent[TextValue] = Field(default=None, alias="not-contains")


class NumberOperators(Model):
    """Operators of a number field: equals, not-equals, gt, gte, lt, lte."""

    equals: Absent[NumberValue] = None
    not_equals: Absent[NumberValue] = Field(default=None, alias="not-equals")
    gt: Absent[NumberValue] = None
    gte: Absent[NumberValue] = None
    lt: Absent[NumberValue] = None
    lte: Absent[NumberValue] = None


class TimestampOperators(Model):
    """Operators of a timestamp field: equals, gt, gte, lt, lte."""

    equals: Absent[TimestampValue] = None
    gt: Absent[TimestampValue] = None
    gte: Absent[TimestampValue] = None
    lt: Absent[TimestampValue] = None
    lte: Absent[TimestampValue] = None


class BooleanOperators(Model):
    """Operators of a boolean field: equals."""

    equals: Absent[BooleanValue] = None


class PropertyKeyOperators(Model):
    """``{"equals": KEY}``: the request's properties map has KEY."""

    equals: TextValue


class RequestResponseFilter(Model):
    """Conditions on `request_response_rmt`, all ANDed; every field is optional."""

    country_code: Absent[TextOperators] = None
    latency: Absent[NumberOperators] = None
    cost: Absent[NumberOperators] = None
    provider: Absent[TextOperators] = None
    time_to_first_token: Absent[NumberOperators] = None
    status: Absent[NumberOperators] = None
    request_created_at: Absent[TimestampOperators] = None
    response_created_at: Absent[TimestampOperators] = None
    model: Absent[TextOperators] = None
    user_id: Absent[TextOperators] = None
    organization_id: Absent[TextOperators] = None
    node_id: Absent[TextOperators] = None
    job_id: Absent[TextOperators] = None
    threat: Absent[BooleanOperators] = None
    request_id: Absent[TextOperators] = None
    prompt_tokens: Absent[NumberOperators] = None
    completion_tokens: Absent[NumberOperators] = None
    prompt_cache_read_tokens: Absent[NumberOperators] = None
    prompt_cache_write_tokens: Absent[NumberOperators] = None
    total_tokens: Absent[NumberOperators] = None
    target_url: Absent[TextOperators] = None
    property_key: Absent[PropertyKeyOperators] = None
    properties: Absent[dict[str, TextOperators]] = None
    search_properties: Absent[dict[str, TextOperators]] = None
    scores: Absent[dict[str, TextOperators]] = None
    scores_column: Absent[TextOperators] = None
    request_body: Absent[TextOperators] = None
    response_body: Absent[TextOperators] = None
    cache_enabled: Absent[BooleanOperators] = None
    cache_reference_id: Absent[TextOperators] = None
    cached: Absent[BooleanOperators] = None
    assets: Absent[TextOperators] = None
    helicone_score_feedback: Absent[BooleanOperators] = Field(default=None, alias="helicone-score-feedback")
    prompt_id: Absent[TextOperators] = None
    prompt_version: Absent[TextOperators] = None
    request_referrer: Absent[TextOperators] = None
    is_passthrough_billing: Absent[BooleanOperators] = None


class UsersViewFilter(Model):
    """Conditions on `users_view`, all ANDed; every field is optional."""

    user_user_id: Absent[TextOperators] = None
    user_active_for: Absent[NumberOperators] = None
    user_first_active: Absent[TimestampOperators] = None
    user_last_active: Absent[TimestampOperators] = None
    user_total_requests: Absent[NumberOperators] = None
    user_average_requests_per_day_active: Absent[NumberOperators] = None
    user_average_tokens_per_request: Absent[NumberOperators] = None
    user_total_completion_tokens: Absent[NumberOperators] = None
    user_total_prompt_tokens: Absent[NumberOperators] = None
    user_cost: Absent[NumberOperators] = None
