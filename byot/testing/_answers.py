"""The mock's answers to requests that bring their own schema: structured outputs, tool calls.

A chat request with `response_format: {"type": "json_schema", ...}`, or a Responses request
with `text.format` of that type, gets content synthesized to fit the schema it sent. JSON mode
(`json_object`) gets a JSON object: one that fits the JSON Schema the instructions carry (as
`parse(mode="json_object")` writes it), else a small one around the documented text. A request
whose `tool_choice` forces a call (a named function, or `"required"`: every function offered,
or the first with `parallel_tool_calls: false`) gets the calls, with arguments that fit each
tool's `parameters`; so does a request that offers functions and leaves the choice to the
model (`"auto"`), as long as no tool result has come back yet: then the model answers in text.
Everything else keeps the spec's documented answer.

Streams carry the same answer as the events a real server sends: chat chunks (content and
tool-call arguments in pieces), or the Responses event sequence ending in `response.completed`.
"""

from __future__ import annotations

from typing import Any, Final, cast

import orjson

from byot._codec import json_array, json_object
from byot.testing._frames import SSE_DONE, sse_event
from byot.testing._synth import Synthesizer

__all__ = ["answer_stream", "own_answer"]

_PIECES: Final = 3  # how many deltas a streamed text or arguments string is cut into


def own_answer(operation_id: str, body: Any, template: dict[str, Any]) -> dict[str, Any] | None:
    """The answer a chat or Responses request asks for with its own schema, or None.

    `template` is the operation's documented answer, whose envelope the answer keeps.

    Raises:
        ValueError: `tool_choice` names a function the request does not offer.
    """
    if not isinstance(body, dict):
        return None
    request = cast("dict[str, Any]", body)
    if operation_id == "createChatCompletion":
        return _chat(request, template)
    if operation_id == "createResponse":
        return _response(request, template)
    return None


def _called(
    request: dict[str, Any], functions: list[dict[str, Any]], *, answered: bool
) -> list[dict[str, Any]]:
    """The functions the model calls: those `tool_choice` forces, or the first one offered.

    Left to choose (`"auto"`, or no `tool_choice`), the model calls the first function until
    a tool result is in the conversation (`answered`), then answers.
    """
    choice = request.get("tool_choice", "auto")
    if choice == "auto":
        return [] if answered else functions[:1]
    if choice == "required":
        return functions if request.get("parallel_tool_calls", True) else functions[:1]
    if not isinstance(choice, dict):
        return []
    named = cast("dict[str, Any]", choice)
    if named.get("type") != "function":
        return []
    name = named.get("name") or named.get("function", {}).get("name")
    chosen = [f for f in functions if f.get("name") == name]
    if not chosen:
        offered = ", ".join(str(f.get("name")) for f in functions) or "none"
        raise ValueError(f"tool_choice names {name!r}, which is not among the tools ({offered})")
    return chosen


def _fit(schema: Any) -> str:
    """JSON text that fits `schema`."""
    if not isinstance(schema, dict):
        return "{}"
    own = cast("dict[str, Any]", schema)
    return orjson.dumps(Synthesizer.of(own).instance(own)).decode()


def _json_mode(instructions: list[str], documented: str) -> str:
    """A JSON object for JSON mode: fitting the schema the instructions carry, if any.

    The schema is the first JSON object in the text that looks like one (`properties` or
    `type`): `parse(mode="json_object")` appends it after its request, and other libraries
    write it in their own words around it.
    """
    for text in instructions:
        schema = _embedded_object(text)
        if schema is not None:
            return _fit(schema)
    return orjson.dumps({"answer": documented}).decode()


def _embedded_object(text: str) -> dict[str, Any] | None:
    """The first, widest JSON object in `text` that looks like a schema, if any."""
    starts = [index for index, char in enumerate(text) if char == "{"]
    ends = [index + 1 for index, char in enumerate(text) if char == "}"]
    for start in starts:
        for end in reversed(ends):
            if end <= start:
                break
            try:
                found = orjson.loads(text[start:end])
            except orjson.JSONDecodeError:
                continue
            if isinstance(found, dict) and ("properties" in found or "type" in found):
                return cast("dict[str, Any]", found)
    return None


def _objects(value: Any) -> list[dict[str, Any]]:
    """The JSON objects in a JSON array (none when `value` is no array)."""
    return [found for item in json_array(value) or () if (found := json_object(item)) is not None]


def _texts(messages: Any, roles: tuple[str, ...]) -> list[str]:
    """The text of the messages with these roles (string or text-part content)."""
    found: list[str] = []
    for message in _objects(messages):
        if message.get("role") in roles:
            content = message.get("content")
            texts = [content, *(part.get("text") for part in _objects(content))]
            found += [text for text in texts if isinstance(text, str)]
    return found


def _chat(request: dict[str, Any], template: dict[str, Any]) -> dict[str, Any] | None:
    tools: list[dict[str, Any]] = request.get("tools") or []
    functions = [t["function"] for t in tools if t.get("type") == "function"]
    messages = request.get("messages")
    answered = any(m.get("role") == "tool" for m in _objects(messages))
    calls = _called(request, functions, answered=answered)
    response_format: dict[str, Any] = request.get("response_format") or {}
    kind = response_format.get("type")
    if not calls and kind not in ("json_schema", "json_object"):
        return None
    message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
    if calls:
        message["tool_calls"] = [
            {
                "id": f"call_byot_{index}",
                "type": "function",
                "function": {"name": f["name"], "arguments": _fit(f.get("parameters"))},
            }
            for index, f in enumerate(calls, 1)
        ]
    elif kind == "json_object":
        documented = template["choices"][0]["message"]["content"]
        message["content"] = _json_mode(_texts(messages, ("system", "developer")), documented)
    else:
        message["content"] = _fit(response_format.get("json_schema", {}).get("schema"))
    choice: dict[str, Any] = {
        "index": 0,
        "message": {**message, "annotations": []},
        "finish_reason": "tool_calls" if calls else "stop",
        "logprobs": None,
    }
    return {**template, "model": request.get("model", template["model"]), "choices": [choice]}


def _response(request: dict[str, Any], template: dict[str, Any]) -> dict[str, Any] | None:
    tools: list[dict[str, Any]] = request.get("tools") or []
    items = _objects(request.get("input"))
    answered = any(item.get("type") == "function_call_output" for item in items)
    calls = _called(request, [t for t in tools if t.get("type") == "function"], answered=answered)
    text: dict[str, Any] = request.get("text") or {}
    text_format: dict[str, Any] = text.get("format") or {}
    kind = text_format.get("type")
    if not calls and kind not in ("json_schema", "json_object"):
        return None
    if calls:
        output = [
            {
                "type": "function_call",
                "id": f"fc_byot_{index}",
                "call_id": f"call_byot_{index}",
                "name": f["name"],
                "arguments": _fit(f.get("parameters")),
                "status": "completed",
            }
            for index, f in enumerate(calls, 1)
        ]
    else:
        if kind == "json_object":
            instructions = [request.get("instructions") or ""]
            instructions += _texts(items, ("system", "developer"))
            content = _json_mode(instructions, _documented_text(template))
        else:
            content = _fit(text_format.get("schema"))
        part: dict[str, Any] = {"type": "output_text", "text": content, "annotations": []}
        output = [
            {
                "type": "message",
                "id": "msg_byot_1",
                "role": "assistant",
                "status": "completed",
                "content": [part],
            }
        ]
    return {**template, "model": request.get("model", template["model"]), "output": output}


def _documented_text(template: dict[str, Any]) -> str:
    """The text of the documented Responses answer."""
    parts = [part for item in template["output"] for part in item.get("content", ())]
    return next(str(part["text"]) for part in parts if part.get("type") == "output_text")


def answer_stream(operation_id: str, document: dict[str, Any]) -> bytes:
    """`own_answer`'s document as the event stream its operation sends."""
    if operation_id == "createChatCompletion":
        return b"".join(sse_event(chunk) for chunk in _chat_chunks(document)) + SSE_DONE
    return b"".join(sse_event(event, event=event["type"]) for event in _response_events(document))


def _pieces(text: str) -> list[str]:
    size = max(1, -(-len(text) // _PIECES))
    return [text[start : start + size] for start in range(0, len(text), size)] or [""]


def _chat_chunks(document: dict[str, Any]) -> list[dict[str, Any]]:
    envelope: dict[str, Any] = {k: document[k] for k in ("id", "created", "model") if k in document}
    choice: dict[str, Any] = document["choices"][0]
    message: dict[str, Any] = choice["message"]

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        entry = {"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}
        return {**envelope, "object": "chat.completion.chunk", "choices": [entry]}

    chunks = [chunk({"role": "assistant", "content": None if message["content"] is None else ""})]
    if message["content"] is not None:
        chunks += [chunk({"content": piece}) for piece in _pieces(message["content"])]
    for index, call in enumerate(message.get("tool_calls", [])):
        function = call["function"]
        head = {"index": index, "id": call["id"], "type": "function"}
        chunks.append(chunk({"tool_calls": [{**head, "function": {"name": function["name"]}}]}))
        chunks += [
            chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
            for piece in _pieces(function["arguments"])
        ]
    chunks.append(chunk({}, choice["finish_reason"]))
    return chunks


def _response_events(document: dict[str, Any]) -> list[dict[str, Any]]:
    started: dict[str, Any] = {**document, "status": "in_progress", "output": []}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": started},
        {"type": "response.in_progress", "response": started},
    ]
    for index, item in enumerate(document["output"]):
        where = {"output_index": index, "item_id": item["id"]}
        if item["type"] == "function_call":
            opened: dict[str, Any] = {**item, "arguments": "", "status": "in_progress"}
            arguments = item["arguments"]
            events.append(
                {"type": "response.output_item.added", "output_index": index, "item": opened}
            )
            events += [
                {"type": "response.function_call_arguments.delta", **where, "delta": piece}
                for piece in _pieces(arguments)
            ]
            events.append(
                {"type": "response.function_call_arguments.done", **where, "arguments": arguments}
            )
        else:
            part = item["content"][0]
            text = part["text"]
            opened = {**item, "content": [], "status": "in_progress"}
            at = {**where, "content_index": 0}
            events += [
                {"type": "response.output_item.added", "output_index": index, "item": opened},
                {"type": "response.content_part.added", **at, "part": {**part, "text": ""}},
            ]
            events += [
                {"type": "response.output_text.delta", **at, "delta": piece}
                for piece in _pieces(text)
            ]
            events += [
                {"type": "response.output_text.done", **at, "text": text},
                {"type": "response.content_part.done", **at, "part": part},
            ]
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    events.append({"type": "response.completed", "response": document})
    return [{**event, "sequence_number": number} for number, event in enumerate(events)]
