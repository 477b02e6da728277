"""`SpecMock` refuses requests the spec refuses: a 400 in OpenAI's shape listing every issue."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import byot
from byot.testing import SpecMock

BAD_CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "usr", "content": "Hello!"}]}


def test_an_invalid_json_request_gets_a_400_with_its_issues(both: Any) -> None:
    mock = SpecMock()
    client = both.client(transport=mock, max_retries=0)
    with pytest.raises(byot.errors.BadRequestError) as caught:
        both.call(client.chat.completions.create, BAD_CHAT)
    error = caught.value
    assert error.code == "invalid_request"
    assert error.param == "messages[0].role"
    issues = error.body["error"]["issues"]
    assert issues[0]["path"] == "$.messages[0].role"
    assert "usr" in issues[0]["message"]
    assert error.error_message.startswith(
        "Invalid request for createChatCompletion (1 issue):\n  $.messages[0].role: "
    )
    assert mock.calls[0].operation_id == "createChatCompletion"
    assert mock.calls[0].response.status_code == 400


def test_every_issue_is_listed() -> None:
    mock = SpecMock()
    response = mock.handle_request(
        httpx.Request("POST", "http://m/v1/embeddings", json={"input": 5, "dimensions": "x"})
    )
    response.read()
    issues = response.json()["error"]["issues"]
    assert len(issues) >= 2
    assert {issue["path"] for issue in issues} >= {"$", "$.dimensions"}
    head, *lines = response.json()["error"]["message"].split("\n")
    assert head == f"Invalid request for createEmbedding ({len(issues)} issues):"
    assert lines == [f"  {i['path']}: {i['message']}" for i in issues]


def test_a_missing_required_body_is_a_400() -> None:
    mock = SpecMock()
    response = mock.handle_request(httpx.Request("POST", "http://m/v1/chat/completions"))
    response.read()
    assert response.status_code == 400
    assert response.json()["error"] == {
        "message": "createChatCompletion needs a request body",
        "type": "invalid_request_error",
        "param": None,
        "code": "missing_body",
    }


def test_an_optional_body_may_be_left_out() -> None:
    mock = SpecMock()
    response = mock.handle_request(httpx.Request("POST", "http://m/v1/threads"))
    assert response.status_code == 200


def test_multipart_requests_are_checked_as_typed_fields(both: Any) -> None:
    client = both.client(transport=SpecMock(), max_retries=0)
    good = {"file": ("a.wav", b"RIFF"), "model": "whisper-1", "temperature": 0.5}
    assert both.call(client.audio.transcriptions.create, good)["text"]
    with pytest.raises(byot.errors.BadRequestError) as caught:
        both.call(client.audio.transcriptions.create, {**good, "temperature": "hot"})
    assert caught.value.body["error"]["issues"][0]["path"] == "$.temperature"


def test_validation_can_be_turned_off(both: Any) -> None:
    client = both.client(transport=SpecMock(validate_requests=False))
    chat = both.call(client.chat.completions.create, BAD_CHAT)
    assert chat["object"] == "chat.completion"
