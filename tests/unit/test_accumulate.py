"""Stream accumulators: provider-shaped chat chunks and Responses events in, one result out."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from byot._accumulate import (
    ChatAccumulator,
    ResponseAccumulator,
    accumulate_chat,
    accumulate_response,
)

# ----------------------------------------------------------------------------- chat

HEAD = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1700000000}
MODEL = {**HEAD, "model": "gpt-4o-2024-08-06"}


def chunk(*choices: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {**MODEL, "choices": list(choices), **top}


def delta(index: int = 0, finish: str | None = None, **fields: Any) -> dict[str, Any]:
    return {"index": index, "delta": fields, "logprobs": None, "finish_reason": finish}


def call(index: int | None = None, **fields: Any) -> dict[str, Any]:
    return fields if index is None else {"index": index, **fields}


def message(content: Any = None, **fields: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": content, "refusal": None, **fields}


def completion(*choices: dict[str, Any], usage: Any = None, **top: Any) -> dict[str, Any]:
    out = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "gpt-4o-2024-08-06",
    }
    return {**out, **top, "choices": list(choices), "usage": usage}


def choice(msg: dict[str, Any], finish: str | None = "stop", index: int = 0, **more: Any) -> Any:
    return {"index": index, "message": msg, "finish_reason": finish, "logprobs": None, **more}


USAGE = {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12}
WEATHER = {"name": "get_weather", "arguments": ""}

CHAT_CASES: list[tuple[str, list[dict[str, Any]], dict[str, Any]]] = [
    (
        "plain: role chunk, content, finish, usage chunk with choices: []",
        [
            chunk(
                delta(role="assistant", content="", refusal=None),
                usage=None,
                service_tier="default",
                system_fingerprint="fp_1",
                obfuscation="Zq",
            ),
            chunk(delta(content="Hello"), usage=None, obfuscation="kQx"),
            chunk(delta(content=" world"), usage=None),
            chunk(delta(finish="stop"), usage=None),
            {**MODEL, "choices": [], "usage": USAGE, "obfuscation": "p"},
        ],
        completion(
            choice(message("Hello world")),
            usage=USAGE,
            system_fingerprint="fp_1",
            service_tier="default",
        ),
    ),
    (
        "n=2 choices interleaved, the second one first",
        [
            chunk(delta(1, role="assistant", content="")),
            chunk(delta(0, role="assistant", content="")),
            chunk(delta(1, content="B1"), delta(0, content="A1")),
            chunk(delta(0, content="A2")),
            chunk(delta(1, content="B2")),
            chunk(delta(1, "length"), delta(0, "stop")),
        ],
        completion(choice(message("A1A2")), choice(message("B1B2"), "length", index=1)),
    ),
    (
        "parallel tool calls by index (OpenAI)",
        [
            chunk(
                delta(
                    role="assistant",
                    content=None,
                    tool_calls=[call(0, id="call_a", type="function", function=WEATHER)],
                )
            ),
            chunk(delta(tool_calls=[call(0, function={"arguments": '{"city": '})])),
            chunk(delta(tool_calls=[call(0, function={"arguments": '"Paris"}'})])),
            chunk(delta(tool_calls=[call(1, id="call_b", type="function", function=WEATHER)])),
            chunk(delta(tool_calls=[call(1, function={"arguments": '{"city": "Rome"}'})])),
            chunk(delta(finish="tool_calls")),
        ],
        completion(
            choice(
                message(
                    tool_calls=[
                        {
                            "id": "call_a",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                        },
                        {
                            "id": "call_b",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'},
                        },
                    ]
                ),
                "tool_calls",
            )
        ),
    ),
    (
        "tool calls without index, by id (Gemini), signature and fragments without id",
        [
            {
                "choices": [
                    {
                        "delta": {
                            "role": "assistant",
                            "tool_calls": [
                                {
                                    "extra_content": {"google": {"thought_signature": "c2ln"}},
                                    "function": {"arguments": '{"city":"Paris"}', "name": "w"},
                                    "id": "function-call-1",
                                    "type": "function",
                                },
                                {
                                    "function": {"arguments": '{"city":', "name": "w"},
                                    "id": "function-call-2",
                                    "type": "function",
                                },
                            ],
                        },
                        "index": 0,
                    }
                ],
                "created": 1700000000,
                "model": "gemini-2.5-flash",
                "object": "chat.completion.chunk",
            },
            # An indexless, idless fragment continues the open call; so does a lone signature.
            {"choices": [{"delta": {"tool_calls": [{"function": {"arguments": '"Rome"}'}}]}}]},
            {
                "choices": [
                    {
                        "delta": {
                            "tool_calls": [
                                {"extra_content": {"google": {"thought_signature": "c2ln2"}}}
                            ]
                        }
                    }
                ]
            },
            # Gemini ends a tool-call turn with "stop" in streams (python-genai #2868).
            {"choices": [{"delta": {}, "finish_reason": "stop", "index": 0}], "usage": USAGE},
        ],
        {
            "id": None,
            "object": "chat.completion",
            "created": 1700000000,
            "model": "gemini-2.5-flash",
            "choices": [
                choice(
                    message(
                        tool_calls=[
                            {
                                "id": "function-call-1",
                                "type": "function",
                                "function": {"name": "w", "arguments": '{"city":"Paris"}'},
                                "extra_content": {"google": {"thought_signature": "c2ln"}},
                            },
                            {
                                "id": "function-call-2",
                                "type": "function",
                                "function": {"name": "w", "arguments": '{"city":"Rome"}'},
                                "extra_content": {"google": {"thought_signature": "c2ln2"}},
                            },
                        ]
                    )
                )
            ],
            "usage": USAGE,
        },
    ),
    (
        "duplicated index 0 with different ids (vLLM), id and type repeated as ''/'function'",
        [
            chunk(delta(role="assistant", content="")),
            chunk(
                delta(tool_calls=[call(0, id="chatcmpl-tool-A", type="function", function=WEATHER)])
            ),
            chunk(
                delta(tool_calls=[call(0, id="", type="function", function={"arguments": "{}"})])
            ),
            chunk(
                delta(tool_calls=[call(0, id="chatcmpl-tool-B", type="function", function=WEATHER)])
            ),
            chunk(
                delta(tool_calls=[call(0, id="", type="function", function={"arguments": '{"a"'})])
            ),
            chunk(delta(tool_calls=[call(0, type="function", function={"arguments": ": 1}"})])),
            chunk(delta(finish="tool_calls")),
        ],
        completion(
            choice(
                message(
                    "",
                    tool_calls=[
                        {
                            "id": "chatcmpl-tool-A",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": "{}"},
                        },
                        {
                            "id": "chatcmpl-tool-B",
                            "type": "function",
                            "function": {"name": "get_weather", "arguments": '{"a": 1}'},
                        },
                    ],
                ),
                "tool_calls",
            )
        ),
    ),
    (
        "the same id on every fragment and index 0 for both calls (SGLang, Ollama)",
        [
            chunk(delta(tool_calls=[call(0, id="0", function={"name": "f", "arguments": ""})])),
            chunk(delta(tool_calls=[call(0, id="0", function={"name": "", "arguments": "{"})])),
            chunk(delta(tool_calls=[call(0, id="0", function={"arguments": "}"})])),
            chunk(delta(tool_calls=[call(0, id="1", function={"name": "g", "arguments": "[]"})])),
            chunk(delta(tool_calls=[call(0, id="0", function={"arguments": " "})])),
        ],
        completion(
            choice(
                {
                    "role": "assistant",
                    "content": None,
                    "refusal": None,
                    "tool_calls": [
                        {
                            "id": "0",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{} "},
                        },
                        {
                            "id": "1",
                            "type": "function",
                            "function": {"name": "g", "arguments": "[]"},
                        },
                    ],
                },
                None,
            )
        ),
    ),
    (
        "Azure: empty first chunk, prompt_filter_results, a content-filter chunk without delta",
        [
            {
                "choices": [],
                "created": 0,
                "id": "",
                "model": "",
                "object": "",
                "prompt_filter_results": [
                    {
                        "prompt_index": 0,
                        "content_filter_results": {"hate": {"filtered": False, "severity": "safe"}},
                    }
                ],
            },
            chunk(
                {
                    "content_filter_results": {},
                    "delta": {"content": "", "refusal": None, "role": "assistant"},
                    "finish_reason": None,
                    "index": 0,
                    "logprobs": None,
                },
                system_fingerprint="fp_az",
            ),
            chunk(
                {
                    "content_filter_results": {
                        "hate": {"filtered": False, "severity": "safe"},
                        "violence": {"filtered": False, "severity": "safe"},
                    },
                    "delta": {"content": "Hi"},
                    "finish_reason": None,
                    "index": 0,
                }
            ),
            chunk({"delta": None, "finish_reason": "stop", "index": 0}),
            # The asynchronous filter's annotation: a choice with no delta at all.
            chunk(
                {
                    "content_filter_offsets": {
                        "check_offset": 0,
                        "start_offset": 0,
                        "end_offset": 2,
                    },
                    "content_filter_results": {
                        "protected_material_text": {"detected": False, "filtered": False},
                        "violence": {"filtered": False, "severity": "low"},
                    },
                    "finish_reason": None,
                    "index": 0,
                }
            ),
        ],
        completion(
            choice(
                message("Hi"),
                content_filter_results={
                    "hate": {"filtered": False, "severity": "safe"},
                    "violence": {"filtered": False, "severity": "low"},
                    "protected_material_text": {"detected": False, "filtered": False},
                },
                content_filter_offsets={"check_offset": 0, "start_offset": 0, "end_offset": 2},
            ),
            system_fingerprint="fp_az",
            prompt_filter_results=[
                {
                    "prompt_index": 0,
                    "content_filter_results": {"hate": {"filtered": False, "severity": "safe"}},
                }
            ],
        ),
    ),
    (
        "DeepSeek reasoning_content, then content",
        [
            chunk(delta(role="assistant", content=None, reasoning_content="")),
            chunk(delta(content=None, reasoning_content="Nine is ")),
            chunk(delta(content=None, reasoning_content="bigger.")),
            chunk(delta(content="9.11 < ", reasoning_content=None)),
            chunk(delta(content="9.9", reasoning_content=None)),
            chunk(delta(content="", reasoning_content=None, finish="stop")),
        ],
        completion(choice(message("9.11 < 9.9", reasoning_content="Nine is bigger."))),
    ),
    (
        "refusal",
        [
            chunk(delta(role="assistant", content=None, refusal="")),
            chunk(delta(refusal="I can't ")),
            chunk(delta(refusal="help with that.")),
            chunk(delta(finish="stop")),
        ],
        completion(
            choice({"role": "assistant", "content": None, "refusal": "I can't help with that."})
        ),
    ),
    (
        "logprobs: token lists concatenated",
        [
            chunk(
                {
                    **delta(role="assistant", content=""),
                    "logprobs": {"content": [], "refusal": None},
                }
            ),
            chunk(
                {
                    **delta(content="Hi"),
                    "logprobs": {
                        "content": [{"token": "Hi", "logprob": -0.1, "bytes": [72, 105]}],
                        "refusal": None,
                    },
                }
            ),
            chunk(
                {
                    **delta(content="!"),
                    "logprobs": {
                        "content": [{"token": "!", "logprob": -0.2, "bytes": [33]}],
                        "refusal": None,
                    },
                }
            ),
            chunk(delta(finish="stop")),
        ],
        completion(
            {
                "index": 0,
                "message": message("Hi!"),
                "finish_reason": "stop",
                "logprobs": {
                    "content": [
                        {"token": "Hi", "logprob": -0.1, "bytes": [72, 105]},
                        {"token": "!", "logprob": -0.2, "bytes": [33]},
                    ],
                    "refusal": None,
                },
            }
        ),
    ),
    (
        "provider fields kept: x_groq, provider, vLLM reasoning and stop_reason, OpenRouter",
        [
            chunk(
                delta(role="assistant", content="", reasoning="Think"),
                x_groq={"id": "req_1"},
                provider="Groq",
            ),
            chunk(
                {
                    **delta(
                        content="Hey",
                        reasoning="ing.",
                        reasoning_details=[{"type": "reasoning.text", "text": "Think"}],
                        annotations=None,
                    ),
                    "stop_reason": None,
                    "token_ids": [1, 2],
                }
            ),
            chunk(
                {
                    **delta(finish="stop", reasoning_details=[{"type": "reasoning.text"}]),
                    "stop_reason": 128009,
                    "native_finish_reason": "STOP",
                    "token_ids": [3],
                },
                x_groq={"id": "req_1", "usage": {"queue_time": 0.01}},
                provider="Groq",
                usage=USAGE,
            ),
        ],
        completion(
            choice(
                message(
                    "Hey",
                    reasoning="Thinking.",
                    reasoning_details=[
                        {"type": "reasoning.text", "text": "Think"},
                        {"type": "reasoning.text"},
                    ],
                    annotations=None,
                ),
                stop_reason=128009,
                token_ids=[1, 2, 3],
                native_finish_reason="STOP",
            ),
            usage=USAGE,
            x_groq={"id": "req_1", "usage": {"queue_time": 0.01}},
            provider="Groq",
        ),
    ),
    (
        "legacy function_call, name sent again, arguments joined",
        [
            chunk(delta(role="assistant", function_call={"name": "f", "arguments": ""})),
            chunk(delta(function_call={"name": "f", "arguments": '{"x"'})),
            chunk(delta(function_call={"arguments": ": 1}"}, tool_calls=None)),
            chunk(delta(function_call=None, finish="function_call")),
        ],
        completion(
            choice(
                message(function_call={"name": "f", "arguments": '{"x": 1}'}),
                "function_call",
            )
        ),
    ),
    (
        "odd shapes tolerated: no choice index, `message` for `delta`, junk entries",
        [
            chunk({"delta": {"content": "a"}}, "junk"),
            chunk({"index": True, "message": {"content": "b"}}),
            chunk(
                delta(
                    tool_calls=[
                        "junk",
                        # HF TGI sends the arguments as a JSON object.
                        call(0, id="t", function={"name": "f", "arguments": {"x": 1}, "strict": 1}),
                    ],
                    audio={"id": "audio_1", "transcript": "a"},
                )
            ),
            chunk(delta(audio={"id": "audio_1", "transcript": "b", "expires_at": 5})),
            {**MODEL, "choices": 7},
            chunk(delta(content=["part"], finish="stop")),
        ],
        completion(
            choice(
                message(
                    ["part"],
                    tool_calls=[
                        {
                            "id": "t",
                            "type": "function",
                            "function": {"name": "f", "arguments": {"x": 1}, "strict": 1},
                        }
                    ],
                    audio={"id": "audio_1", "transcript": "ab", "expires_at": 5},
                )
            )
        ),
    ),
    (
        "an empty stream",
        [],
        {
            "id": None,
            "object": "chat.completion",
            "created": None,
            "model": None,
            "choices": [],
            "usage": None,
        },
    ),
]


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [pytest.param(chunks, expected, id=name) for name, chunks, expected in CHAT_CASES],
)
def test_accumulate_chat(chunks: list[dict[str, Any]], expected: dict[str, Any]) -> None:
    before = copy.deepcopy(chunks)
    assert accumulate_chat(chunks) == expected
    assert chunks == before  # the caller's chunks are never modified


def test_chat_result_is_a_fresh_snapshot_at_any_point() -> None:
    acc = ChatAccumulator()
    acc.add(chunk(delta(role="assistant", content="Hel", tool_calls=[call(0, id="c")])))
    first = acc.result()
    assert first["choices"][0]["message"]["content"] == "Hel"
    first["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] = "changed"
    acc.add(chunk(delta(content="lo", tool_calls=[call(0, function={"arguments": "{}"})])))
    again = acc.result()
    assert again["choices"][0]["message"]["content"] == "Hello"
    assert again["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] == "{}"
    assert first["choices"][0]["message"]["content"] == "Hel"


def test_chat_keys_in_a_stable_order() -> None:
    result = accumulate_chat([chunk(delta(role="assistant", content="x", tool_calls=[call(0)]))])
    assert list(result) == ["id", "object", "created", "model", "choices", "usage"]
    assert list(result["choices"][0]["message"]) == ["role", "content", "refusal", "tool_calls"]


def test_chat_many_fragments_join_in_linear_time() -> None:
    pieces = [chunk(delta(content="x", tool_calls=[call(0, function={"arguments": "y"})]))] * 50_000
    message = accumulate_chat(pieces)["choices"][0]["message"]
    assert message["content"] == "x" * 50_000
    assert message["tool_calls"][0]["function"]["arguments"] == "y" * 50_000


# ----------------------------------------------------------------------------- responses

RESPONSE = {
    "id": "resp_1",
    "object": "response",
    "created_at": 1741476542,
    "status": "in_progress",
    "model": "gpt-4.1-2025-04-14",
    "output": [],
    "usage": None,
}
RESP_USAGE = {"input_tokens": 5, "output_tokens": 3, "total_tokens": 8}


def events(*items: dict[str, Any]) -> list[dict[str, Any]]:
    """Number the events as OpenAI does."""
    return [{**item, "sequence_number": n} for n, item in enumerate(items)]


def text_message(text: str, status: str = "completed") -> dict[str, Any]:
    part = {"type": "output_text", "text": text, "annotations": []}
    return {
        "id": "msg_1",
        "type": "message",
        "status": status,
        "role": "assistant",
        "content": [part] if text else [],
    }


CREATED = {"type": "response.created", "response": RESPONSE}
IN_PROGRESS = {"type": "response.in_progress", "response": RESPONSE}
MSG_ADDED = {
    "type": "response.output_item.added",
    "output_index": 0,
    "item": text_message("", "in_progress"),
}
PART_ADDED = {
    "type": "response.content_part.added",
    "item_id": "msg_1",
    "output_index": 0,
    "content_index": 0,
    "part": {"type": "output_text", "text": "", "annotations": []},
}


def text_delta(text: str, **more: Any) -> dict[str, Any]:
    return {
        "type": "response.output_text.delta",
        "item_id": "msg_1",
        "output_index": 0,
        "content_index": 0,
        "delta": text,
        "logprobs": [],
        **more,
    }


def completed(*output: dict[str, Any], kind: str = "completed", **more: Any) -> dict[str, Any]:
    response = {**RESPONSE, "status": kind, "output": list(output), "usage": RESP_USAGE, **more}
    return {"type": f"response.{kind}", "response": response}


TEXT_STREAM = events(
    CREATED,
    IN_PROGRESS,
    MSG_ADDED,
    PART_ADDED,
    text_delta("Hi"),
    text_delta(" there"),
    text_delta("!"),
    {
        "type": "response.output_text.done",
        "item_id": "msg_1",
        "output_index": 0,
        "content_index": 0,
        "text": "Hi there!",
        "logprobs": [],
    },
    {
        **PART_ADDED,
        "type": "response.content_part.done",
        "part": text_message("Hi there!")["content"][0],
    },
    {"type": "response.output_item.done", "output_index": 0, "item": text_message("Hi there!")},
    completed(text_message("Hi there!")),
)

FUNCTION_CALL = {
    "type": "function_call",
    "id": "fc_1",
    "call_id": "call_1",
    "name": "get_weather",
    "arguments": "",
    "status": "in_progress",
}


def arguments(piece: str) -> dict[str, Any]:
    return {
        "type": "response.function_call_arguments.delta",
        "item_id": "fc_1",
        "output_index": 0,
        "delta": piece,
    }


FUNCTION_STREAM = events(
    CREATED,
    {"type": "response.output_item.added", "output_index": 0, "item": FUNCTION_CALL},
    arguments('{"city":'),
    arguments(' "Paris"}'),
    {
        "type": "response.function_call_arguments.done",
        "item_id": "fc_1",
        "output_index": 0,
        "name": "get_weather",
        "arguments": '{"city": "Paris"}',
    },
    {
        "type": "response.output_item.done",
        "output_index": 0,
        "item": {**FUNCTION_CALL, "arguments": '{"city": "Paris"}', "status": "completed"},
    },
    completed({**FUNCTION_CALL, "arguments": '{"city": "Paris"}', "status": "completed"}),
)

RESPONSE_CASES: list[tuple[str, list[dict[str, Any]], dict[str, Any]]] = [
    (
        "text: the completed response, with output_text",
        TEXT_STREAM,
        {**completed(text_message("Hi there!"))["response"], "output_text": "Hi there!"},
    ),
    (
        "function call with arguments deltas",
        FUNCTION_STREAM,
        {
            **completed({**FUNCTION_CALL, "arguments": '{"city": "Paris"}', "status": "completed"})[
                "response"
            ],
            "output_text": "",
        },
    ),
    (
        "function call cut after its deltas: the arguments so far",
        FUNCTION_STREAM[:4],
        {
            **RESPONSE,
            "output": [{**FUNCTION_CALL, "arguments": '{"city": "Paris"}'}],
            "output_text": "",
        },
    ),
    (
        "text cut before any terminal: accumulated output, status as last seen",
        TEXT_STREAM[:6],
        {
            **RESPONSE,
            "output": [
                {
                    **text_message("", "in_progress"),
                    "content": [{"type": "output_text", "text": "Hi there", "annotations": []}],
                }
            ],
            "output_text": "Hi there",
        },
    ),
    (
        "incomplete: the terminal response as sent",
        events(
            CREATED,
            MSG_ADDED,
            PART_ADDED,
            text_delta("Once upon"),
            completed(
                text_message("Once upon", "incomplete"),
                kind="incomplete",
                incomplete_details={"reason": "max_output_tokens"},
            ),
        ),
        {
            **completed(
                text_message("Once upon", "incomplete"),
                kind="incomplete",
                incomplete_details={"reason": "max_output_tokens"},
            )["response"],
            "output_text": "Once upon",
        },
    ),
    (
        "failed with an empty output: what streamed is filled in",
        events(
            CREATED,
            MSG_ADDED,
            PART_ADDED,
            text_delta("Par"),
            {"type": "error", "code": "server_error", "message": "boom", "param": None},
            completed(kind="failed", error={"code": "server_error", "message": "boom"}),
        ),
        {
            **completed(kind="failed", error={"code": "server_error", "message": "boom"})[
                "response"
            ],
            "output": [
                {
                    **text_message("", "in_progress"),
                    "content": [{"type": "output_text", "text": "Par", "annotations": []}],
                }
            ],
            "output_text": "Par",
        },
    ),
    (
        "reasoning summary, refusal and a web search, each by its events",
        events(
            CREATED,
            {
                "type": "response.output_item.added",
                "output_index": 0,
                "item": {"id": "rs_1", "type": "reasoning", "summary": []},
            },
            {
                "type": "response.reasoning_summary_part.added",
                "item_id": "rs_1",
                "output_index": 0,
                "summary_index": 0,
                "part": {"type": "summary_text", "text": ""},
            },
            {
                "type": "response.reasoning_summary_text.delta",
                "item_id": "rs_1",
                "output_index": 0,
                "summary_index": 0,
                "delta": "**Plan**",
            },
            {
                "type": "response.reasoning_summary_text.delta",
                "item_id": "rs_1",
                "output_index": 0,
                "summary_index": 0,
                "delta": " ahead",
            },
            {
                "type": "response.output_item.added",
                "output_index": 1,
                "item": {"id": "ws_1", "type": "web_search_call", "status": "in_progress"},
            },
            {"type": "response.web_search_call.searching", "item_id": "ws_1", "output_index": 1},
            {"type": "response.web_search_call.completed", "item_id": "ws_1", "output_index": 1},
            {
                "type": "response.output_item.added",
                "output_index": 2,
                "item": {**text_message("", "in_progress"), "id": "msg_2"},
            },
            {
                "type": "response.content_part.added",
                "item_id": "msg_2",
                "output_index": 2,
                "content_index": 0,
                "part": {"type": "refusal", "refusal": ""},
            },
            {
                "type": "response.refusal.delta",
                "item_id": "msg_2",
                "output_index": 2,
                "content_index": 0,
                "delta": "No",
            },
            {
                "type": "response.refusal.done",
                "item_id": "msg_2",
                "output_index": 2,
                "content_index": 0,
                "refusal": "No.",
            },
        ),
        {
            **RESPONSE,
            "output": [
                {
                    "id": "rs_1",
                    "type": "reasoning",
                    "summary": [{"type": "summary_text", "text": "**Plan** ahead"}],
                },
                {"id": "ws_1", "type": "web_search_call", "status": "completed"},
                {
                    **text_message("", "in_progress"),
                    "id": "msg_2",
                    "content": [{"type": "refusal", "refusal": "No."}],
                },
            ],
            "output_text": "",
        },
    ),
    (
        "no added events, no output_index: items and parts found by id or made up",
        [
            {"type": "response.output_text.delta", "item_id": "msg_9", "delta": "a"},
            {
                "type": "response.output_text.delta",
                "item_id": "msg_9",
                "delta": "b",
                "logprobs": [{"token": "b", "logprob": -0.5}],
            },
            {
                "type": "response.output_text.annotation.added",
                "item_id": "msg_9",
                "content_index": 0,
                "annotation_index": 0,
                "annotation": {"type": "url_citation", "url": "https://example.com"},
            },
            {"type": "response.custom_tool_call_input.delta", "item_id": "ctc_1", "delta": "ls"},
            {"type": "response.custom_tool_call_input.done", "item_id": "ctc_1", "input": None},
            {"type": "response.mcp_call.completed", "item_id": "ctc_1"},
            {"type": "response.mcp_call.failed", "item_id": "unknown"},
            {"type": "response.reasoning_text.delta", "output_index": 3, "delta": "hm"},
            {"type": "response.reasoning_text.delta", "output_index": 3, "delta": 7},
            {
                "type": "response.output_item.added",
                "item": {"id": "ctc_1", "type": "custom_tool_call", "input": "ls"},
            },
            {"type": "response.output_item.added", "item": "junk"},
            {
                "type": "response.content_part.added",
                "item_id": "msg_9",
                "part": {"type": "output_text", "text": "ab!"},
            },
            {"type": "response.code_interpreter_call_code.done", "output_index": 5, "code": "1+1"},
            {
                "type": "response.content_part.done",
                "output_index": 6,
                "content_index": 1,
                "part": "x",
            },
            {"type": "response.refusal.delta", "output_index": 6, "content_index": 0, "delta": "n"},
            {"type": "response.audio.delta", "delta": "AAAA"},
            {"type": "response.created", "response": None},
            {"type": 7},
            {"type": "keepalive"},
        ],
        {
            "output": [
                {
                    "id": "msg_9",
                    "type": "message",
                    "content": [
                        {
                            "type": "output_text",
                            "text": "ab",
                            "annotations": [{"type": "url_citation", "url": "https://example.com"}],
                            "logprobs": [{"token": "b", "logprob": -0.5}],
                        },
                        {"type": "output_text", "text": "ab!"},
                    ],
                },
                {"id": "ctc_1", "type": "custom_tool_call", "input": "ls"},
                {
                    "id": None,
                    "type": "reasoning",
                    "content": [{"type": "reasoning_text", "text": "hm"}],
                },
                {"id": None, "type": "code_interpreter_call", "code": "1+1"},
                {
                    "id": None,
                    "type": "message",
                    # The part that was not an object is replaced by the refusal part.
                    "content": [{"type": "refusal", "refusal": "n"}],
                },
            ],
            "output_text": "abab!",
        },
    ),
]


@pytest.mark.parametrize(
    ("stream", "expected"),
    [pytest.param(stream, expected, id=name) for name, stream, expected in RESPONSE_CASES],
)
def test_accumulate_response(stream: list[dict[str, Any]], expected: dict[str, Any]) -> None:
    before = copy.deepcopy(stream)
    assert accumulate_response(stream) == expected
    assert stream == before  # the caller's events are never modified


def test_terminal_with_fewer_items_than_streamed_gets_the_rest() -> None:
    stream = [*FUNCTION_STREAM[:-1], *TEXT_STREAM[2:-1]]
    # The text message streamed at output_index 0 too: move it to 1.
    for event in stream[len(FUNCTION_STREAM) - 1 :]:
        if "output_index" in event:
            event["output_index"] = 1
    terminal = completed({**FUNCTION_CALL, "arguments": "{}", "status": "completed"})
    result = accumulate_response([*stream, terminal])
    assert [item["type"] for item in result["output"]] == ["function_call", "message"]
    assert result["output"][0]["arguments"] == "{}"  # the terminal's items win
    assert result["output_text"] == "Hi there!"
    assert result["status"] == "completed"


def test_terminal_without_output_and_nothing_streamed() -> None:
    response = {"id": "resp_2", "status": "completed"}
    result = accumulate_response([{"type": "response.completed", "response": response}])
    assert result == {**response, "output": [], "output_text": ""}


def test_response_result_is_a_fresh_snapshot() -> None:
    acc = ResponseAccumulator()
    for event in TEXT_STREAM[:5]:
        acc.add(event)
    first = acc.result()
    first["output"][0]["content"][0]["text"] = "changed"
    acc.add(TEXT_STREAM[5])
    assert acc.result()["output_text"] == "Hi there"
    assert first["output_text"] == "Hi"


def test_status_event_for_an_item_without_status_adds_none() -> None:
    stream = [
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {"id": "l", "type": "mcp_list_tools"},
        },
        {"type": "response.mcp_list_tools.completed", "output_index": 0, "item_id": "l"},
    ]
    assert accumulate_response(stream)["output"] == [{"id": "l", "type": "mcp_list_tools"}]


# ----------------------------------------------------------------------------- depth


def deep(depth: int, leaf: Any) -> Any:
    """`{"a": {"a": ... leaf}}`, built without recursion."""
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


def bottom(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = value["a"]
    return value


DEEP = 5_000  # far past Python's recursion limit (orjson itself reads at most 1,024 levels)


def test_chat_chunks_merge_at_any_depth() -> None:
    chunks = [
        chunk(delta(content="a", odd=deep(DEEP, {"text": "x", "n": 1})), x_top=deep(DEEP, [1])),
        chunk(delta(content="b", odd=deep(DEEP, {"text": "y", "m": 2})), x_top=deep(DEEP, [2])),
    ]
    merged = accumulate_chat(chunks)

    fields = merged["choices"][0]["message"]
    assert fields["content"] == "ab"
    assert bottom(fields["odd"], DEEP) == {"text": "xy", "n": 1, "m": 2}  # delta strings join
    assert bottom(merged["x_top"], DEEP) == [1, 2]
    assert list(bottom(merged["x_top"], DEEP - 1)) == ["a"]


def test_merged_keys_keep_the_order_they_came_in() -> None:
    merged = accumulate_chat([chunk(delta(x={"b": 1, "a": {"d": 1, "c": 2}}), z=1, y=2)])
    assert list(merged["choices"][0]["message"]["x"]) == ["b", "a"]
    assert list(merged["choices"][0]["message"]["x"]["a"]) == ["d", "c"]
    assert list(merged)[-2:] == ["z", "y"]


def test_a_response_snapshot_is_copied_at_any_depth() -> None:
    response = {"id": "resp_1", "status": "completed", "output": [], "x": deep(DEEP, ["leaf"])}
    merged = accumulate_response([{"type": "response.completed", "response": response}])
    assert bottom(merged["x"], DEEP) == ["leaf"]
    assert bottom(merged["x"], DEEP) is not bottom(response["x"], DEEP)  # a copy, not shared
