"""The tool loop against llmock, a third-party server that answers like a real model server.

llmock's `reply` behaviour scripts tool calls (several at once, as parallel calls); without a
script it acts as a well-mannered model: it calls the tool that fits the prompt while no tool
result has come back, then answers in text. Its tool faults send arguments cut in half or a
call to a tool never offered. Every test runs with both clients; the server is reset first.
"""

from __future__ import annotations

from typing import Any

import orjson
import pytest

import byot
from tests.conformance.test_llmock import control, script, served

pytestmark = pytest.mark.anyio
MODEL = "gpt-4o-mini"
TIMEOUT = byot.Timeout(10)


def get_weather(city: str) -> dict[str, Any]:
    """The current weather in a city."""
    return {"city": city, "sky": "clear"}


def get_time(city: str) -> str:
    """The local time in a city."""
    return f"12:00 in {city}"


def calls(*pairs: tuple[str, str]) -> dict[str, Any]:
    """A reply whose turn is tool calls, one per (tool, city), made together."""
    return {
        "type": "reply",
        "tool_calls": [{"name": n, "arguments": {"city": c}} for n, c in pairs],
    }


def text(words: str) -> dict[str, Any]:
    return {"type": "reply", "text": words}


class Loop:
    """Runs a toolbox's loop with one kind of client."""

    def __init__(self, mode: str, llmock: str) -> None:
        self.is_async = mode == "async"
        self.base_url = llmock + "/v1"

    async def run(
        self, api: str, body: dict[str, Any], toolbox: byot.Toolbox, **kwargs: Any
    ) -> byot.ToolRun:
        options: dict[str, Any] = {
            "base_url": self.base_url,
            "api_key": "sk-test",
            "timeout": TIMEOUT,
        }
        if self.is_async:
            async with byot.AsyncClient(**options) as client:
                loop = toolbox.arun_chat if api == "chat" else toolbox.arun_responses
                return await loop(client, body, **kwargs)
        with byot.Client(**options) as client:
            run = toolbox.run_chat if api == "chat" else toolbox.run_responses
            return run(client, body, **kwargs)


@pytest.fixture(params=["sync", "async"])
def loop(request: pytest.FixtureRequest, llmock: str) -> Loop:
    control(llmock, "POST", "reset")
    return Loop(request.param, llmock)


def chat_body(prompt: str = "Weather and time in Paris, then Lima?") -> dict[str, Any]:
    return {"model": MODEL, "messages": [{"role": "user", "content": prompt}]}


async def test_a_three_turn_chat_loop_with_parallel_calls(loop: Loop, llmock: str) -> None:
    script(
        llmock,
        calls(("get_weather", "Paris"), ("get_time", "Paris")),
        calls(("get_weather", "Lima")),
        text("Clear in Paris and Lima."),
    )

    result = await loop.run("chat", chat_body(), byot.Toolbox(get_weather, get_time))

    assert result.turns == 3
    assert result.response["choices"][0]["message"]["content"] == "Clear in Paris and Lima."
    roles = [m["role"] for m in result.transcript]
    assert roles == ["user", "assistant", "tool", "tool", "assistant", "tool", "assistant"]
    first_turn = result.transcript[1]["tool_calls"]
    assert [c["function"]["name"] for c in first_turn] == ["get_weather", "get_time"]
    tool_ids = [m["tool_call_id"] for m in result.transcript if m["role"] == "tool"]
    assert tool_ids[:2] == [c["id"] for c in first_turn]
    assert orjson.loads(result.transcript[2]["content"]) == {"city": "Paris", "sky": "clear"}
    assert result.transcript[5]["content"] == '{"city":"Lima","sky":"clear"}'
    assert len(served(llmock)) == 3


async def test_a_three_turn_responses_loop_with_parallel_calls(loop: Loop, llmock: str) -> None:
    script(
        llmock,
        calls(("get_weather", "Paris"), ("get_time", "Paris")),
        calls(("get_time", "Lima")),
        text("Done."),
    )
    body = {"model": MODEL, "input": "Weather and time in Paris, then Lima?"}

    result = await loop.run("responses", body, byot.Toolbox(get_weather, get_time))

    assert result.turns == 3
    outputs = [i["output"] for i in result.transcript if i.get("type") == "function_call_output"]
    assert outputs == ['{"city":"Paris","sky":"clear"}', "12:00 in Paris", "12:00 in Lima"]
    assert result.response["output"][-1]["type"] == "message"


async def test_llmock_s_own_model_calls_then_answers(loop: Loop, llmock: str) -> None:
    # No script: llmock picks the tool that fits the prompt, then answers once it has a result.
    result = await loop.run(
        "chat", chat_body("What is the weather?"), byot.Toolbox(get_weather, get_time)
    )

    assert result.turns == 2
    (call,) = result.transcript[1]["tool_calls"]
    assert call["function"]["name"] == "get_weather"
    assert result.transcript[2]["role"] == "tool"
    assert result.response["choices"][0]["message"]["content"]


@pytest.mark.parametrize("kind", ["malformed_arguments", "unknown_tool"])
async def test_broken_calls_are_read_back_by_the_model(loop: Loop, llmock: str, kind: str) -> None:
    control(llmock, "POST", "scenario", json={"behaviors": [{"type": "tool_fault", "kind": kind}]})

    result = await loop.run("chat", chat_body("What is the weather?"), byot.Toolbox(get_weather))

    error = result.transcript[2]
    assert error["role"] == "tool"
    assert error["content"].startswith("Error: ")
    expected = "are not valid JSON" if kind == "malformed_arguments" else "no tool is named"
    assert expected in error["content"]
    assert result.turns == 2  # the model read the error and answered
