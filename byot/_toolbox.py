"""A set of tools, the calls the model makes of them, and the loop model -> tools -> model.

The loop's decisions live in two small I/O-free conversations, one per API: what to send
next, which calls an answer holds, how the answers go back. The drivers (sync and async) only
send and run. The model's turn goes back exactly as it came, so provider fields on it survive
the round trip (Gemini's `thought_signature` in `extra_content`, DeepSeek's
`reasoning_content`, Responses reasoning items).
"""

from __future__ import annotations

import abc
import typing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from byot._codec import json_object
from byot._override import override
from byot._tools import Tool, ToolCall, tool, tool_calls
from byot.errors import MaxTurnsError, ToolError, UnknownToolError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable, Mapping

    from typing_extensions import Unpack

    from byot._async_client import AsyncClient
    from byot._client import Client
    from byot._signatures import CallOptions

__all__ = ["ToolRun", "Toolbox"]

ToolErrors = Literal["return", "raise"]


@dataclass(frozen=True)
class ToolRun:
    """How a tool loop ended: the model's answer and the conversation that led to it.

    Attributes:
        response: The model's last answer, the one without tool calls (a chat completion or
            a Responses response, as a dict).
        transcript: Every turn: the chat messages (the final assistant message last) or the
            Responses input items (the final output items last). Send it again, with a new
            user turn, to carry on.
        turns: How many times the model was asked.
    """

    response: dict[str, Any]
    transcript: list[dict[str, Any]]
    turns: int


class Toolbox:
    """The tools a model may call, by name; runs their calls and the whole loop.

    Example:
        ```python
        import byot
        from byot.testing import SpecMock


        def get_weather(city: str) -> str:
            \"\"\"The current weather in a city.\"\"\"
            return f"21 degrees and sunny in {city}"


        toolbox = byot.Toolbox(get_weather)
        client = byot.Client(base_url="http://mock/v1", api_key="sk-test", transport=SpecMock())
        body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Paris?"}]}
        run = toolbox.run_chat(client, {**body, "tool_choice": "required"})
        print(run.transcript[2]["content"])  # the tool's answer the model read
        print(run.response["choices"][0]["message"]["content"])
        ```

    Args:
        *tools: `Tool`s, or plain functions (made into tools with `byot.tool`).
        errors: What happens when a call fails (bad arguments, an unknown tool, an exception
            inside the tool): `"return"` sends the error to the model as the call's result,
            so that it can correct itself; `"raise"` propagates it.

    Raises:
        ValueError: Two tools share a name.
    """

    def __init__(self, *tools: Tool[Any, Any] | Callable[..., Any], errors: ToolErrors = "return"):
        self.tools: dict[str, Tool[Any, Any]] = {}
        for each in tools:
            made: Tool[Any, Any] = _as_tool(each)
            if made.name in self.tools:
                raise ValueError(f"two tools are named {made.name!r}; give one another name=")
            self.tools[made.name] = made
        self.errors: ToolErrors = errors

    def chat(self) -> list[dict[str, Any]]:
        """The tools as the `tools` of a chat completions request."""
        return [each.chat() for each in self.tools.values()]

    def responses(self) -> list[dict[str, Any]]:
        """The tools as the `tools` of a Responses request."""
        return [each.responses() for each in self.tools.values()]

    def __getitem__(self, name: str) -> Tool[Any, Any]:
        """The tool of that name.

        Raises:
            byot.errors.UnknownToolError: There is none.
        """
        try:
            return self.tools[name]
        except KeyError:
            offered = ", ".join(self.tools) or "none"
            raise UnknownToolError(
                f"no tool is named {name!r} (the tools are: {offered})", tool=name
            ) from None

    def run(self, call: ToolCall) -> dict[str, Any]:
        """Run one call and build its answer (a `tool` message or `function_call_output`).

        Raises:
            Exception: With `errors="raise"`, what the call raised; a `ToolError` carries the
                call's id.
        """
        try:
            return call.output(self[call.name].run(call.arguments))
        except Exception as exc:  # noqa: BLE001 - the model reads it, or it is raised again
            return self._failed(call, exc)

    async def arun(self, call: ToolCall) -> dict[str, Any]:
        """Run one call (awaiting an async tool) and build its answer, as `run` does."""
        try:
            return call.output(await self[call.name].arun(call.arguments))
        except Exception as exc:  # noqa: BLE001 - the model reads it, or it is raised again
            return self._failed(call, exc)

    def _failed(self, call: ToolCall, exc: Exception) -> dict[str, Any]:
        if isinstance(exc, ToolError):
            exc.call_id = call.id
        if self.errors == "raise":
            raise exc
        text = str(exc) if isinstance(exc, ToolError) else f"{type(exc).__name__}: {exc}"
        return call.output(f"Error: {text}")

    def run_chat(
        self,
        client: Client,
        body: Mapping[str, Any],
        *,
        max_turns: int = 10,
        **options: Unpack[CallOptions],
    ) -> ToolRun:
        """Chat with tools until the model answers without calling one.

        Each turn sends the conversation, runs every call of the answer (parallel calls in
        order) and appends the results. `tools` is filled from the toolbox when the body has
        none. A `tool_choice` that forces a call is relaxed to `"auto"` once a call was made,
        so that the model can answer (as the Agents SDK does).

        Raises:
            byot.errors.MaxTurnsError: The model still called tools after `max_turns` turns.
        """

        def send(request: dict[str, Any]) -> dict[str, Any]:
            return client.chat.completions.create(request, **options)

        return _drive(_Chat(body, self, max_turns), send, self.run)

    def run_responses(
        self,
        client: Client,
        body: Mapping[str, Any],
        *,
        max_turns: int = 10,
        **options: Unpack[CallOptions],
    ) -> ToolRun:
        """The Responses API with tools until the model answers without calling one.

        The whole conversation goes with each request (input items, the model's output
        items as they came, the `function_call_output`s), so it works with `store: false`
        and with servers that keep no state. Otherwise as `run_chat`.
        """

        def send(request: dict[str, Any]) -> dict[str, Any]:
            return client.responses.create(request, **options)

        return _drive(_Responses(body, self, max_turns), send, self.run)

    async def arun_chat(
        self,
        client: AsyncClient,
        body: Mapping[str, Any],
        *,
        max_turns: int = 10,
        **options: Unpack[CallOptions],
    ) -> ToolRun:
        """`run_chat` on an `AsyncClient`; the calls of one turn run concurrently."""

        async def send(request: dict[str, Any]) -> dict[str, Any]:
            return await client.chat.completions.create(request, **options)

        return await _adrive(_Chat(body, self, max_turns), send, self.arun)

    async def arun_responses(
        self,
        client: AsyncClient,
        body: Mapping[str, Any],
        *,
        max_turns: int = 10,
        **options: Unpack[CallOptions],
    ) -> ToolRun:
        """`run_responses` on an `AsyncClient`; the calls of one turn run concurrently."""

        async def send(request: dict[str, Any]) -> dict[str, Any]:
            return await client.responses.create(request, **options)

        return await _adrive(_Responses(body, self, max_turns), send, self.arun)


def _as_tool(each: Tool[Any, Any] | Callable[..., Any]) -> Tool[Any, Any]:
    if isinstance(each, Tool):
        return each  # pyright: ignore[reportUnknownVariableType] - Tool[Any, Any] as given
    return tool(each)


class _Conversation(abc.ABC):
    """The state of one tool loop, without I/O: the next request, and what answers add."""

    key: str  # where the transcript goes in the request

    def __init__(self, body: Mapping[str, Any], toolbox: Toolbox, max_turns: int) -> None:
        if max_turns < 1:
            raise ValueError(f"max_turns must be at least 1, not {max_turns}")
        self.max_turns = max_turns
        self.request = dict(body)
        self.transcript = self._start(body)
        self.request[self.key] = self.transcript
        if "tools" not in self.request:
            self.request["tools"] = self._tools(toolbox)
        self.turns = 0

    @abc.abstractmethod
    def _start(self, body: Mapping[str, Any]) -> list[dict[str, Any]]: ...

    @abc.abstractmethod
    def _tools(self, toolbox: Toolbox) -> list[dict[str, Any]]: ...

    @abc.abstractmethod
    def take(self, answer: dict[str, Any]) -> list[ToolCall]:
        """Record the model's answer; the calls it asks for (none: the loop is over)."""

    def give(self, outputs: Iterable[dict[str, Any]]) -> None:
        """Add the calls' results; a forced `tool_choice` has done its job."""
        self.transcript.extend(outputs)
        choice: Any = self.request.get("tool_choice")
        named = json_object(choice) or {}
        if choice == "required" or named.get("type") == "function":
            self.request["tool_choice"] = "auto"

    def exhausted(self, answer: dict[str, Any]) -> MaxTurnsError:
        return MaxTurnsError(
            f"the model still called tools after {self.turns} turns (max_turns); "
            "raise max_turns, or carry on from .transcript",
            turns=self.turns,
            response=answer,
            transcript=self.transcript,
        )


class _Chat(_Conversation):
    key = "messages"

    @override
    def _start(self, body: Mapping[str, Any]) -> list[dict[str, Any]]:
        return list(body["messages"])

    @override
    def _tools(self, toolbox: Toolbox) -> list[dict[str, Any]]:
        return toolbox.chat()

    @override
    def take(self, answer: dict[str, Any]) -> list[ToolCall]:
        self.turns += 1
        message: dict[str, Any] = answer["choices"][0]["message"]
        self.transcript.append(message)  # as it came: provider fields go back with it
        return tool_calls(message)


class _Responses(_Conversation):
    key = "input"

    @override
    def _start(self, body: Mapping[str, Any]) -> list[dict[str, Any]]:
        given = body.get("input", [])
        if isinstance(given, str):
            return [{"role": "user", "content": given}]
        return list(typing.cast("list[dict[str, Any]]", given))

    @override
    def _tools(self, toolbox: Toolbox) -> list[dict[str, Any]]:
        return toolbox.responses()

    @override
    def take(self, answer: dict[str, Any]) -> list[ToolCall]:
        self.turns += 1
        output: list[dict[str, Any]] = answer.get("output") or []
        self.transcript.extend(output)
        return tool_calls(output)


def _drive(
    conversation: _Conversation,
    send: Callable[[dict[str, Any]], dict[str, Any]],
    run: Callable[[ToolCall], dict[str, Any]],
) -> ToolRun:
    answer: dict[str, Any] = {}
    while conversation.turns < conversation.max_turns:
        answer = send(conversation.request)
        calls = conversation.take(answer)
        if not calls:
            return ToolRun(answer, conversation.transcript, conversation.turns)
        conversation.give([run(call) for call in calls])
    raise conversation.exhausted(answer)


async def _adrive(
    conversation: _Conversation,
    send: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]],
    run: Callable[[ToolCall], Awaitable[dict[str, Any]]],
) -> ToolRun:
    answer: dict[str, Any] = {}
    while conversation.turns < conversation.max_turns:
        answer = await send(conversation.request)
        calls = conversation.take(answer)
        if not calls:
            return ToolRun(answer, conversation.transcript, conversation.turns)
        outputs = await _answer_all(calls, run)
        conversation.give(outputs)
    raise conversation.exhausted(answer)


async def _answer_all(
    calls: list[ToolCall], run: Callable[[ToolCall], Awaitable[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """Run one turn's calls concurrently; their answers in the calls' order.

    A failure (with `errors="raise"`) is raised as itself once every call has ended, not
    wrapped in an exception group.
    """
    import anyio  # httpx's own dependency: runs the calls on asyncio or trio alike

    outputs: list[dict[str, Any]] = [{} for _ in calls]
    failures: list[Exception] = []

    async def answer(index: int, call: ToolCall) -> None:
        try:
            outputs[index] = await run(call)
        except Exception as exc:  # noqa: BLE001 - raised below, as itself
            failures.append(exc)

    async with anyio.create_task_group() as group:
        for index, call in enumerate(calls):
            group.start_soon(answer, index, call)
    if failures:
        raise failures[0]
    return outputs
