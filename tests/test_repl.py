"""`filterlang repl`: commands as a table, and the real prompt driven through prompt_toolkit's pipe input."""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("prompt_toolkit", reason="the REPL is the optional extra filterlang[repl]")
pytest.importorskip("pygments", reason="the REPL is the optional extra filterlang[repl]")

from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

import filterlang as fl
from filterlang.repl import Repl, _completer, run


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from filterlang.sample import generate, write

    path = tmp_path_factory.mktemp("repl") / "requests.parquet"
    write(generate(2000, seed=5), path)
    return path


# (lines typed in order, text the last answer contains)
CASES: list[tuple[list[str], str]] = [
    (["cost > 5"], "ok: cost > 5"),
    (['model ~ "gpt%" and cost > 1', ":json"], '"like": "gpt%"'),
    (["cost > 5", ":sql"], "ELSE requests.cost END > $p0"),
    (["cost > 5", ":sql postgres"], "%(p0)s"),
    (["cost > 5", ":sql nosuch"], "unknown dialect 'nosuch'"),
    ([":sql list"], "postgres"),
    (["cost > 5", ":check"], "upstream binds nano-USD"),
    (["status = 200", ":check"], "no differences"),
    ([":json"], "no current filter yet"),
    (["cost >"], "line 1, column 7: "),
    (["user_cots > 5"], "did you mean `user_cost`"),
    ([":help"], ":overview"),
    ([":nope"], "unknown command :nope"),
    (["cost > 5", ":overview"], "no data"),
]


@pytest.mark.parametrize(("lines", "expected"), CASES, ids=[" ⏎ ".join(c[0]) for c in CASES])
def test_commands(lines: list[str], expected: str) -> None:
    repl = Repl()
    answers = [repl.handle(line) for line in lines]
    assert expected in answers[-1]


def test_status_shows_the_caret() -> None:
    status = Repl().status("cost > 5 and mod = 1")
    assert "unknown field `mod`" in status
    assert status.splitlines()[-1].strip() == "^^^"
    assert Repl().status("cost > 5").startswith("ok")


def test_completer_uses_complete() -> None:
    completer = _completer(Repl())
    got = [c.text for c in completer.get_completions(Document("cost > 5 and mod", 16), None)]  # type: ignore[arg-type]
    assert got[0] == "model"
    got = [c.text for c in completer.get_completions(Document(":js", 3), None)]  # type: ignore[arg-type]
    assert got == [":json"]
    got = [c.text for c in completer.get_completions(Document(":sql post", 9), None)]  # type: ignore[arg-type]
    assert got == ["postgres"]
    got = [c.text for c in completer.get_completions(Document(":overview p9", 12), None)]  # type: ignore[arg-type]
    assert got == ["p95", "p99"]


def _drive(repl: Repl, *chunks: str) -> str:
    """Type ``chunks`` with a pause between them (completion runs asynchronously, as when a person types)."""
    out = io.StringIO()
    with create_pipe_input() as inp:

        def typist() -> None:
            for chunk in chunks:
                inp.send_text(chunk)
                time.sleep(0.3)
            inp.close()

        thread = threading.Thread(target=typist)
        thread.start()
        assert run(repl, input=inp, output=DummyOutput(), out=out) == 0
        thread.join()
    return out.getvalue()


def test_prompt_with_tab_completion_and_history() -> None:
    repl = Repl()
    # Tab accepts the first completion of `mod`; Up recalls the previous line from history.
    printed = _drive(repl, "cost > 5 and mod", "\t", ' = "x"\r:json\r', "\x1b[A", "\r")
    assert 'ok: cost > 5 and model = "x"' in printed
    first = printed.split("\n", 1)[1]
    assert json.loads(first[: first.index("\n}") + 2]) == fl.to_json(fl.parse('cost > 5 and model = "x"'))
    assert printed.count('"equals": "x"') == 2  # :json, then :json again recalled from history


def test_overview_on_data(data: Path) -> None:
    repl = Repl(str(data))
    repl.handle('model ~ "gpt%"')
    chart = repl.handle(":overview p95")
    assert "request_count" in chart or "requests" in chart.lower()
    body = {"filter": fl.to_json(repl.node), "pSize": "p95", "useInterquartile": False}  # type: ignore[arg-type]
    expected = fl.overview(body, str(data))
    assert expected["error"] is None
    # values come from data in completion
    completer = _completer(repl)
    got = [c.text for c in completer.get_completions(Document("model = ", 8), None)]  # type: ignore[arg-type]
    assert got and got[0].startswith('"')
