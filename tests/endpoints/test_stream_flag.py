"""`"stream": true` sent to a method that reads one answer is refused before sending.

The answer would be server-sent events that no JSON decoder reads: the error names the
`*_stream` method instead (issue 16 item 3). Streams themselves: tests/endpoints/test_streams.py.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from byot.errors import StreamFlagError

if TYPE_CHECKING:
    from tests.conftest import Both

CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


@dataclasses.dataclass
class Chat:
    model: str
    stream: bool | None = None


def nothing_sent(request: httpx.Request) -> httpx.Response:
    pytest.fail(f"nothing may be sent: {request.method} {request.url}")


@pytest.mark.parametrize(
    ("method", "args", "kwargs", "flag", "stream_method"),
    [
        (
            "chat.completions.create",
            [{**CHAT, "stream": True}],
            {},
            "stream=True",
            "chat.completions.create_stream",
        ),
        (
            "chat.completions.create",
            [CHAT],
            {"extra_body": {"stream": True}},
            "stream=True",
            "chat.completions.create_stream",
        ),
        (
            "chat.completions.create",
            [Chat("m", stream=True)],
            {},
            "stream=True",
            "chat.completions.create_stream",
        ),
        (
            "chat.completions.create",
            [b'{"model": "m", "stream": true}'],
            {},
            "stream=True",
            "chat.completions.create_stream",
        ),
        (
            "responses.create",
            [{"model": "m", "stream": True}],
            {},
            "stream=True",
            "responses.create_stream",
        ),
        (
            "audio.speech.create",
            [{"model": "m", "input": "x", "stream_format": "sse"}],
            {},
            "stream_format='sse'",
            "audio.speech.create_stream",
        ),
        (
            "audio.speech.create_chunks",
            [{"model": "m", "stream_format": "sse"}],
            {},
            "stream_format='sse'",
            "audio.speech.create_stream",
        ),
        (
            "audio.transcriptions.create",
            [{"model": "m", "file": b"x", "stream": "true"}],
            {},
            "stream='true'",
            "audio.transcriptions.create_stream",
        ),
        (
            "responses.retrieve",
            ["resp_1"],
            {"query": {"stream": "true"}},
            "stream='true'",
            "responses.retrieve_stream",
        ),
    ],
)
def test_a_stream_flag_names_the_stream_method(
    both: Both,
    method: str,
    args: list[Any],
    kwargs: dict[str, Any],
    flag: str,
    stream_method: str,
) -> None:
    client = both.client(nothing_sent)
    target: Any = client
    for name in method.split("."):
        target = getattr(target, name)
    with pytest.raises(StreamFlagError) as info:
        both.call(target, *args, **kwargs)
    error = info.value
    assert (error.flag, error.stream_method) == (flag, stream_method)
    called = method.removesuffix("_chunks")  # the binary twin reports the operation's name
    assert str(error) == (
        f"{called}() reads one answer, but the request asks for a stream ({flag}): "
        f"call {stream_method}() for its events, or leave the flag out"
    )


def test_client_call_and_request_name_the_stream_method(both: Both) -> None:
    client = both.client(nothing_sent)
    body = {**CHAT, "stream": True}
    for call in (
        lambda: client.call("createChatCompletion", body),
        lambda: client.call("chat.completions.create", body),
    ):
        with pytest.raises(StreamFlagError, match=r"call chat\.completions\.create_stream\(\)"):
            both.run(call())
    with pytest.raises(StreamFlagError) as info:
        both.call(client.request, "POST", "/chat/completions", body)
    assert (info.value.method, info.value.stream_method) == (
        "request",
        "chat.completions.create_stream",
    )
    with pytest.raises(StreamFlagError, match=r"^request\(\) reads one answer"):
        both.call(client.request, "GET", "/responses/r1", query={"stream": "true"})


def test_request_to_a_route_outside_the_spec_says_how_to_stream_it(both: Both) -> None:
    client = both.client(nothing_sent)
    with pytest.raises(StreamFlagError) as info:
        both.call(client.request, "POST", "/acme/chat", {**CHAT, "stream": True})
    assert info.value.stream_method is None
    assert "with path='/your/route'" in str(info.value)
    with pytest.raises(StreamFlagError):
        both.call(client.request, "POST", "/acme/chat", CHAT, extra_body={"stream": "True"})


def test_no_stream_asked_is_sent(both: Both) -> None:
    seen: list[httpx.Request] = []
    client = both.client(lambda request: seen.append(request) or httpx.Response(200, json={}))
    both.call(client.chat.completions.create, {**CHAT, "stream": False})
    both.call(client.chat.completions.create, Chat("m"))
    both.call(client.chat.completions.create, b'{"model": "m"}')
    both.call(client.chat.completions.create, b"not json, but names stream")
    both.call(client.responses.retrieve, "resp_1")
    both.call(client.models.list)  # an operation that never streams
    both.call(client.request, "POST", "/acme/chat", {**CHAT, "stream": False})
    both.call(client.request, "POST", "/acme/chat", b"[1, 2]")
    both.call(client.request, "GET", "/models")
    # Outside the spec only `"stream": true` is known to ask for events.
    both.call(client.request, "GET", "/acme/things", query={"stream": "true"})
    both.call(client.request, "POST", "/acme/speech", {"stream_format": "sse"})
    assert len(seen) == 11
