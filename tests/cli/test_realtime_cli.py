"""`byot realtime`: an interactive text session over the Realtime WebSocket."""

from __future__ import annotations

import importlib.util
import io
import sys
from typing import TYPE_CHECKING

from byot import _cli
from byot.testing import RealtimeServer

if TYPE_CHECKING:
    import pytest


def test_each_line_is_a_turn_and_its_answer_streams(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cli")
    monkeypatch.setattr(sys, "stdin", io.StringIO("Hello\n\n  \nAnd again?\n"))
    with RealtimeServer(text="Hi there.", api_key="sk-cli") as server:
        argv = ["realtime", "--model", "gpt-realtime", "--base-url", server.base_url]
        status = _cli.main([*argv, "--instructions", "Be brief.", "--validate"])
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert out == "Hi there.\nHi there.\n"
    assert server.handshakes[0].query == {"model": "gpt-realtime"}
    session, *turns = server.received
    assert session["session"] == {
        "type": "realtime",
        "output_modalities": ["text"],
        "instructions": "Be brief.",
    }
    texts = [
        e["item"]["content"][0]["text"] for e in turns if e["type"] == "conversation.item.create"
    ]
    assert texts == ["Hello", "And again?"]


def test_a_refused_session_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Hello\n"))
    with RealtimeServer(refuse=401) as server:
        status = _cli.main(["realtime", "--model", "m", "--base-url", server.base_url])
    out, err = capsys.readouterr()
    assert status == _cli.FAILED
    assert out == ""
    assert err.startswith("byot: 401 Unauthorized: refused by the test server")
    assert err.count("\n") == 1


def test_without_the_extra_it_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "websockets" else real(name)
    )
    assert _cli.main(["realtime", "--model", "m"]) == _cli.USAGE
    assert "pip install 'byot-client[realtime]'" in capsys.readouterr().err
