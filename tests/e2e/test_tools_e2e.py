"""The tool loop over a real socket: the suite's own HTTP/1.1 server scripts the model.

Three turns: two parallel calls, then one more call, then the answer, for chat and Responses
with both clients. The server records every request, so the test reads what went back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
import pytest

import byot
from tests.e2e.server import Json

if TYPE_CHECKING:
    from tests.e2e.server import TestServer

pytestmark = pytest.mark.anyio
SIGNATURE = {"google": {"thought_signature": "c2lnbmF0dXJl"}}


def get_weather(city: str) -> dict[str, Any]:
    """The current weather in a city."""
    return {"city": city, "sky": "clear"}


async def get_time(city: str) -> str:
    """The local time in a city."""
    return f"12:00 in {city}"


def chat_call(call_id: str, name: str, city: str) -> dict[str, Any]:
    arguments = orjson.dumps({"city": city}).decode()
    call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}
    return {**call, "extra_content": SIGNATURE}


def completion(message: dict[str, Any]) -> dict[str, Any]:
    choice = {"index": 0, "message": {"role": "assistant", "content": None, **message}}
    return {"id": "chatcmpl-1", "object": "chat.completion", "choices": [choice]}


def script_chat(server: TestServer) -> None:
    server.add(
        "/v1/chat/completions",
        Json(
            200,
            completion(
                {
                    "tool_calls": [
                        chat_call("c1", "get_weather", "Paris"),
                        chat_call("c2", "get_time", "Paris"),
                    ]
                }
            ),
        ),
        Json(200, completion({"tool_calls": [chat_call("c3", "get_weather", "Lima")]})),
        Json(200, completion({"content": "Clear in Paris and Lima; noon in Paris."})),
    )


def function_call(call_id: str, name: str, city: str) -> dict[str, Any]:
    arguments = orjson.dumps({"city": city}).decode()
    return {
        "type": "function_call",
        "id": f"fc_{call_id}",
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
        "status": "completed",
    }


def response(*output: dict[str, Any]) -> dict[str, Any]:
    return {"id": "resp_1", "object": "response", "status": "completed", "output": list(output)}


def script_responses(server: TestServer) -> None:
    reasoning = {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "opaque"}
    text = {"type": "output_text", "text": "Clear in Paris and Lima.", "annotations": []}
    server.add(
        "/v1/responses",
        Json(
            200,
            response(
                reasoning,
                function_call("c1", "get_weather", "Paris"),
                function_call("c2", "get_time", "Paris"),
            ),
        ),
        Json(200, response(function_call("c3", "get_weather", "Lima"))),
        Json(
            200, response({"type": "message", "id": "m1", "role": "assistant", "content": [text]})
        ),
    )


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def run(mode: str, server: TestServer, api: str, body: dict[str, Any]) -> byot.ToolRun:
    toolbox = byot.Toolbox(get_weather, get_time)
    base_url = server.url + "/v1"
    if mode == "async":
        async with byot.AsyncClient(base_url=base_url, api_key="sk-test") as client:
            if api == "chat":
                return await toolbox.arun_chat(client, body)
            return await toolbox.arun_responses(client, body)
    # The sync loop cannot await: this toolbox's async tool runs only in the async loop.
    sync_box = byot.Toolbox(
        get_weather, byot.Tool(Time, lambda t: f"12:00 in {t.city}", name="get_time")
    )
    with byot.Client(base_url=base_url, api_key="sk-test") as client:
        if api == "chat":
            return sync_box.run_chat(client, body)
        return sync_box.run_responses(client, body)


@dataclass
class Time:
    """The local time in a city (the sync twin of get_time, from a dataclass)."""

    city: str


async def test_a_three_turn_chat_loop_with_parallel_calls(mode: str, server: TestServer) -> None:
    script_chat(server)
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Paris and Lima?"}]}

    result = await run(mode, server, "chat", body)

    assert result.turns == 3
    assert result.response["choices"][0]["message"]["content"].startswith("Clear in Paris")
    sent = [request.json() for request in server.requests]
    assert len(sent) == 3
    roles = [m["role"] for m in sent[2]["messages"]]
    assert roles == ["user", "assistant", "tool", "tool", "assistant", "tool"]
    second = sent[1]["messages"]
    assert second[1]["tool_calls"][0]["extra_content"] == SIGNATURE  # back as it came
    assert [m["tool_call_id"] for m in second[2:]] == ["c1", "c2"]
    assert orjson.loads(second[2]["content"]) == {"city": "Paris", "sky": "clear"}
    assert second[3]["content"] == "12:00 in Paris"
    assert sent[2]["messages"][5] == {
        "role": "tool",
        "tool_call_id": "c3",
        "content": '{"city":"Lima","sky":"clear"}',
    }
    assert [t["function"]["name"] for t in sent[0]["tools"]] == ["get_weather", "get_time"]


async def test_a_three_turn_responses_loop_with_parallel_calls(
    mode: str, server: TestServer
) -> None:
    script_responses(server)

    result = await run(
        mode, server, "responses", {"model": "gpt-4o-mini", "input": "Paris and Lima?"}
    )

    assert result.turns == 3
    assert result.response["output"][0]["content"][0]["text"] == "Clear in Paris and Lima."
    sent = [request.json()["input"] for request in server.requests]
    kinds = [item.get("type", "user") for item in sent[2]]
    assert kinds == [
        "user",
        "reasoning",
        "function_call",
        "function_call",
        "function_call_output",
        "function_call_output",
        "function_call",
        "function_call_output",
    ]
    assert sent[1][1]["encrypted_content"] == "opaque"  # the reasoning item goes back whole
    assert [item["output"] for item in sent[2][4:6]] == [
        '{"city":"Paris","sky":"clear"}',
        "12:00 in Paris",
    ]
