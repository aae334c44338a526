"""HTTP differential: hypothesis requests through a running server == ``overview()`` in-process.

Two servers (DuckDB and chDB) serve the same sample file on real sockets, with keys for
everything and for single organizations. Filters draw their values from the data, so
they keep rows, and mix both tables, ``and``/``or`` at any level (a top-level ``or`` with
an ``organization_id`` condition naming *another* organization included).

- A key for everything must get exactly what ``overview(request, file, engine=...)``
  computes in-process.
- A key of one organization must get exactly the overview of that organization's rows,
  cut out of the data by pyarrow (a different mechanism from the server's tenant guard):
  neither its rows nor its users_view values may reflect another organization's rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")
pytest.importorskip("duckdb")
httpx = pytest.importorskip("httpx")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from server_support import KEY_A, KEY_ALL, KEY_B, KEYS_TEXT, ORGS, org_rows, running, sample_table, write_parquet  # noqa: E402

import filterlang  # noqa: E402
from filterlang.fields import FIELDS, Kind  # noqa: E402
from filterlang.jsonio import to_json  # noqa: E402
from filterlang.nodes import ALL, Condition, Node, branch, make_leaf  # noqa: E402
from filterlang.server import ServerConfig, create_app  # noqa: E402
from filterlang.server.auth import KeyRing  # noqa: E402

OVERVIEW = "/v1/user/metrics-overview/query"
TABLE = sample_table(2000, seed=11)
# Field -> values seen in the data (a few per field), so conditions keep rows.
_COLUMNS = [
    "model",
    "provider",
    "country_code",
    "user_id",
    "status",
    "latency",
    "cost",
    "prompt_tokens",
    "cached",
    "threat",
    "request_created_at",
    "target_url",
]
SEEN: dict[str, list[Any]] = {
    c: sorted({v for v in TABLE.column(c).to_pylist() if v is not None}, key=str)[:40] for c in _COLUMNS
}
USER_NUMBERS = {
    "user_total_requests": [1, 5, 20, 60],
    "user_cost": [0.001, 0.05, 0.5, 2.0],
    "user_active_for": [1, 3, 10],
    "user_average_tokens_per_request": [100.0, 500.0],
}


def _text(v: Any) -> Any:
    if hasattr(v, "isoformat"):
        return v.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")
    return v


@st.composite
def conditions(draw: st.DrawFn) -> Condition:
    if draw(st.integers(0, 4)) == 0:
        name = draw(st.sampled_from(sorted(USER_NUMBERS)))
        return Condition(name, draw(st.sampled_from(FIELDS[name].operators)), draw(st.sampled_from(USER_NUMBERS[name])))
    if draw(st.integers(0, 5)) == 0:
        return Condition(
            "organization_id", draw(st.sampled_from(["equals", "not-equals"])), draw(st.sampled_from(ORGS))
        )
    name = draw(st.sampled_from(_COLUMNS))
    field = FIELDS[name]
    op = draw(st.sampled_from(field.operators))
    value = _text(draw(st.sampled_from(SEEN[name])))
    if field.kind is Kind.TEXT and op in ("like", "ilike"):
        value = value[: draw(st.integers(0, len(value)))] + "%"
    elif field.kind is Kind.TEXT and op in ("contains", "not-contains"):
        value = value[1:4]
    return Condition(name, op, value)


def requests() -> st.SearchStrategy[dict[str, Any]]:
    leaves = st.one_of(conditions().map(make_leaf), st.just(ALL))
    trees: st.SearchStrategy[Node] = st.recursive(
        leaves, lambda kids: st.builds(branch, kids, st.sampled_from(["and", "or"]), kids), max_leaves=6
    )
    return st.builds(
        lambda node, p, iqr: {"filter": to_json(node), "pSize": p, "useInterquartile": iqr},
        trees,
        st.sampled_from(["p50", "p75", "p95", "p99", "p99.9"]),
        st.booleans(),
    )


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_parquet(TABLE, tmp_path_factory.mktemp("diff") / "requests.parquet")


@pytest.fixture(scope="module")
def org_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Each organization's rows alone, cut by pyarrow: the oracle's data for its key."""
    base = tmp_path_factory.mktemp("orgs")
    return {org: str(write_parquet(org_rows(TABLE, org), base / f"{org}.parquet")) for org in ORGS}


@pytest.fixture(scope="module", params=["duckdb", "chdb"])
def server(request: pytest.FixtureRequest, data: Path) -> Iterator[tuple[str, str]]:
    engine = request.param
    pytest.importorskip(engine)
    app = create_app(ServerConfig(data=str(data), engine=engine, keys=KeyRing.from_lines(KEYS_TEXT.splitlines())))
    with running(app) as url:
        yield engine, url


SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
# Each example of the tenant test sends two requests and runs two oracle queries.
TENANT_SETTINGS = settings(SETTINGS, max_examples=12)


@given(req=requests())
@SETTINGS
def test_http_equals_in_process(server: tuple[str, str], data: Path, req: dict[str, Any]) -> None:
    engine, url = server
    got = httpx.post(url + OVERVIEW, json=req, headers={"Authorization": f"Bearer {KEY_ALL}"}, timeout=60)
    assert got.status_code == 200, got.text
    assert got.json() == filterlang.overview(req, str(data), engine=engine)


@given(req=requests(), key=st.sampled_from([(KEY_A, "org-a"), (KEY_B, "org-b")]), other=st.sampled_from(ORGS))
@TENANT_SETTINGS
def test_org_key_sees_only_its_rows(
    server: tuple[str, str], org_files: dict[str, str], req: dict[str, Any], key: tuple[str, str], other: str
) -> None:
    engine, url = server
    # A top-level `or` naming another organization must not widen what the key sees.
    widened = {
        **req,
        "filter": {
            "left": req["filter"],
            "operator": "or",
            "right": {"request_response_rmt": {"organization_id": {"equals": other}}},
        },
    }
    secret, org = key
    for body in (req, widened):
        got = httpx.post(url + OVERVIEW, json=body, headers={"Authorization": f"Bearer {secret}"}, timeout=60)
        assert got.status_code == 200, got.text
        assert got.json() == filterlang.overview(body, org_files[org], engine=engine)
