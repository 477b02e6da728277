"""`SpecMock` in detail: routing, request bodies, answers; and the instance synthesizer."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

import byot
from byot.testing import SpecMock
from byot.testing._mock import _body, _spec
from byot.testing._synth import Synthesizer
from tests.testing.helpers import EXAMPLES, OPERATIONS, bundle, call_args, strict_errors

BASE = "http://mock.test"


def send(mock: SpecMock, method: str, path: str, **kwargs: Any) -> httpx.Response:
    response = mock.handle_request(httpx.Request(method, BASE + path, **kwargs))
    response.read()
    return response


def test_paths_with_and_without_v1_and_fixed_queries() -> None:
    mock = SpecMock(validate_requests=False)
    assert send(mock, "GET", "/v1/models").status_code == 200
    assert send(mock, "GET", "/v1/models/").status_code == 200
    send(mock, "POST", "/v1/responses?beta=true", json={"model": "m"})
    send(mock, "POST", "/v1/responses", json={"model": "m"})
    send(mock, "GET", "/v1/files/a%2Fb")
    assert [c.operation_id for c in mock.calls] == [
        "listModels",
        "listModels",
        "beta_createResponse",
        "createResponse",
        "retrieveFile",
    ]
    assert mock.calls[-1].path_params == {"file_id": "a/b"}


@pytest.mark.parametrize("path", ["/models", "/chat/completions", "/", "/v1beta", "/api/v1/models"])
def test_a_path_without_the_v1_prefix_is_refused_with_the_fix(path: str) -> None:
    mock = SpecMock()
    refused = send(mock, "GET", path)
    assert refused.status_code == 404
    message = refused.json()["error"]["message"]
    assert message == (
        f"{path} is not under /v1, where the OpenAI API's paths are: a base URL ends in /v1, "
        "e.g. http://mock.test/v1"
    )
    assert mock.calls[0].operation_id is None


def test_providers_openai_compatible_prefixes_are_served() -> None:
    mock = SpecMock()
    chat = {"messages": [{"role": "user", "content": "Hi"}]}
    gemini = send(mock, "POST", "/v1beta/openai/chat/completions", json={**chat, "model": "g"})
    azure_v1 = send(mock, "POST", "/openai/v1/chat/completions", json={**chat, "model": "a"})
    # Azure's classic routes name the model in the path: the body needs none.
    classic = send(mock, "POST", "/openai/deployments/my-gpt/chat/completions", json=chat)
    files = send(mock, "GET", "/openai/deployments/my-gpt/files")
    assert [r.status_code for r in (gemini, azure_v1, classic, files)] == [200] * 4
    assert [gemini.json()["model"], azure_v1.json()["model"], classic.json()["model"]] == [
        "g",
        "a",
        "my-gpt",
    ]
    assert [c.operation_id for c in mock.calls] == ["createChatCompletion"] * 3 + ["listFiles"]


def test_literal_segments_win_over_placeholders() -> None:
    operations, _ = _spec()
    templates = [op.path.template for op in operations]
    # /vector_stores/{id}/search must be tried before a template with a placeholder there.
    ordered = [(op.path.specificity, len(op.fixed_query)) for op in operations]
    assert ordered == sorted(ordered, reverse=True)
    assert len(templates) == 288


def test_unknown_urls_and_methods() -> None:
    mock = SpecMock()
    missing = send(mock, "GET", "/v1/nowhere")
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "message": "no operation of the OpenAI spec matches GET /v1/nowhere",
        "type": "invalid_request_error",
        "param": None,
        "code": "unknown_url",
    }
    wrong = send(mock, "DELETE", "/v1/chat/completions")
    assert wrong.status_code == 405
    assert wrong.json()["error"]["message"] == (
        "DELETE is not an operation of /v1/chat/completions (it takes GET, POST)"
    )
    assert [c.operation_id for c in mock.calls] == [None, None]


def test_a_body_that_is_not_json_is_a_400() -> None:
    mock = SpecMock()
    response = send(
        mock,
        "POST",
        "/v1/chat/completions",
        content=b"{nope",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_body"
    assert error["message"].startswith("createChatCompletion: the request body is not JSON")


def test_multipart_forms_come_back_typed() -> None:
    request = httpx.Request(
        "POST",
        BASE + "/v1/audio/transcriptions",
        data={
            "model": "whisper-1",
            "temperature": "0.5",
            "stream": "true",
            "include[]": ["logprobs"],
            "known_speaker_names[]": ["a", "b"],
            "language": "12",
            "chunking_strategy": '{"type": "server_vad"}',
        },
        files={"file": ("a.wav", b"RIFF", "audio/wav")},
    )
    request.read()
    info = OPERATIONS["createTranscription"]
    assert _body(request, info) == {
        "model": "whisper-1",
        "temperature": 0.5,
        "stream": True,
        "include": ["logprobs"],
        "known_speaker_names": ["a", "b"],
        "language": "12",  # a string field stays a string
        "chunking_strategy": '{"type": "server_vad"}',  # a string is allowed here too
        "file": b"RIFF",
    }


def test_multipart_mappings_json_parts_and_untyped_text() -> None:
    request = httpx.Request(
        "POST",
        BASE + "/v1/files",
        data={
            "purpose": "batch",
            "expires_after[anchor]": "created_at",
            "expires_after[seconds]": "3600",
            "unknown": "x",
        },
        files={
            "file": ("d.jsonl", b"{}\n", "application/jsonl"),
            "meta": (None, b'{"a": [1]}', "application/json"),
        },
    )
    request.read()
    assert _body(request, OPERATIONS["createFile"]) == {
        "purpose": "batch",
        "expires_after": {"anchor": "created_at", "seconds": 3600},
        "unknown": "x",
        "file": b"{}\n",
        "meta": {"a": [1]},
    }


def test_multipart_values_that_do_not_fit_stay_text() -> None:
    request = httpx.Request(
        "POST",
        BASE + "/v1/images/edits",
        data={"n": "many", "stream": "maybe", "partial_images": "²"},
        files={"image": ("i.png", b"png")},
    )
    request.read()
    body = _body(request, OPERATIONS["createImageEdit"])
    assert (body["n"], body["stream"], body["partial_images"]) == ("many", "maybe", "²")
    assert (
        not SpecMock(validate_requests=False)
        .handle_request(request)
        .headers["content-type"]
        .startswith("text/event-stream")
    )


def test_multipart_to_an_operation_without_a_body_is_kept_as_text() -> None:
    request = httpx.Request("POST", BASE + "/v1/batches/b1/cancel", files={"n": (None, b"1")})
    request.read()
    assert _body(request, OPERATIONS["cancelBatch"]) == {"n": "1"}


def test_bad_multipart_is_a_400() -> None:
    mock = SpecMock()
    boundary = "xyz"
    content = (
        f"--{boundary}\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--{boundary}--\r\n"
    ).encode()
    response = send(
        mock,
        "POST",
        "/v1/files",
        content=content,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "createFile: a multipart part has no name="


def test_stream_flags() -> None:
    mock = SpecMock(validate_requests=False)
    events = "text/event-stream"
    assert send(mock, "GET", "/v1/responses/r1?stream=true").headers["content-type"] == events
    assert send(mock, "GET", "/v1/responses/r1").headers["content-type"] == "application/json"
    speech = {"model": "tts-1", "input": "hi", "voice": "alloy"}
    assert send(mock, "POST", "/v1/audio/speech", json=speech).content.startswith(b"byot.testing")
    sse = send(mock, "POST", "/v1/audio/speech", json={**speech, "stream_format": "sse"})
    assert sse.headers["content-type"] == events
    assert sse.content.startswith(b'data: {"type":"speech.audio.done",')
    listed = send(mock, "POST", "/v1/chat/completions", json=[1, 2])
    assert listed.headers["content-type"] == "application/json"
    flag_off = send(mock, "POST", "/v1/chat/completions", json={"stream": False})
    assert flag_off.headers["content-type"] == "application/json"


def test_lists_are_served_as_one_page(both: Any) -> None:
    documented = EXAMPLES["operations"]["listEvals"]["response"]
    assert documented["has_more"] is True
    client = both.client(transport=SpecMock())
    items = both.call(client.evals.list_items) if not both.is_async else None
    if items is not None:
        assert len(list(items)) == len(documented["data"])
    page = both.call(client.evals.list)
    ids = [item["id"] for item in documented["data"]]
    assert page == {**documented, "has_more": False, "first_id": ids[0], "last_id": ids[-1]}


def test_streams_documented_elsewhere_are_reused() -> None:
    # getResponse has no streaming example; createResponse streams the same events.
    mock = SpecMock()
    replay = send(mock, "GET", "/v1/responses/r1?stream=true").content
    model = orjson.loads(replay.split(b"\ndata: ", 1)[1].split(b"\n")[0])["response"]["model"]
    body = {"model": model, "input": "x", "stream": True}
    created = send(mock, "POST", "/v1/responses", json=body)
    assert replay == created.content
    assert replay.startswith(b"event: response.created\n")


def test_the_readme_main_job_prints_a_real_completion() -> None:
    with byot.Client(base_url="http://mock/v1", api_key="sk-test", transport=SpecMock()) as client:
        chat = client.chat.completions.create(
            {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hello!"}]}
        )
    assert chat["object"] == "chat.completion"
    assert chat["choices"][0]["message"] == {
        "role": "assistant",
        "content": "Hello! How can I assist you today?",
        "refusal": None,
        "annotations": [],
    }


# ----------------------------------------------------------------------------- examples.json


def test_examples_cover_the_spec_and_name_what_they_rejected() -> None:
    operations = EXAMPLES["operations"]
    assert set(operations) <= set(OPERATIONS)
    assert sum("response" in entry for entry in operations.values()) > 200
    assert {key.partition("#")[0] for key in EXAMPLES["rejected"]} == {
        "runGrader",
        "searchVectorStore",
    }
    assert "text" in operations["create-realtime-call"]
    chat = operations["createChatCompletion"]["stream"]
    assert [name for name, _ in chat] == [None] * 3
    assert [name for name, _ in operations["createResponse"]["stream"]][-1] == "response.completed"


def test_examples_generator_on_a_small_spec() -> None:
    from tests.schemas import generator

    gen = generator()
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    event = {"type": "object", "properties": {"type": {"type": "string"}}}
    soft = {"R": gen.lenient(schema), "E": gen.lenient(event)}
    stream = {"schema": "#/$defs/E", "framing": "event"}
    index = {
        "ok": {"responses": {"200": {"json": "#/$defs/R"}}, "stream": stream, "result": "json"},
        "bad": {"responses": {"200": {"json": "#/$defs/R"}}, "stream": stream, "result": "json"},
        "sdp": {
            "responses": {"201": {"raw": ["application/sdp"]}},
            "stream": None,
            "result": "text",
        },
    }
    transcript = (
        'event: a\ndata: {"type": "a"}\n\n....\n\n: comment\ndata: {"type": "b",}\n\ndata: [DONE]\n'
    )
    examples = {
        "ok": [
            {"response": '{"n": 1,}'},
            {"response": '{"n": 2}'},
            {"title": "Streaming", "response": transcript},
            {"title": "Streaming again", "response": 'data: {"type": "c"}'},
        ],
        "bad": [
            {"response": "{...}"},
            {"response": '{"n": "one"}'},
            {"response": 'data: {"type": 5}\n\n'},
        ],
        "sdp": [{"response": "v=0\n"}, {"response": "v=1\n"}],
    }
    spec = {
        "paths": {
            f"/{op}": {"post": {"operationId": op, "x-oaiMeta": {"examples": ex}}, "parameters": []}
            for op, ex in examples.items()
        }
    }
    spec["paths"]["/single"] = {
        "get": {"operationId": "sdp", "x-oaiMeta": {"examples": {"response": "v=2"}}}
    }
    built = gen.Examples(spec, index, soft).build()
    assert built["operations"]["ok"] == {
        "response": {"n": 1},
        "stream": [["a", {"type": "a"}], [None, {"type": "b"}]],
    }
    assert built["operations"]["sdp"] == {"text": "v=2"}
    assert "bad" not in built["operations"]
    assert built["rejected"] == {
        "bad#1": "$.n: 'one' is not of type 'integer', 'null'",
        "bad#2": "event 0: $.type: 5 is not of type 'string', 'null'",
    }


# ----------------------------------------------------------------------------- synthesized answers


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_synthesized_answers_and_bodies_pass_the_strict_profile(operation_id: str) -> None:
    synth = Synthesizer(bundle("openai.schema.json")["$defs"])
    info = OPERATIONS[operation_id]
    for code, response in info["responses"].items():
        if code.startswith("2") and "json" in response:
            instance = synth.instance({"$ref": response["json"]})
            assert strict_errors(instance, response["json"]) == []
    if info["request"]:
        body, _ = call_args(operation_id)
        assert strict_errors(body[0], info["request"]["schema"]) == []
    if info["stream"]:
        ref = info["stream"]["schema"]
        for tag in synth.tags({"$ref": ref}):
            event = synth.instance({"$ref": ref}, tag=tag)
            assert strict_errors(event, ref) == []


def test_synthesizer_rules() -> None:
    synth = Synthesizer(
        {
            "Node": {
                "type": "object",
                "required": ["next"],
                "properties": {"next": {"$ref": "#/$defs/Node"}},
            }
        }
    )
    assert synth.instance(True) is None
    assert synth.flatten(True) == {}
    assert synth.instance({"type": "boolean"}) is False
    assert synth.instance({"type": ["null", "integer"], "exclusiveMinimum": 0}) == 1
    assert synth.instance({"type": "number", "minimum": 0.5}) == 0.5
    assert synth.instance({"type": "string", "minLength": 3}) == "xxx"
    assert synth.instance({"type": "array", "minItems": 2, "items": {"const": 7}}) == [7, 7]
    assert synth.instance({"enum": [None, "b"]}) == "b"
    assert synth.instance({}) is None
    deep = synth.instance({"$ref": "#/$defs/Node"})
    depth = 0
    while deep is not None:
        deep, depth = deep["next"], depth + 1
    assert depth == 25  # recursion ends in a null
    assert synth.types({"anyOf": [{"type": "string"}, {"properties": {}}]}) == {"string", "object"}
    assert synth.tags({"type": "string"}) == []
    union = {
        "anyOf": [{"type": "object", "properties": {"t": {"enum": ["a", "b"]}}, "required": ["t"]}],
        "x-discriminator": {"propertyName": "t", "mapping": {"a": [0], "b": [0]}},
    }
    assert synth.tags(union) == ["a", "b"]
    assert synth.instance(union, tag="b") == {"t": "b"}
    assert synth.instance(union, tag="zzz") == {"t": "a"}
    assert (
        orjson.dumps(
            synth.instance(
                {
                    "allOf": [
                        {"type": "object", "properties": {"a": {"type": "integer"}}},
                        {"required": ["a"]},
                    ]
                }
            )
        )
        == b'{"a":0}'
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"anchor": "created_at", "seconds": 60}', {"anchor": "created_at", "seconds": 60}),
        ("soon", "soon"),
    ],
)
def test_multipart_json_text_for_object_fields(text: str, value: Any) -> None:
    request = httpx.Request(
        "POST", BASE + "/v1/files", data={"expires_after": text}, files={"file": ("f", b"x")}
    )
    request.read()
    assert _body(request, OPERATIONS["createFile"])["expires_after"] == value
