"""The logging switch: `BYOT_LOG` / `OPENAI_LOG` log requests and responses, never a secret."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import httpx
import pytest

import byot
from byot import _log
from byot.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterator

KEY = "sk-very-secret-key-123"


@pytest.fixture(autouse=True)
def byot_logger() -> Iterator[logging.Logger]:
    """The `byot` logger, put back as it was: the switch adds a handler and sets a level."""
    logger = logging.getLogger("byot")
    handlers, level = list(logger.handlers), logger.level
    yield logger
    logger.handlers[:] = handlers
    logger.setLevel(level)


def answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200,
        json={"id": "c", "choices": []},
        headers={"x-request-id": "req_9", "set-cookie": "session=abc"},
    )


def client() -> byot.Client:
    return byot.Client(
        api_key=KEY,
        base_url="https://example.test/v1?key=qkey",
        transport=httpx.MockTransport(answer),
        default_headers={"x-api-key": "other-secret"},
    )


def messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "byot"]


def test_debug_logs_requests_and_responses_with_secrets_hidden(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("BYOT_LOG", "debug")
    caplog.set_level(logging.DEBUG, logger="byot")

    client().chat.completions.create({"model": "m", "messages": []})

    lines = messages(caplog)
    request, response, body = lines
    assert request.startswith("request: POST https://example.test/v1")
    assert "'authorization': '<redacted>'" in request
    assert "'x-api-key': '<redacted>'" in request
    assert 'body={"model":"m","messages":[]}' in request
    assert response.startswith("response: 200 (request_id=req_9) headers=")
    assert "'set-cookie': '<redacted>'" in response
    assert body.endswith('-> 200 (23 bytes, request_id=req_9): {"id":"c","choices":[]}')
    for secret in (KEY, "other-secret", "qkey", "session=abc"):
        assert not any(secret in line for line in lines), secret


def test_a_password_in_the_url_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="byot")
    _log.log_request(httpx.Request("GET", "https://user:hunter2@example.test/v1/models"))
    assert messages(caplog) == ["request: GET https://example.test/v1/models"]


def test_info_logs_one_line_each_without_headers(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OPENAI_LOG", "info")  # the official SDK's name for the switch
    caplog.set_level(logging.INFO, logger="byot")

    client().models.list()

    assert messages(caplog) == [
        "request: GET https://example.test/v1?key=***",
        "response: 200 (request_id=req_9)",
    ]


def test_the_switch_adds_a_handler_only_when_there_is_none(
    monkeypatch: pytest.MonkeyPatch, byot_logger: logging.Logger
) -> None:
    byot_logger.handlers.clear()
    monkeypatch.setenv("BYOT_LOG", "INFO")
    client()
    client()
    [handler] = byot_logger.handlers
    assert isinstance(handler, logging.StreamHandler)
    assert byot_logger.level == logging.INFO


def test_with_options_does_not_log_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYOT_LOG", "debug")
    copy = client().with_options(timeout=3)
    assert copy._settings.event_hooks["request"] == [_log.log_request]
    assert copy._settings.event_hooks["response"] == [_log.log_response]


def test_the_switch_off_adds_no_hooks() -> None:
    assert client()._settings.event_hooks == {}


def test_byot_log_wins_over_openai_log() -> None:
    assert _log.level({"BYOT_LOG": "info", "OPENAI_LOG": "debug"}) == logging.INFO
    assert _log.level({"BYOT_LOG": " ", "OPENAI_LOG": "debug"}) == logging.DEBUG
    assert _log.level({}) is None


def test_an_unknown_level_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BYOT_LOG", "verbose")
    with pytest.raises(ConfigError, match="BYOT_LOG='verbose' is no log level: use debug or info"):
        client()


def test_a_streamed_upload_is_not_read_for_the_log(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("BYOT_LOG", "debug")
    caplog.set_level(logging.DEBUG, logger="byot")

    client().files.create({"file": ("data.jsonl", b'{"a": 1}\n'), "purpose": "batch"})

    assert messages(caplog)[0].endswith("body=(streamed)")


def test_a_long_body_is_cut_in_the_log() -> None:
    text = _log.excerpt(b"x" * (_log.EXCERPT + 5))
    assert text == "x" * _log.EXCERPT + "... (5 more bytes)"
