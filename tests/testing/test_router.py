"""`Router`, `Reply` and `NO_WAIT`: hand-written answers per route, on both clients."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import byot
from byot.testing import NO_WAIT, Reply, Router, SpecMock

CHAT = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
ANSWER = {"id": "chatcmpl-1", "choices": [{"message": {"role": "assistant", "content": "hi"}}]}


def test_json_reply_and_call_records(both: Any) -> None:
    router = Router()
    route = router.post("/chat/completions", json=ANSWER, headers={"x-request-id": "req_9"})
    client = both.client(transport=router)
    response = both.call(client.chat.completions.create, CHAT, raw=True)
    assert response.parsed == ANSWER
    assert response.request_id == "req_9"
    assert response.headers["content-type"] == "application/json"
    (call,) = route.calls
    assert router.calls == [call]
    assert call.json() == CHAT
    assert call.request.url.path == "/v1/chat/completions"
    assert call.operation_id is None
    assert repr(route) == "Route(POST /chat/completions, 1 calls)"


def test_path_templates_match_one_segment_unescaped(both: Any) -> None:
    router = Router()
    route = router.get("/files/{file_id}", json={"id": "f"})
    literal = router.get("/v1/files/{file_id}/content", content=b"\x00bytes")
    client = both.client(transport=router)
    assert both.call(client.files.retrieve, "a/b c") == {"id": "f"}
    assert route.calls[0].path_params == {"file_id": "a/b c"}
    assert both.call(client.files.content, "x") == b"\x00bytes"
    assert literal.calls[0].response.headers["content-type"] == "application/octet-stream"
    assert literal.calls[0].path_params == {"file_id": "x"}


def test_unmatched_request_is_a_clear_404(both: Any) -> None:
    router = Router()
    router.get("/models", json={"data": []})
    client = both.client(transport=router)
    with pytest.raises(byot.errors.NotFoundError) as caught:
        both.call(client.chat.completions.create, CHAT)
    message = str(caught.value)
    assert "no route for POST /v1/chat/completions" in message
    assert "GET /models" in message
    assert caught.value.code == "no_route"
    assert router.calls == []
    empty = both.client(transport=Router())
    with pytest.raises(byot.errors.NotFoundError, match=r"routes: none"):
        both.call(empty.models.list)


def test_sequence_of_replies_drives_retries_without_waiting(both: Any) -> None:
    router = Router()
    waits: list[float] = []
    route = router.post(
        "/chat/completions",
        responses=[
            Reply(429, json={"error": {"message": "slow down"}}, headers={"retry-after": "30"}),
            Reply(500, content="upstream hiccup"),
            Reply(json=ANSWER),
        ],
    )
    retry = byot.RetryPolicy(sleep=False, on_retry=lambda event: waits.append(event.delay))
    client = both.client(transport=router, retry=retry)
    assert both.call(client.chat.completions.create, CHAT) == ANSWER
    assert [call.response.status_code for call in route.calls] == [429, 500, 200]
    assert waits[0] == 30  # the server's Retry-After, computed but not slept
    # The last reply answers every further request.
    assert both.call(client.chat.completions.create, CHAT) == ANSWER
    assert len(route.calls) == 4


def test_no_wait_is_the_default_policy_without_sleeping() -> None:
    assert byot.RetryPolicy(sleep=False) == NO_WAIT
    assert NO_WAIT.max_retries == byot.RetryPolicy().max_retries
    assert not NO_WAIT.sleep


def test_no_wait_gives_up_after_the_usual_retries(both: Any) -> None:
    router = Router()
    route = router.post("/chat/completions", status=503, json={"error": {"message": "down"}})
    client = both.client(transport=router, retry=NO_WAIT)
    with pytest.raises(byot.errors.InternalServerError, match="down"):
        both.call(client.chat.completions.create, CHAT)
    assert len(route.calls) == 1 + NO_WAIT.max_retries


def test_sse_reply_streams(both: Any) -> None:
    router = Router()
    chunks = [{"choices": [{"delta": {"content": c}}]} for c in ("a", "b")]
    router.post("/chat/completions", sse=chunks)
    client = both.client(transport=router)
    stream = both.call(client.chat.completions.create_stream, CHAT)
    if both.is_async:

        async def drain() -> list[Any]:
            return [item async for item in stream]

        assert both.run(drain()) == chunks
    else:
        assert list(stream) == chunks


def test_handlers_sync_and_async(both: Any) -> None:
    router = Router()

    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"seen": request.url.params["q"]})

    def reply(request: httpx.Request) -> Reply:
        return Reply(201, json={"method": request.method})

    router.get("/echo", handler=echo)
    router.put("/reply", handler=reply)
    client = both.client(transport=router)
    assert both.call(client.request, "GET", "/echo", query={"q": "x"}) == {"seen": "x"}
    response = both.call(client.request, "PUT", "/reply", body={}, raw=True)
    assert (response.status_code, response.parsed) == (201, {"method": "PUT"})


def test_async_handler_only_on_the_async_client() -> None:
    router = Router()

    async def later(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"async": True})

    router.patch("/later", handler=later)
    router.delete("/later", responses=[later])

    async def run() -> Any:
        async with byot.AsyncClient(base_url="http://t/v1", api_key="k", transport=router) as c:
            return [
                await c.request("PATCH", "/later", body={}),
                await c.request("DELETE", "/later"),
            ]

    import asyncio

    assert asyncio.run(run()) == [{"async": True}] * 2
    client = byot.Client(base_url="http://t/v1", api_key="k", transport=router)
    with pytest.raises(TypeError, match=r"is async; use it with byot\.AsyncClient"):
        client.request("PATCH", "/later", body={})


def test_handler_returning_something_else_is_a_type_error() -> None:
    router = Router()
    router.get("/bad", handler=lambda request: {"not": "a response"})  # type: ignore[arg-type,return-value]
    client = byot.Client(base_url="http://t/v1", api_key="k", transport=router)
    with pytest.raises(TypeError, match=r"returned dict; return an httpx\.Response or a byot"):
        client.request("GET", "/bad")


def test_bad_route_definitions() -> None:
    router = Router()
    with pytest.raises(TypeError, match="one of: reply fields, handler= or responses="):
        router.post("/x", json={}, responses=[Reply()])
    with pytest.raises(ValueError, match="needs at least one response"):
        router.post("/x", responses=[])
    with pytest.raises(ValueError, match="starts with '/'"):
        router.get("models")
    with pytest.raises(TypeError, match="a Reply takes one body, got json and sse"):
        Reply(json={}, sse=[])


def test_reply_bodies() -> None:
    assert Reply().build().content == b""
    assert "content-type" not in Reply(204).build().headers
    text = Reply(content="héllo").build()
    assert (text.content, text.headers["content-type"]) == (
        "héllo".encode(),
        "text/plain; charset=utf-8",
    )
    own = Reply(content=b"<x/>", headers={"Content-Type": "application/xml"}).build()
    assert own.headers["content-type"] == "application/xml"
    sse = Reply(sse=[{"a": 1}], done=False).build()
    assert (sse.content, sse.headers["content-type"]) == (b'data: {"a":1}\n\n', "text/event-stream")


def test_router_in_front_of_the_spec_mock(both: Any) -> None:
    router = Router()
    route = router.post("/chat/completions", responses=[Reply(429), Reply(json=ANSWER)])
    mock = SpecMock(routes=router)
    client = both.client(transport=mock, retry=NO_WAIT)
    assert both.call(client.chat.completions.create, CHAT) == ANSWER
    models = both.call(client.models.list)
    assert models["object"] == "list"
    assert [c.response.status_code for c in route.calls] == [429, 200]
    assert [c.operation_id for c in mock.calls] == [None, None, "listModels"]


def test_async_router_in_front_of_the_spec_mock() -> None:
    import asyncio

    router = Router()

    async def answer(request: httpx.Request) -> Reply:
        return Reply(json=ANSWER)

    router.post("/chat/completions", handler=answer)
    mock = SpecMock(routes=router)

    async def run() -> Any:
        async with byot.AsyncClient(base_url="http://t/v1", api_key="k", transport=mock) as c:
            return await c.chat.completions.create(CHAT)

    assert asyncio.run(run()) == ANSWER
    assert mock.calls[0].path_params == {}
