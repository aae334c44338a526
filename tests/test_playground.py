"""The playground at `/` of `filterlang serve`, in headless Chromium (Debian's, driven by Playwright).

A real server on 127.0.0.1 (uvicorn in a thread), a real browser typing into the page.
Console errors fail the test, except the browser's own line for each expected 422 answer
(the page asks /v1/filters/parse while the filter is still incomplete, and Chromium logs
every HTTP error status of a fetch). A screenshot is saved to build/artifacts/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("FILTERLANG_CHROMIUM", "/usr/bin/chromium")
if not Path(CHROMIUM).is_file():
    pytest.skip(
        f"no Chromium at {CHROMIUM} (tasks.py installs Debian's `chromium` with apt-get when it can)",
        allow_module_level=True,
    )
pytest.importorskip("playwright.sync_api", reason="the playwright driver (pip) is not installed")
pytest.importorskip("starlette", reason="the server extra is not installed")

from playwright.sync_api import Page, sync_playwright  # noqa: E402
from server_support import running  # noqa: E402

import filterlang as fl  # noqa: E402
from filterlang.server import ServerConfig, create_app  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("FILTERLANG_ARTIFACTS", ROOT / "build" / "artifacts"))
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EXPECTED_CONSOLE = "the server responded with a status of 422"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from filterlang.sample import generate, write

    path = tmp_path_factory.mktemp("playground") / "requests.parquet"
    write(generate(3000, seed=11), path)
    return path


@pytest.fixture(scope="module")
def base_url(data: Path) -> Iterator[str]:
    with running(create_app(ServerConfig(data=str(data)))) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[tuple[Page, list[str]]]:
    context = browser.new_context(viewport={"width": 1280, "height": 820})
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda m: errors.append(m.text) if m.type == "error" and EXPECTED_CONSOLE not in m.text else None
    )
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.goto(base_url + "/")
    page.wait_for_selector("body[data-ready='1']")
    yield page, errors
    context.close()
    assert errors == [], f"console errors: {errors}"


def set_filter(page: Page, text: str) -> None:
    """Replace the filter by typing it, as a person would (input events, caret at the end)."""
    page.focus("#filter")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(text)


def wait_text(page: Page, selector: str, needle: str) -> str:
    page.wait_for_function(
        "([sel, needle]) => document.querySelector(sel).textContent.includes(needle)", arg=[selector, needle]
    )
    return page.inner_text(selector)


def test_type_see_json_and_sql_pick_a_dialect(page: tuple[Page, list[str]]) -> None:
    p, _ = page
    set_filter(p, 'cost > 5 and model ~ "gpt%"')
    shown = json.loads(wait_text(p, "#json", '"gt": 5'))
    assert shown == fl.to_json(fl.parse('cost > 5 and model ~ "gpt%"'))
    assert "$p0" in wait_text(p, "#sql", "ELSE requests.cost END > $p0")
    p.select_option("#dialect", "postgres")
    assert "%(p0)s" in wait_text(p, "#sql", "%(p0)s")
    p.select_option("#profile", "helicone")
    wait_text(p, "#sql", "request_response_rmt")
    set_filter(p, "cost > 5")
    wait_text(p, "#warnings", "nano-USD")  # check warnings update too


def test_error_sits_under_the_right_character_after_an_emoji(page: tuple[Page, list[str]]) -> None:
    p, _ = page
    set_filter(p, 'model = "😀🎉" and cots > 1')
    wait_text(p, "#status", "unknown field `cots`")
    p.wait_for_selector("#hl .err")
    assert p.inner_text("#hl .err") == "cots"
    # and it is drawn where the textarea shows those characters: the overlay's box for `cots`
    # starts at the width of the text before it in the same font
    left = p.evaluate("document.querySelector('#hl .err').getBoundingClientRect().left")
    before = p.evaluate(
        """() => { const r = document.createRange(); const hl = document.getElementById('hl');
        const walker = document.createTreeWalker(hl, NodeFilter.SHOW_TEXT); let n; while ((n = walker.nextNode())) {
          const i = n.textContent.indexOf('cots'); if (i >= 0) { r.setStart(n, i); r.setEnd(n, i + 1);
          return r.getBoundingClientRect().left; } } return null; }"""
    )
    assert before == pytest.approx(left)


def test_accept_a_completion(page: tuple[Page, list[str]]) -> None:
    p, _ = page
    set_filter(p, 'model = "😀" and mod')
    p.wait_for_selector("#completions:not([hidden]) li")
    assert p.inner_text("#completions li >> nth=0").startswith("model")
    p.keyboard.press("Tab")
    assert p.input_value("#filter") == 'model = "😀" and model '
    # values from the data, inside a string being typed
    p.keyboard.type("= ")
    p.wait_for_selector("#completions:not([hidden]) li")
    first = p.inner_text("#completions li >> nth=0").split()[0]
    assert first.startswith('"')
    p.keyboard.press("Enter")
    assert p.input_value("#filter") == f'model = "😀" and model = {first} '


def test_histograms_match_overview(page: tuple[Page, list[str]], data: Path) -> None:
    p, _ = page
    set_filter(p, 'model ~ "gpt%"')
    p.select_option("#psize", "p95")
    p.check("#iqr")
    before = p.get_attribute("#overview-status", "data-done") or "0"
    p.focus("#filter")
    p.keyboard.press("Control+Enter")
    p.wait_for_function(
        "(b) => Number(document.querySelector('#overview-status').dataset.done || 0) > Number(b)"
        " && document.querySelector('#overview-status').textContent.includes('interquartile')",
        arg=before,
    )
    body = {"filter": fl.to_json(fl.parse('model ~ "gpt%"')), "pSize": "p95", "useInterquartile": True}
    want = fl.overview(body, str(data))["data"]
    for measure in ("request_count", "user_cost"):
        bars = p.eval_on_selector_all(
            f"#chart-{measure} .bar", "els => els.map(e => [e.dataset.range, +e.dataset.value])"
        )
        assert bars == [[f"{b['range_start']}..{b['range_end']}", b["value"]] for b in want[measure]]
        assert bars, "the chart has bars"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / "playground.png"))


def test_shared_link_and_copy_as_curl(page: tuple[Page, list[str]], browser: Any) -> None:
    p, _ = page
    text = 'properties["environment"] = "production" and status in (200, 201)'
    set_filter(p, text)
    p.select_option("#dialect", "clickhouse")
    wait_text(p, "#status", "valid")
    link = p.url
    other = browser.new_page()
    try:
        other.goto(link)
        other.wait_for_selector("body[data-ready='1']")
        assert other.input_value("#filter") == text
        assert other.input_value("#dialect") == "clickhouse"
        wait_text(other, "#sql", "{p0:")  # ClickHouse's parameter style
    finally:
        other.close()
    p.click("#copycurl")
    curl = p.inner_text("#curl")
    assert "/v1/user/metrics-overview/query" in curl
    if shutil.which("curl"):
        out = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, timeout=30, check=True).stdout
        assert json.loads(out)["error"] is None


def test_browser_highlighter_matches_the_grammar_lexer(page: tuple[Page, list[str]]) -> None:
    """The page colours tokens with rules generated from the token table: same boundaries as Lark's lexer."""
    from test_highlight import HAND, reference

    texts = [*HAND, fl.to_dsl(fl.parse('model = "😀" and not (cost between 1 and 2e3) or properties.`a-b` = "x"'))]
    got = p_tokens(page[0], texts)
    assert got == [[list(t) for t in reference(text)] for text in texts]


def p_tokens(p: Page, texts: list[str]) -> list[list[list[Any]]]:
    # JavaScript counts UTF-16 units; convert back to code points as the page does for the server.
    return p.evaluate(
        """(texts) => texts.map((t) => tokenize(t)
            .filter(([s, e, c]) => c !== 'space' && c !== 'comment')
            .map(([s, e, c]) => [u16ToCp(t, s), u16ToCp(t, e), c]))""",
        texts,
    )
