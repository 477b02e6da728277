"""The toolbox: running the model's calls, and the loop model -> tools -> model, sync and async."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import orjson
import pytest

import byot
from byot.errors import MaxTurnsError, ToolArgumentsError, UnknownToolError
from byot.testing import SpecMock

pytestmark = pytest.mark.anyio
SPEC_ANSWER = "Hello! How can I assist you today?"


def get_weather(city: str) -> str:
    """The current weather in a city."""
    return f"sunny in {city}"


def get_time(city: str) -> str:
    """The local time in a city."""
    return f"noon in {city}"


def broken(city: str) -> str:
    """Always fails."""
    raise RuntimeError(f"no data for {city}")


def chat_body(**extra: Any) -> dict[str, Any]:
    return {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Paris?"}], **extra}


def client(transport: httpx.BaseTransport) -> byot.Client:
    return byot.Client(base_url="http://mock/v1", api_key="sk-test", transport=transport)


def async_client(transport: httpx.AsyncBaseTransport) -> byot.AsyncClient:
    return byot.AsyncClient(base_url="http://mock/v1", api_key="sk-test", transport=transport)


def test_a_toolbox_lists_its_tools() -> None:
    weather = byot.tool(get_weather)
    toolbox = byot.Toolbox(weather, get_time)

    assert toolbox["get_weather"] is weather
    assert [t["function"]["name"] for t in toolbox.chat()] == ["get_weather", "get_time"]
    assert [t["name"] for t in toolbox.responses()] == ["get_weather", "get_time"]
    with pytest.raises(
        UnknownToolError, match=r"no tool is named 'x' \(the tools are: get_weather, get_time\)"
    ):
        toolbox["x"]
    with pytest.raises(UnknownToolError, match=r"the tools are: none"):
        byot.Toolbox()["x"]
    with pytest.raises(ValueError, match="two tools are named 'get_weather'"):
        byot.Toolbox(get_weather, weather)


def test_the_chat_loop_runs_parallel_calls_and_sends_the_results_back() -> None:
    mock = SpecMock()
    toolbox = byot.Toolbox(get_weather, get_time)

    with client(mock) as c:
        run = toolbox.run_chat(c, chat_body(tool_choice="required"), headers={"x-trace": "t1"})

    assert run.turns == 2
    assert run.response["choices"][0]["message"]["content"] == SPEC_ANSWER
    roles = [m["role"] for m in run.transcript]
    assert roles == ["user", "assistant", "tool", "tool", "assistant"]
    calls = run.transcript[1]["tool_calls"]
    assert [c["function"]["name"] for c in calls] == ["get_weather", "get_time"]
    assert run.transcript[2] == {
        "role": "tool",
        "tool_call_id": calls[0]["id"],
        "content": "sunny in sample city",
    }
    assert run.transcript[3]["content"] == "noon in sample city"
    first, second = (call.json() for call in mock.calls)
    assert first["tools"] == toolbox.chat()  # filled in from the toolbox
    assert first["tool_choice"] == "required"
    assert second["tool_choice"] == "auto"  # relaxed once the forced call was made
    assert second["messages"] == run.transcript[:4]
    assert all(call.request.headers["x-trace"] == "t1" for call in mock.calls)


def test_the_responses_loop_sends_the_whole_conversation() -> None:
    mock = SpecMock()
    toolbox = byot.Toolbox(get_weather)
    body = {"model": "gpt-4o-mini", "input": "Paris?", "tool_choice": "required", "tools": []}

    with client(mock) as c:
        run = toolbox.run_responses(c, {**body, "tools": toolbox.responses()})

    assert run.turns == 2
    kinds = [item.get("type", item.get("role")) for item in run.transcript]
    assert kinds == ["user", "function_call", "function_call_output", "message"]
    assert run.transcript[2] == {
        "type": "function_call_output",
        "call_id": "call_byot_1",
        "output": "sunny in sample city",
    }
    second = mock.calls[1].json()
    assert second["input"] == run.transcript[:3]
    assert run.response["output"][0]["type"] == "message"


def test_a_responses_input_list_is_kept() -> None:
    mock = SpecMock()
    given = [{"role": "user", "content": "Paris?"}]
    with client(mock) as c:
        run = byot.Toolbox(get_weather).run_responses(c, {"model": "m", "input": given})
    assert run.turns == 2  # the mock calls the tool offered once, then answers
    assert run.transcript[0] == given[0]
    assert mock.calls[1].json()["input"][0] == given[0]
    assert given == [{"role": "user", "content": "Paris?"}]  # the caller's list is not changed


async def test_the_async_loops() -> None:
    mock = SpecMock()
    toolbox = byot.Toolbox(get_weather, get_time)

    async with async_client(mock) as c:
        chat = await toolbox.arun_chat(c, chat_body(tool_choice="required"))
        responses = await toolbox.arun_responses(
            c, {"model": "m", "input": "Paris?", "tool_choice": "required"}
        )

    assert chat.turns == responses.turns == 2
    assert [m["role"] for m in chat.transcript][2:4] == ["tool", "tool"]
    outputs = [i["output"] for i in responses.transcript if i.get("type") == "function_call_output"]
    assert outputs == ["sunny in sample city", "noon in sample city"]


async def test_async_calls_of_one_turn_run_concurrently() -> None:
    # Each tool waits for the other to have started: run one after the other, they never end.
    started = {"a": anyio.Event(), "b": anyio.Event()}

    async def a() -> str:
        started["a"].set()
        await started["b"].wait()
        return "a done"

    async def b() -> str:
        started["b"].set()
        await started["a"].wait()
        return "b done"

    mock = SpecMock()
    with anyio.fail_after(5):
        async with async_client(mock) as c:
            run = await byot.Toolbox(a, b).arun_chat(c, chat_body(tool_choice="required"))

    assert [m["content"] for m in run.transcript if m["role"] == "tool"] == ["a done", "b done"]


# -- provider fields survive the round trip -----------------------------------------------------

SIGNED_CALL = {
    "id": "function-call-1",
    "type": "function",
    "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
    "extra_content": {"google": {"thought_signature": "CiQB0e2Kb+sig=="}},
}


def gemini(requests: list[dict[str, Any]]) -> httpx.MockTransport:
    """Answers as Gemini's OpenAI endpoint does: a signed tool call, then text."""

    def handle(request: httpx.Request) -> httpx.Response:
        body = orjson.loads(request.content)
        requests.append(body)
        if body["messages"][-1]["role"] == "tool":
            message = {"role": "assistant", "content": "Sunny in Paris."}
            return httpx.Response(200, json={"choices": [{"index": 0, "message": message}]})
        message = {
            "role": "assistant",
            "tool_calls": [SIGNED_CALL],
            "reasoning_content": "The user wants the weather.",
        }
        choice = {"index": 0, "message": message, "finish_reason": "tool_calls"}
        return httpx.Response(200, json={"choices": [choice]})

    return httpx.MockTransport(handle)


def test_gemini_s_thought_signature_survives_the_round_trip() -> None:
    requests: list[dict[str, Any]] = []
    with client(gemini(requests)) as c:
        run = byot.Toolbox(get_weather).run_chat(c, chat_body())

    assert run.response["choices"][0]["message"]["content"] == "Sunny in Paris."
    sent_back = requests[1]["messages"][1]
    assert sent_back["tool_calls"] == [SIGNED_CALL]
    assert sent_back["tool_calls"][0]["extra_content"]["google"]["thought_signature"] == (
        "CiQB0e2Kb+sig=="
    )
    assert sent_back["reasoning_content"] == "The user wants the weather."


async def test_gemini_s_thought_signature_survives_the_async_round_trip() -> None:
    requests: list[dict[str, Any]] = []
    async with async_client(gemini(requests)) as c:
        await byot.Toolbox(get_weather).arun_chat(c, chat_body())

    assert requests[1]["messages"][1]["tool_calls"] == [SIGNED_CALL]


# -- errors --------------------------------------------------------------------------------


def always_calls(name: str, arguments: str) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        call = {"id": "c1", "type": "function", "function": {"name": name, "arguments": arguments}}
        message = {"role": "assistant", "content": None, "tool_calls": [call]}
        return httpx.Response(200, json={"choices": [{"index": 0, "message": message}]})

    return httpx.MockTransport(handle)


@pytest.mark.parametrize(
    ("name", "arguments", "read"),
    [
        ("get_weather", '{"city": 7}', "Error: bad arguments for tool 'get_weather' at $.city"),
        ("nope", "{}", "Error: no tool is named 'nope' (the tools are: get_weather, broken)"),
        ("broken", '{"city": "Oslo"}', "Error: RuntimeError: no data for Oslo"),
    ],
)
def test_errors_become_results_the_model_reads(name: str, arguments: str, read: str) -> None:
    with client(always_calls(name, arguments)) as c, pytest.raises(MaxTurnsError) as caught:
        byot.Toolbox(get_weather, broken).run_chat(c, chat_body(), max_turns=2)

    error = caught.value
    assert error.turns == 2
    assert "after 2 turns" in str(error)
    assert error.transcript[2]["content"].startswith(read)
    assert error.response["choices"][0]["message"]["tool_calls"][0]["id"] == "c1"
    assert [m["role"] for m in error.transcript] == ["user", "assistant", "tool"] * 1 + [
        "assistant",
        "tool",
    ]


@pytest.mark.parametrize(
    ("name", "arguments", "raised"),
    [
        ("get_weather", '{"city": 7}', ToolArgumentsError),
        ("nope", "{}", UnknownToolError),
        ("broken", '{"city": "Oslo"}', RuntimeError),
    ],
)
async def test_errors_propagate_when_asked(
    name: str, arguments: str, raised: type[Exception]
) -> None:
    toolbox = byot.Toolbox(get_weather, broken, errors="raise")
    with client(always_calls(name, arguments)) as c, pytest.raises(raised) as caught:
        toolbox.run_chat(c, chat_body())
    if isinstance(caught.value, (ToolArgumentsError, UnknownToolError)):
        assert caught.value.call_id == "c1"
    async with async_client(always_calls(name, arguments)) as ac:
        with pytest.raises(raised):  # itself, not inside an exception group
            await toolbox.arun_chat(ac, chat_body())


async def test_max_turns_must_be_positive() -> None:
    with (
        client(SpecMock()) as c,
        pytest.raises(ValueError, match="max_turns must be at least 1, not 0"),
    ):
        byot.Toolbox(get_weather).run_chat(c, chat_body(), max_turns=0)
    async with async_client(always_calls("get_weather", '{"city": "x"}')) as ac:
        with pytest.raises(MaxTurnsError):
            await byot.Toolbox(get_weather).arun_chat(ac, chat_body(), max_turns=1)


async def test_an_async_tool_in_the_sync_loop_is_an_error_the_model_reads() -> None:
    async def slow(city: str) -> str:
        return city

    with client(always_calls("slow", '{"city": "x"}')) as c, pytest.raises(MaxTurnsError) as caught:
        byot.Toolbox(slow).run_chat(c, chat_body(), max_turns=1)
    assert "is async: call it with arun()" in caught.value.transcript[2]["content"]


@pytest.mark.parametrize(
    ("forced", "then"),
    [
        ({"type": "function", "function": {"name": "get_weather"}}, "auto"),
        ("auto", "auto"),
        ({"type": "allowed_tools", "mode": "auto", "tools": []}, "allowed_tools"),
    ],
)
def test_only_a_forced_function_choice_is_relaxed(forced: Any, then: str) -> None:
    sent: list[dict[str, Any]] = []
    calling = always_calls("get_weather", '{"city": "x"}')

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(orjson.loads(request.content))
        return calling.handle_request(request)

    with client(httpx.MockTransport(handle)) as c, pytest.raises(MaxTurnsError):
        byot.Toolbox(get_weather).run_chat(c, chat_body(tool_choice=forced), max_turns=2)
    second = sent[1]["tool_choice"]
    assert (second if isinstance(second, str) else second["type"]) == then
