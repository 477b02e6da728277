"""Fuzzing with hypothesis: what the network sends and what the caller passes, arbitrary.

Each target runs as many cases as the active profile says (tests/conftest.py: "ci" 10,000,
the default; "long" 200,000 with `HYPOTHESIS_PROFILE=long`). The inputs go through the real
client (over `httpx.MockTransport`) wherever that is cheap enough, so the property holds for
what a caller sees, not only for a helper.
"""

from __future__ import annotations

import math
import pickle
import re
from typing import Any
from urllib.parse import unquote

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import byot
from byot import errors, webhooks
from byot._retry import retry_after
from byot._sse import SSEDecoder
from byot._status import make_status_error

FUZZ = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# The four targets run the profile's count; the extra ones, cheap insurance, a fifth.
EXTRA = settings(FUZZ, max_examples=max(1, settings.default.max_examples // 5))

# The bytes SSE cares about: each byte of a drawn program becomes one fragment (cheap to
# draw, so 10,000 cases take seconds), so arbitrary input still forms fields and events.
FRAGMENTS = [
    *(b"data:", b"data: ", b"event:", b"event: x", b"id:", b"id: 7", b"retry:", b"retry: 5"),
    *(b":", b" ", b"\n", b"\r", b"\r\n", b"\n\n", b"\xef\xbb\xbf", b"\x00", b"[DONE]", b"{}"),
    *(b"\xc3", b"\xa9", b"\xff", b"x", b"data: [DONE]\n\n", b'data: {"a": 1}\n\n'),
]
SSE_BYTES = st.binary(max_size=60).map(
    lambda program: b"".join(
        FRAGMENTS[b % len(FRAGMENTS)] if b < 128 else bytes([b]) for b in program
    )
)


def decode(reads: list[bytes]) -> list[Any]:
    decoder = SSEDecoder()
    events = [event for chunk in reads for event in decoder.feed(chunk)]
    return events + decoder.flush()


def split(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(body) + 1) for cut in cuts})
    return [body[a:b] for a, b in zip([0, *points], [*points, len(body)], strict=True)]


@FUZZ
@given(st.one_of(SSE_BYTES, st.binary(max_size=200)), st.lists(st.integers(0, 10**6), max_size=8))
def test_sse_decoding_is_the_same_however_the_bytes_are_split(body: bytes, cuts: list[int]) -> None:
    whole = decode([body])
    assert decode(split(body, cuts)) == whole
    for event in whole:  # what the decoder promises of every event
        assert isinstance(event.data, bytes)
        assert event.event is None or isinstance(event.event, str)


class Answer:
    """The reply of the mock transport, changed by each case."""

    status = 200
    content = b""
    content_type = "application/json"

    sent: list[httpx.Request] = []  # noqa: RUF012 - one shared answer, reset by each case

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return httpx.Response(
            self.status, content=self.content, headers={"content-type": self.content_type}
        )


# Error documents in the shapes providers send and in broken ones, built from cheap draws.
SHAPES = [
    lambda text, n: {"error": {"message": text, "type": text, "code": n, "param": None}},
    lambda text, n: {"error": {"message": n, "code": [text]}},
    lambda text, n: {"error": text},
    lambda text, n: {"error": [text, n]},
    lambda text, n: {"error": None, "message": text},
    lambda text, n: {"detail": text},
    lambda text, n: {"detail": [{"msg": text, "loc": ["body", n]}, n]},
    lambda text, n: [{"error": {"message": text}}],
    lambda text, n: text,
    lambda text, n: n,
    lambda text, n: {"error": {"message": {"nested": text}, "type": n}},
]
ERROR_JSON = st.tuples(
    st.sampled_from(SHAPES), st.text(max_size=12), st.integers(-(2**63), 2**63 - 1)
).map(lambda drawn: orjson.dumps(drawn[0](drawn[1], drawn[2])))
ANSWER = Answer()
CLIENT = byot.Client(
    base_url="http://test.local/v1",
    api_key="sk-test",
    transport=httpx.MockTransport(ANSWER),
    max_retries=0,
)


@FUZZ
@given(st.integers(400, 599), st.one_of(st.binary(max_size=300), ERROR_JSON))
@example(429, b'{"error": {"type": "insufficient_quota"}}')
@example(500, b"\xff\xfe<html><title>\xc3(</title>")
def test_any_error_body_gives_a_status_error(status: int, content: bytes) -> None:
    ANSWER.status, ANSWER.content, ANSWER.content_type = status, content, "application/json"

    with pytest.raises(errors.APIStatusError) as info:
        CLIENT.request("POST", "/x", body={})

    error = info.value
    assert error.status_code == status
    assert error.message.startswith(f"{status} ")
    assert error.raw == content
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (type(copy), str(copy)) == (type(error), str(error))


@EXTRA
@given(st.one_of(st.binary(max_size=300), SSE_BYTES))
def test_any_event_stream_body_gives_items_or_a_byot_error(content: bytes) -> None:
    ANSWER.status, ANSWER.content, ANSWER.content_type = 200, content, "text/event-stream"

    stream = CLIENT.chat.completions.create_stream({"model": "m", "messages": []})
    try:
        for item in stream:
            assert isinstance(item, dict)
    except (errors.StreamError, errors.DecodeError):
        pass  # a provider's error event, a cut stream, or data that is not JSON: all typed
    assert stream.is_closed


SEGMENT = st.one_of(
    st.text(min_size=1),
    st.sampled_from([".", "..", "%2e", "%2E%2E", "/", "a/../b", "?x=1", "#f", "%", "%2F", " "]),
)


def dot_segment(value: str) -> bool:
    """`.` or `..`, also percent-encoded any number of times: what byot refuses to send."""
    while value not in {".", ".."}:
        decoded = unquote(value)
        if decoded == value:
            return False
        value = decoded
    return True


@FUZZ
@given(SEGMENT)
def test_no_path_parameter_escapes_its_segment(value: str) -> None:
    ANSWER.status, ANSWER.content, ANSWER.content_type = 200, b"{}", "application/json"
    ANSWER.sent.clear()

    if dot_segment(value):  # a proxy would resolve it away: refused, nothing sent
        with pytest.raises(errors.ConfigError, match="a dot segment"):
            CLIENT.files.retrieve(value)
        assert ANSWER.sent == []
        return
    CLIENT.files.retrieve(value)

    url = ANSWER.sent[0].url
    raw_path = url.raw_path.decode("ascii")
    assert "?" not in raw_path
    assert "#" not in raw_path
    parts = raw_path.split("/")
    assert parts[:3] == ["", "v1", "files"]
    assert len(parts) == 4
    assert unquote(parts[3]) == value
    assert parts[3] not in {".", ".."}


HEADER_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")  # every control character but the tab


def sendable(name: str, value: str) -> bool:
    """What byot sends as it is: a token name, a printable ASCII value without edge spaces."""
    return (
        bool(HEADER_TOKEN.match(name))
        and value.isascii()
        and not CONTROL.search(value)
        and value == value.strip(" \t")
    )


SECRET = "sk-FUZZ-SECRET"


@FUZZ
@given(
    st.text(min_size=1, max_size=12),
    st.text(max_size=20),
    st.sampled_from(["", "\r", "\n", "\r\n", "\x00", "\r\nX-Injected: 1"]),
    st.integers(0, 20),
)
def test_a_header_that_could_split_the_request_is_refused(
    name: str, value: str, bad: str, at: int
) -> None:
    value = value[:at] + bad + value[at:]
    ANSWER.status, ANSWER.content, ANSWER.content_type = 200, b"{}", "application/json"
    ANSWER.sent.clear()
    sent = ANSWER.sent
    if sendable(name, value):
        CLIENT.request("GET", "/x", headers={name: value})
        assert sent[0].headers[name] == value
    else:
        # The secret goes where it keeps the value unsendable (not after a trailing space).
        secret = next(v for v in (value + SECRET, SECRET + value) if not sendable(name, v))
        with pytest.raises(ValueError, match="invalid") as info:
            CLIENT.request("GET", "/x", headers={name: secret})
        assert sent == []
        assert SECRET not in str(info.value)
        assert SECRET not in repr(info.value)


@EXTRA
@given(st.text(max_size=40), st.sampled_from(["", "\r\n", "\n", "\x00", "é", "\u2028"]))
def test_a_bad_api_key_is_refused_without_echoing_it(key: str, bad: str) -> None:
    key = SECRET + key + bad
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    if sendable("Authorization", f"Bearer {key}"):
        client = byot.Client(api_key=key, base_url="http://test.local/v1", transport=transport)
        assert client.request("GET", "/x") == {}
        return
    with pytest.raises(ValueError, match="invalid value for header 'Authorization'") as info:
        byot.Client(api_key=key, base_url="http://test.local/v1", transport=transport)
    assert "SECRET" not in str(info.value)
    assert "SECRET" not in repr(info.value)


@EXTRA
@given(
    st.dictionaries(
        st.sampled_from(["retry-after", "retry-after-ms", "x-other"]),
        st.one_of(
            st.text(st.characters(max_codepoint=127), max_size=40),
            st.floats().map(str),
            st.integers().map(str),
        ),
    )
)
def test_any_retry_after_is_a_number_of_seconds_or_none(headers: dict[str, str]) -> None:
    wait = retry_after(httpx.Headers(headers), now=1_700_000_000.0)
    assert wait is None or math.isfinite(wait)
    error = make_status_error(
        method="GET", url="u", status=429, headers=httpx.Headers(headers), raw=b""
    )
    policy = byot.RetryPolicy(max_retry_after=60, max_delay=8)
    delay = policy.delay(1, error)
    assert 0 <= delay <= 60
    if policy.should_retry(error):
        assert wait is None or wait <= 60


@EXTRA
@given(
    st.binary(max_size=100),
    st.dictionaries(
        st.sampled_from(["webhook-id", "webhook-timestamp", "webhook-signature", "x"]),
        st.text(max_size=60),
    ),
)
def test_any_webhook_delivery_is_accepted_or_refused_typed(
    payload: bytes, headers: dict[str, str]
) -> None:
    secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    with pytest.raises(errors.InvalidWebhookSignatureError) as info:
        webhooks.verify(payload, headers, secret=secret, now=1_700_000_000)
    assert "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" not in str(info.value)
