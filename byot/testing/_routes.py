"""Hand-written answers per route: `Router`, its `Route`s and `Reply`s, and the `Call` record.

A route is a method and a path template (`/files/{file_id}`, placeholders match one segment);
it matches with or without the `/v1` prefix a base URL adds. Each request takes the route's
next reply and the last one answers every further request, so `responses=[Reply(429),
Reply(json=...)]` scripts a retry. Unmatched requests get a 404 in OpenAI's error shape naming
the routes there are, or go on to a `SpecMock` when the router was given to one.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, TypedDict, Union
from urllib.parse import unquote

import httpx
import orjson

from byot._override import override
from byot.testing._frames import sse_frames

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping, Sequence
    from typing import TypeAlias

    from typing_extensions import Unpack

__all__ = ["Call", "Handler", "PathTemplate", "Reply", "Route", "Router", "error_response"]

_PLACEHOLDER: Final = re.compile(r"\{[^{}/]+\}")
_UNSET: Final[Any] = object()

Handler: TypeAlias = (
    "Callable[[httpx.Request], httpx.Response | Reply | Awaitable[httpx.Response | Reply]]"
)
"""A function answering a request: sync, or async when the client is async."""


def error_response(status: int, message: str, *, code: str, **extra: Any) -> httpx.Response:
    """A JSON error answer in OpenAI's shape, `{"error": {"message", "type", "param", "code"}}`."""
    kind = "invalid_request_error" if status < 500 else "server_error"
    error = {"message": message, "type": kind, "param": None, "code": code, **extra}
    return httpx.Response(
        status, content=orjson.dumps({"error": error}), headers={"content-type": "application/json"}
    )


class PathTemplate:
    """A path with `{name}` placeholders, matched against a request's raw (escaped) path.

    Args:
        template: E.g. `/threads/{thread_id}/runs`. A `/v1` prefix on the request is accepted
            unless the template has one itself.
    """

    def __init__(self, template: str) -> None:
        if not template.startswith("/"):
            raise ValueError(f"a route's path starts with '/', got {template!r}")
        self.template = template
        self.names = [name[1:-1] for name in _PLACEHOLDER.findall(template)]
        pattern = "".join(
            re.escape(part) if index % 2 == 0 else "([^/]+)"
            for index, part in enumerate(_split(template))
        )
        prefix = "" if template.startswith("/v1/") else "(?:/v1)?"
        self._regex = re.compile(prefix + pattern + "/?")
        # Literal segments beat placeholders: /files/search before /files/{file_id}.
        self.specificity = tuple(not part.startswith("{") for part in template.split("/"))

    def match(self, raw_path: str) -> dict[str, str] | None:
        """The placeholders' values (unescaped), or None when the path does not match."""
        found = self._regex.fullmatch(raw_path)
        if found is None:
            return None
        return {
            name: unquote(value) for name, value in zip(self.names, found.groups(), strict=True)
        }


def _split(template: str) -> list[str]:
    """Literal text and placeholders, alternating (literals at even indexes)."""
    parts: list[str] = []
    last = 0
    for found in _PLACEHOLDER.finditer(template):
        parts += [template[last : found.start()], found.group()]
        last = found.end()
    return [*parts, template[last:].rstrip("/")]


def raw_path(request: httpx.Request) -> str:
    """The request's path as sent, percent-escapes kept, so `a%2Fb` stays one segment."""
    return request.url.raw_path.decode("ascii").partition("?")[0]


@dataclass(frozen=True)
class Reply:
    """One canned answer: a status, headers, and a JSON, bytes or event-stream body.

    Example:
        ```python
        from byot.testing import Reply, Router

        router = Router()
        router.post(
            "/chat/completions",
            responses=[Reply(429, headers={"retry-after": "0"}), Reply(json={"choices": []})],
        )
        ```

    Args:
        status: The status code.
        json: A body sent as JSON (`application/json`).
        content: A body sent as is (`application/octet-stream` unless `headers` say otherwise;
            a `str` is sent UTF-8 encoded as `text/plain`).
        sse: Events for `byot.testing.sse_frames` (`text/event-stream`).
        done: With `sse`: end the stream with `data: [DONE]`.
        headers: Response headers.
    """

    status: int = 200
    json: Any = _UNSET
    content: bytes | str | None = None
    sse: Sequence[Any] | None = None
    done: bool = True
    headers: Mapping[str, str] = field(default_factory=dict[str, str])

    def __post_init__(self) -> None:
        given = [
            n
            for n, v in (
                ("json", self.json is not _UNSET),
                ("content", self.content is not None),
                ("sse", self.sse is not None),
            )
            if v
        ]
        if len(given) > 1:
            raise TypeError(f"a Reply takes one body, got {' and '.join(given)}")

    def build(self) -> httpx.Response:
        """A fresh `httpx.Response` for this reply."""
        headers = dict(self.headers)
        if self.json is not _UNSET:
            body = orjson.dumps(self.json)
            media = "application/json"
        elif self.sse is not None:
            body = sse_frames(self.sse, done=self.done)
            media = "text/event-stream"
        elif isinstance(self.content, str):
            body, media = self.content.encode(), "text/plain; charset=utf-8"
        else:
            body, media = self.content or b"", "application/octet-stream"
        if body and not any(name.lower() == "content-type" for name in headers):
            headers["content-type"] = media
        return httpx.Response(self.status, content=body, headers=headers)


Answer = Union[Reply, "Handler"]


@dataclass(frozen=True)
class Call:
    """One request a mock answered, and its answer.

    Attributes:
        request: The request (its body already read: `call.request.content`).
        response: The answer given.
        operation_id: The spec operation the request matched, or None (a router's own route,
            or no match).
        path_params: The path template's values, unescaped.
    """

    request: httpx.Request
    response: httpx.Response
    operation_id: str | None = None
    path_params: Mapping[str, str] = field(default_factory=dict[str, str])

    def json(self) -> Any:
        """The request's body parsed as JSON."""
        return orjson.loads(self.request.content)


class Route:
    """A method and path template with its replies; `calls` lists what it answered."""

    def __init__(self, method: str, path: str, answers: Sequence[Answer]) -> None:
        if not answers:
            raise ValueError(f"route {method} {path} needs at least one response")
        self.method = method.upper()
        self.path = PathTemplate(path)
        self.answers = list(answers)
        self.calls: list[Call] = []

    @override
    def __repr__(self) -> str:
        return f"Route({self.method} {self.path.template}, {len(self.calls)} calls)"

    def next_answer(self) -> Answer:
        """The reply for the next request: in turn, the last one repeating."""
        return self.answers[min(len(self.calls), len(self.answers) - 1)]


def _as_response(result: object, route: Route) -> httpx.Response:
    if isinstance(result, Reply):
        return result.build()
    if isinstance(result, httpx.Response):
        return result
    raise TypeError(
        f"the handler of {route!r} returned {type(result).__name__}; "
        "return an httpx.Response or a byot.testing.Reply"
    )


class RouteOptions(TypedDict, total=False):
    """The keywords of `Router.route` after the method and path."""

    status: int
    json: Any
    content: bytes | str | None
    sse: Sequence[Any] | None
    headers: Mapping[str, str] | None
    handler: Handler | None
    responses: Sequence[Reply | Handler] | None


class Router(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An httpx transport (sync and async) answering requests from hand-written routes.

    Example:
        ```python
        import byot
        from byot.testing import NO_WAIT, Reply, Router

        router = Router()
        chat = router.post(
            "/chat/completions",
            responses=[Reply(500), Reply(json={"choices": [{"message": {"content": "hi"}}]})],
        )
        client = byot.Client(
            base_url="http://test/v1", api_key="sk-test", transport=router, retry=NO_WAIT
        )
        assert client.chat.completions.create({"model": "m", "messages": []})["choices"]
        assert len(chat.calls) == 2
        ```

    The first route that matches a request's method and path answers it. Unmatched requests get
    a 404 in OpenAI's error shape listing the routes (or go to the `SpecMock` the router was
    given to). `calls` records every request the router answered, in order.
    """

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.calls: list[Call] = []

    def route(
        self,
        method: str,
        path: str,
        *,
        status: int = 200,
        json: Any = _UNSET,
        content: bytes | str | None = None,
        sse: Sequence[Any] | None = None,
        headers: Mapping[str, str] | None = None,
        handler: Handler | None = None,
        responses: Sequence[Reply | Handler] | None = None,
    ) -> Route:
        """Add a route and return it (its `calls` record what it answered).

        Args:
            method: The HTTP method.
            path: The path template, e.g. `/files/{file_id}` (`/v1` prefix optional).
            status: The status of the single reply.
            json: The single reply's JSON body.
            content: The single reply's raw body.
            sse: The single reply's events (see `sse_frames`), ending in `data: [DONE]`.
            headers: The single reply's headers.
            handler: A function `request -> httpx.Response | Reply` answering every request.
            responses: Replies (or handlers) for successive requests; the last one repeats.

        Returns:
            The new route.

        Raises:
            TypeError: More than one of `handler`, `responses` and a single reply's fields.
        """
        single = status != 200 or json is not _UNSET or content is not None or sse is not None
        single = single or headers is not None
        if sum((single, handler is not None, responses is not None)) > 1:
            raise TypeError("give a route one of: reply fields, handler= or responses=")
        if handler is not None:
            answers: Sequence[Answer] = [handler]
        elif responses is not None:
            answers = responses
        else:
            reply = Reply(status, json=json, content=content, sse=sse, headers=headers or {})
            answers = [reply]
        new = Route(method, path, answers)
        self.routes.append(new)
        return new

    def get(self, path: str, **reply: Unpack[RouteOptions]) -> Route:
        """`route("GET", path, ...)`."""
        return self.route("GET", path, **reply)

    def post(self, path: str, **reply: Unpack[RouteOptions]) -> Route:
        """`route("POST", path, ...)`."""
        return self.route("POST", path, **reply)

    def put(self, path: str, **reply: Unpack[RouteOptions]) -> Route:
        """`route("PUT", path, ...)`."""
        return self.route("PUT", path, **reply)

    def patch(self, path: str, **reply: Unpack[RouteOptions]) -> Route:
        """`route("PATCH", path, ...)`."""
        return self.route("PATCH", path, **reply)

    def delete(self, path: str, **reply: Unpack[RouteOptions]) -> Route:
        """`route("DELETE", path, ...)`."""
        return self.route("DELETE", path, **reply)

    def match(self, request: httpx.Request) -> tuple[Route, dict[str, str]] | None:
        """The first route matching the request, with its path values."""
        path = raw_path(request)
        for candidate in self.routes:
            if candidate.method == request.method:
                values = candidate.path.match(path)
                if values is not None:
                    return candidate, values
        return None

    def unmatched(self, request: httpx.Request) -> httpx.Response:
        """The 404 for a request no route matches."""
        known = ", ".join(f"{r.method} {r.path.template}" for r in self.routes) or "none"
        message = (
            f"byot.testing.Router has no route for {request.method} {request.url.path} "
            f"(routes: {known})"
        )
        return error_response(404, message, code="no_route")

    def _record(
        self, route: Route, request: httpx.Request, response: httpx.Response, values: dict[str, str]
    ) -> httpx.Response:
        call = Call(request, response, path_params=values)
        route.calls.append(call)
        self.calls.append(call)
        return response

    def respond(
        self, route: Route, values: dict[str, str], request: httpx.Request
    ) -> httpx.Response:
        """Answer a matched request with the route's next reply (sync handlers only)."""
        answer = route.next_answer()
        result = answer.build() if isinstance(answer, Reply) else answer(request)
        if inspect.iscoroutine(result):
            result.close()  # never awaited: say why rather than leave a warning behind
            raise TypeError(f"the handler of {route!r} is async; use it with byot.AsyncClient")
        return self._record(route, request, _as_response(result, route), values)

    async def arespond(
        self, route: Route, values: dict[str, str], request: httpx.Request
    ) -> httpx.Response:
        """Answer a matched request with the route's next reply; handlers may be async."""
        answer = route.next_answer()
        result = answer.build() if isinstance(answer, Reply) else answer(request)
        if inspect.isawaitable(result):
            result = await result
        return self._record(route, request, _as_response(result, route), values)

    @override
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer a request (the sync transport API)."""
        request.read()
        found = self.match(request)
        return self.unmatched(request) if found is None else self.respond(*found, request)

    @override
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer a request (the async transport API); handlers may be sync or async."""
        await request.aread()
        found = self.match(request)
        return self.unmatched(request) if found is None else await self.arespond(*found, request)
