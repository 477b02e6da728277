"""Every Python block of docs/structured-outputs.md runs as written, in order, as one script.

The client in the blocks reads `OPENAI_BASE_URL`, pointed at `byot.testing.serve()`: the spec
mock checks every request against the spec, and a route answers chat and Responses requests
with the page's calendar event, where the request's mode puts it (content, a forced tool call,
an output text, or a stream of chunks).
"""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from byot.testing import Reply, Router, SpecMock, serve

if TYPE_CHECKING:
    import httpx
    import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "structured-outputs.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)
EVENT = {"name": "Science fair", "date": "Friday", "participants": ["Alice", "Bob"]}


def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
    return {"id": "chatcmpl-doc", "object": "chat.completion.chunk", "choices": [choice]}


def chat(request: httpx.Request) -> Reply:
    body = orjson.loads(request.content)
    content = orjson.dumps(EVENT).decode()
    if body.get("stream"):
        pieces = [content[i : i + 12] for i in range(0, len(content), 12)]
        events = [chunk({"role": "assistant", "content": ""})]
        events += [chunk({"content": piece}) for piece in pieces]
        return Reply(sse=[*events, chunk({}, "stop")])
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if "tool_choice" in body:
        name = body["tool_choice"]["function"]["name"]
        function = {"name": name, "arguments": content}
        message = {**message, "content": None}
        message["tool_calls"] = [{"id": "call_1", "type": "function", "function": function}]
    choice = {"index": 0, "message": message, "finish_reason": "stop"}
    return Reply(json={"id": "chatcmpl-doc", "object": "chat.completion", "choices": [choice]})


def responses(request: httpx.Request) -> Reply:
    text = {"type": "output_text", "text": orjson.dumps(EVENT).decode(), "annotations": []}
    message = {"type": "message", "role": "assistant", "content": [text]}
    return Reply(
        json={"id": "resp_doc", "object": "response", "status": "completed", "output": [message]}
    )


def test_the_page_has_blocks() -> None:
    assert len(BLOCKS) >= 8


def test_the_blocks_run_in_order(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    router = Router()
    router.post("/chat/completions", handler=chat)
    router.post("/responses", handler=responses)
    with serve(mock=SpecMock(routes=router)) as base_url:
        monkeypatch.setenv("OPENAI_BASE_URL", base_url)
        # A module of its own, as a reader's script is: dataclasses look their module up.
        module = types.ModuleType("structured_outputs_doc")
        monkeypatch.setitem(sys.modules, module.__name__, module)
        for number, block in enumerate(BLOCKS, 1):
            exec(compile(block, f"{DOC.name} block {number}", "exec"), module.__dict__)  # noqa: S102
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "Science fair ['Alice', 'Bob']"
    assert printed[1] == "Friday completed"
    assert "The day, as written." in printed
    assert any(
        line.startswith("Scores.by_player - an object with free-form keys") for line in printed
    )
    assert printed[-1] == orjson.dumps(EVENT).decode()
