"""`AsyncClient`, the async driver: moves bytes between the sans-I/O modules and httpx.

`_async_client.py` is the one source of both drivers: `tools/gen_sync.py` writes `_client.py`
from it by taking out `async`, `await` and the `Async` of names. Every decision lives in sans-I/O
code the two share (`_settings`, `_prepared`, `_decode`, `_stream_plan`, `_pagination`,
`_hooks`, `_retry`, `_codec`); see ARCHITECTURE.md.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Literal, cast, overload

import httpx

from byot import _call_options, _codec, _decode, _hooks, _pagination, _stream_plan, _transport
from byot._base_client import BaseClient
from byot._decompress import BodyDecoder
from byot._direct import direct_path
from byot._headers import ClearTextGuard, as_httpx
from byot._response import APIResponse, AsyncBinaryStream, AsyncStream
from byot._settings import Settings, client_options, timeout_from_httpx
from byot._timeout import DEADLINE, DEFAULT_TIMEOUT, Timeout
from byot._transport_errors import transport_error
from byot.resources import AsyncResources

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Mapping
    from types import TracebackType

    from typing_extensions import Self, Unpack

    from byot._direct import Answer
    from byot._endpoint import Endpoint
    from byot._limiter import RateLimiter
    from byot._otel import Call
    from byot._pool import PoolResponse
    from byot._prepared import Prepared
    from byot._retry import RetryPolicy
    from byot._signatures import (
        AsyncKeyTypes,
        B,
        CallOptions,
        EventHooks,
        R,
        RequestOptions,
        ValidateTypes,
    )
    from byot._telemetry import Telemetry
    from byot._timeout import Deadline
    from byot.protocols import Config

_Result = tuple[Any, "Answer", bytes]


class _Connection:
    """The pool a client and all its `with_options` copies share."""

    def __init__(
        self,
        transport: httpx.AsyncBaseTransport | None,
        http_client: httpx.AsyncClient | None,
        url: str,
        http2: bool,
    ) -> None:
        if transport is not None and http_client is not None:
            raise TypeError("pass transport= or http_client=, not both")
        if http2 and (transport is not None or http_client is not None):
            raise TypeError(
                "http2=True configures byot's own connection pool: with transport= or "
                "http_client=, turn HTTP/2 on in the one you pass (httpx's http2=True)"
            )
        _transport.check_http_client(http_client)
        self.http_client = http_client
        self.transport = transport or (
            None if http_client else _transport.async_transport(url, http2=http2)
        )
        self.closed = False
        own = transport is None and http_client is None
        self.owner = _transport.EventLoopOwner() if own else None  # async only
        # Only byot's own pool surely reaches the network: an injected transport or http_client
        # is often a MockTransport, where a key in clear text goes nowhere.
        guard = ClearTextGuard() if own else None
        self.clear_text = guard
        # Buffered calls to byot's own pool may skip httpx's request and response objects, and
        # so may those to a transport that takes a call whole (`byot.aiohttp`).
        self.pool = None if guard is None else _transport.direct_pool(self.transport, guard)
        self.direct = direct_path(transport)  # async only

    async def send(
        self, prepared: Prepared, timeout: dict[str, float | None], hooks: EventHooks
    ) -> httpx.Response:
        """One attempt through httpx; the response's body is still to be read."""
        return await self._through_httpx(prepared, await self._headers(prepared), timeout, hooks)

    async def fetch(
        self, prepared: Prepared, timeout: dict[str, float | None], hooks: EventHooks
    ) -> httpx.Response | PoolResponse:
        """One attempt of a buffered call: straight to the pool when nothing needs httpx's objects.

        Event hooks see httpx's request and response, so with any the call goes through httpx.
        """
        headers = await self._headers(prepared)
        pool = None if hooks else self.pool
        response = None if pool is None else await pool.asend(prepared, headers, timeout)
        if response is None:
            return await self._through_httpx(prepared, headers, timeout, hooks)
        return response

    async def _headers(self, prepared: Prepared) -> httpx.Headers:
        """The headers of one attempt: a key given as a function is called for every attempt."""
        if self.owner is not None:  # async only
            self.owner.check()  # async only
        if prepared.credentials is None:
            return prepared.headers
        return await prepared.credentials.aresolve(prepared.headers)

    async def _through_httpx(
        self,
        prepared: Prepared,
        headers: httpx.Headers,
        timeout: dict[str, float | None],
        hooks: EventHooks,
    ) -> httpx.Response:
        if self.http_client is None:
            request = prepared.request(timeout, headers, asynchronous=True)
        else:
            request = self.http_client.build_request(
                prepared.method,
                prepared.url,
                headers=headers,
                content=prepared.body(asynchronous=True),
                timeout=httpx.Timeout(**timeout),
            )
        if self.clear_text is not None:
            self.clear_text.check(request.url, request.headers)
        await _hooks.arun(hooks.get("request", ()), request)
        if self.transport is not None:
            response = await self.transport.handle_async_request(request)
        else:
            assert self.http_client is not None  # noqa: S101 - one of the two is always set
            # Never a redirect: it would carry the key to whatever origin `Location` names.
            response = await self.http_client.send(request, stream=True, follow_redirects=False)
        try:
            await _hooks.arun(hooks.get("response", ()), response)
        except BaseException:
            await response.aclose()
            raise
        return response

    async def aclose(self) -> None:
        self.closed = True
        if self.transport is not None:
            await self.transport.aclose()
        else:
            assert self.http_client is not None  # noqa: S101
            await self.http_client.aclose()


class AsyncClient(BaseClient[_Connection], AsyncResources):
    """An async client for OpenAI and any OpenAI-compatible API.

    Every call returns a plain `dict` unless the caller names a type, and never fails because
    a provider added or left out a field.

    Example:
        ```python
        async with byot.AsyncClient() as client:  # OPENAI_API_KEY from the environment
            chat = await client.request(
                "POST",
                "/chat/completions",
                body={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]},
            )
            print(chat["choices"][0]["message"]["content"])
        ```

    Args:
        api_key: The API key (default: `OPENAI_API_KEY`, then `OPENAI_ADMIN_KEY`); keyless
            local servers need none. A function (an async one for `AsyncClient` only) is
            called before each attempt, retries included, for a token that expires.
        base_url: The API's base URL (default: `OPENAI_BASE_URL`, then OpenAI's).
        organization: Sent as `OpenAI-Organization` (default: `OPENAI_ORG_ID`).
        project: Sent as `OpenAI-Project` (default: `OPENAI_PROJECT_ID`).
        admin_api_key: The key for the admin API (`client.admin...`), default
            `OPENAI_ADMIN_KEY`; without one, admin calls use `api_key`.
        config: A provider configuration (`AzureConfig`, `AzureV1Config`, or any object
            meeting `byot.protocols.Config`) instead of the four arguments above.
        default_headers: Headers for every request, over the configuration's.
        default_query: Query parameters for every request.
        timeout: Seconds for every phase, a `byot.Timeout`, or None for no limit
            (default: 5 s to connect, 600 s for the rest).
        max_retries: Retries after a failed attempt (default 2); shorthand for
            `retry=RetryPolicy(max_retries=...)`.
        retry: What to retry and how long to wait (see `byot.RetryPolicy`).
        event_hooks: Observers of each request and response (see `byot.EventHooks`).
        validate: Check requests and responses against the bundled OpenAI schemas: `"off"`
            (the default, no cost), `"warn"` or `"raise"`, or a `byot.Validation` to set
            requests and responses apart. Calls can override it with `validate=`.
        telemetry: OpenTelemetry spans and metrics of every call (GenAI semantic
            conventions): True, or a `byot.Telemetry` to choose providers and content
            capture; needs the `[otel]` extra. Off by default, and then free.
        max_body_size: The most bytes a buffered answer may have after decompression
            (default 128 MiB); past it the call raises `byot.errors.ResponseTooLargeError`.
            Calls can override it, as the two below; `*_chunks` downloads have no limit.
        max_line_size: The most bytes one event-stream line may have (default 64 MiB).
        max_event_size: The most bytes of data one stream event may have (default 64 MiB).
        rate_limiter: A `byot.RateLimiter` every attempt waits for (requests and tokens per
            minute, and the `x-ratelimit-*` headers' backpressure); shared with `with_options`
            copies. Default: none, requests go at once.
        transport: An async httpx transport to send through, such as `httpx.MockTransport`.
        http_client: An `httpx.AsyncClient` to send through, with its own settings.
        http2: Offer HTTP/2 to servers that speak it (negotiated over TLS; needs the
            `[http2]` extra). Default: HTTP/1.1 only.

    Raises:
        ConfigError: The configuration cannot work (e.g. no key for api.openai.com, or
            telemetry without OpenTelemetry installed, or http2=True without the `h2`
            package).
        TypeError: Arguments that exclude each other were combined.
    """

    def __init__(
        self,
        *,
        api_key: AsyncKeyTypes | None = None,
        base_url: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        admin_api_key: str | None = None,
        config: Config | None = None,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, Any] | None = None,
        timeout: float | Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        event_hooks: EventHooks | None = None,
        validate: ValidateTypes = "off",
        telemetry: Telemetry | bool | None = None,
        max_body_size: int | None = None,
        max_line_size: int | None = None,
        max_event_size: int | None = None,
        rate_limiter: RateLimiter | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        http2: bool = False,
    ) -> None:
        if http_client is not None and timeout is DEFAULT_TIMEOUT:
            timeout = timeout_from_httpx(http_client.timeout)
        self._settings = Settings.create(client_options(locals()), asynchronous=True)
        self._connection = _Connection(
            transport, http_client, self._settings.config.base_url, http2
        )

    @overload
    async def request(
        self,
        method: str,
        path: str,
        /,
        body: B | None = None,
        *,
        response_type: type[R] | None = None,
        decoder: Callable[[bytes], R] | None = None,
        encoder: Callable[[B], bytes | Mapping[str, Any]] | None = None,
        raw: Literal[False] = False,
        **options: Unpack[RequestOptions],
    ) -> R: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        /,
        body: B | None = None,
        *,
        response_type: type[R] | None = None,
        decoder: Callable[[bytes], R] | None = None,
        encoder: Callable[[B], bytes | Mapping[str, Any]] | None = None,
        raw: Literal[True],
        **options: Unpack[RequestOptions],
    ) -> APIResponse[R]: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        /,
        body: B | None = None,
        *,
        response_type: type[R] | None = None,
        decoder: Callable[[bytes], R] | None = None,
        encoder: Callable[[B], bytes | Mapping[str, Any]] | None = None,
        raw: bool,
        **options: Unpack[RequestOptions],
    ) -> R | APIResponse[R]: ...

    async def request(
        self,
        method: str,
        path: str,
        /,
        body: B | None = None,
        *,
        response_type: type[R] | None = None,
        decoder: Callable[[bytes], R] | None = None,
        encoder: Callable[[B], bytes | Mapping[str, Any]] | None = None,
        raw: bool = False,
        **options: Unpack[RequestOptions],
    ) -> R | APIResponse[R]:
        """Send one request and decode its JSON answer; retried as the policy says.

        Args:
            method: The HTTP method.
            path: The path under the base URL (`/chat/completions`), with `{name}`
                placeholders filled from `path_params=`, or an absolute URL.
            body: The JSON body: a mapping (sent as written), a dataclass, TypedDict, attrs
                instance, pydantic model or msgspec Struct (fields that are None left out),
                raw `bytes`, or anything `encoder=` accepts.
            response_type: Decode into this type instead of a dict: a dataclass, TypedDict,
                pydantic model, msgspec Struct or attrs class.
            decoder: Decode the body bytes with this function instead.
            encoder: Turn `body` into bytes or a mapping with this function.
            raw: Return an `APIResponse` with the status, headers and raw body around the
                decoded value.
            **options: Per-call options: `timeout`, `headers`, `query`, `extra_body`,
                `max_retries`, `idempotency_key`, `path`, `path_params`, `validate` (a
                path that is a route of the spec is validated as that operation).

        Returns:
            The decoded body: a `dict` by default, else what `response_type=` or `decoder=`
            name; wrapped in an `APIResponse` when `raw=True`.

        Raises:
            APIStatusError: The final attempt got a status >= 400 (a subclass per status).
            APIConnectionError: The final attempt could not connect or was cut off.
            APITimeoutError: The final attempt timed out, or the total deadline ran out.
            DecodeError: The body does not decode into the requested type.
            StreamFlagError: The body asks for a stream (`"stream": true`): call the
                operation's `*_stream` method, with `path=` for a route of your own.
        """
        prepared = self._settings.prepare(method, path, body, encoder=encoder, options=options)
        decode, target = _decode.decoder_for(response_type, decoder)
        return cast("R | APIResponse[R]", await self._send(prepared, decode, target, raw=raw))

    async def call(
        self,
        operation_id: str,
        body: object = None,
        *,
        response_type: type[Any] | None = None,
        decoder: Callable[[bytes], Any] | None = None,
        encoder: Callable[[Any], bytes | Mapping[str, Any]] | None = None,
        raw: bool = False,
        **params: Any,
    ) -> Any:
        """Call any operation of the API by its operationId, as the spec names it.

        Example:
            ```python
            chat = await client.call(
                "createChatCompletion", {"model": "gpt-4o-mini", "messages": []}
            )
            file = await client.call("retrieveFile", file_id="file-abc123")
            ```

        Args:
            operation_id: The spec's operationId (`"createChatCompletion"`) or the method's
                name (`"chat.completions.create"`), as `byot ops` lists them.
            body: The request body, as for the named method.
            response_type: Decode a JSON answer into this type.
            decoder: Decode the answer's bytes with this function.
            encoder: Turn `body` into bytes or a mapping.
            raw: Return an `APIResponse` around the value.
            **params: Path parameters and query parameters by name, and per-call options.

        Returns:
            What the generated method for the operation returns.

        Raises:
            UnknownOperationError: No operation has that name; the closest are suggested.
            StreamFlagError: The body asks for a stream: call the `*_stream` method.
            TypeError: A keyword is not a parameter or option of the operation.
        """
        endpoint, path_values, query_values, options = _call_options.resolve(operation_id, params)
        return await self._call(
            endpoint,
            body,
            path_values,
            query_values,
            response_type,
            decoder,
            encoder,
            raw,
            options,
        )

    async def _call(
        self,
        endpoint: Endpoint,
        body: object,
        path_values: Mapping[str, object],
        query_values: Mapping[str, object],
        response_type: type[Any] | None,
        decoder: Callable[[bytes], Any] | None,
        encoder: Callable[[Any], bytes | Mapping[str, Any]] | None,
        raw: bool,
        options: CallOptions,
    ) -> Any:
        """Call one endpoint of the table: what every generated method does."""
        prepared = self._settings.prepare_call(
            endpoint,
            body,
            path_values=path_values,
            query_values=query_values,
            encoder=encoder,
            options=options,
        )
        decode, target = _decode.call_decoder(endpoint, response_type, decoder)
        return await self._send(prepared, decode, target, raw=raw)

    async def _pages(
        self,
        endpoint: Endpoint,
        path_values: Mapping[str, object],
        query_values: Mapping[str, object],
        response_type: type[Any] | None,
        decoder: Callable[[bytes], Any] | None,
        options: CallOptions,
    ) -> AsyncIterator[Any]:
        """Every page of a cursor-paginated list, decoded, fetching each as it is needed."""
        decode, target = _decode.call_decoder(endpoint, response_type, decoder)
        query: Mapping[str, object] | None = query_values
        cursors = _pagination.Cursors(endpoint, query_values)
        while query is not None:
            prepared = self._settings.prepare_call(
                endpoint,
                None,
                path_values=path_values,
                query_values=query,
                encoder=None,
                options=options,
            )
            response: APIResponse[Any] = await self._send(prepared, decode, target, raw=True)
            yield response.parsed
            query = _pagination.query_after(
                endpoint, response.parsed, response.content, target, query
            )
            cursors.follow(query, prepared)

    async def _items(
        self,
        endpoint: Endpoint,
        path_values: Mapping[str, object],
        query_values: Mapping[str, object],
        item_type: type[Any] | None,
        options: CallOptions,
    ) -> AsyncIterator[Any]:
        """Every item of a cursor-paginated list, across pages, as dicts or `item_type`."""
        convert = _codec.converter_for(item_type)
        async for page in self._pages(endpoint, path_values, query_values, None, None, options):
            for item in _pagination.items(page, endpoint.pagination or {}):
                yield convert(item)

    async def _events(
        self,
        endpoint: Endpoint,
        body: object,
        path_values: Mapping[str, object],
        query_values: Mapping[str, object],
        event_type: type[Any] | None,
        decoder: Callable[[bytes], Any] | None,
        encoder: Callable[[Any], bytes | Mapping[str, Any]] | None,
        options: CallOptions,
    ) -> AsyncStream[Any]:
        """Open a server-sent-event stream; retried until it starts, never after."""
        plan = _stream_plan.plan(endpoint, event_type, decoder)
        prepared = self._settings.prepare_call(
            endpoint,
            body,
            path_values=path_values,
            query_values=query_values,
            encoder=encoder,
            options=plan.call_options(options),
            stream=True,
        )
        tracing = self._settings.tracing
        call = None if tracing is None else tracing.call(prepared)
        deadline = prepared.deadline()
        response = await self._opened(prepared, deadline, call, events=True)
        watch = None if call is None else call.streaming(response)
        return AsyncStream(
            response,
            deadline=deadline,
            watch=watch,
            **plan.stream_arguments(prepared, response.headers),
        )

    async def _chunks(
        self,
        endpoint: Endpoint,
        body: object,
        path_values: Mapping[str, object],
        query_values: Mapping[str, object],
        options: CallOptions,
    ) -> AsyncBinaryStream:
        """Open a binary answer for reading as it arrives; retried until it starts."""
        prepared = self._settings.prepare_call(
            endpoint,
            body,
            path_values=path_values,
            query_values=query_values,
            encoder=None,
            options=options,
        )
        tracing = self._settings.tracing
        call = None if tracing is None else tracing.call(prepared)
        response = await self._opened(prepared, prepared.deadline(), call)
        if call is not None:  # the span covers the call until the body starts
            call.finished(response, None)
        return AsyncBinaryStream(response, method=prepared.method, url=prepared.safe_url)

    async def _opened(
        self,
        prepared: Prepared,
        deadline: Deadline | None,
        call: Call | None,
        *,
        events: bool = False,
    ) -> httpx.Response:
        """A streamed response with 2xx headers: retried until it starts, never after."""
        attempt = self._open if call is None else functools.partial(self._watched, call, self._open)
        try:
            opened: tuple[httpx.Response, int] = await self._settings.retry.arun(
                attempt,
                prepared,
                deadline,
                events,
                max_retries=prepared.max_retries,
                deadline=deadline,
            )
        except BaseException as exc:
            if call is not None:
                call.failed(exc)
            raise
        return opened[0]

    async def _open(
        self, prepared: Prepared, deadline: Deadline | None, events: bool = False
    ) -> httpx.Response:
        """Send one attempt and return the response once its headers say 2xx.

        With `events`, a 2xx answer must be an event stream: anything else is read and raised.
        """
        limiter = self._settings.rate_limiter
        ticket = None if limiter is None else await limiter.aacquire(prepared.content)
        timeout = prepared.timeout_for(deadline)
        scope = DEADLINE.set(deadline)
        try:
            response = await self._connection.send(prepared, timeout, self._settings.event_hooks)
            if ticket is not None:
                ticket.settle(response.status_code, response.headers)
            if prepared.opens(response.status_code, response.headers, events=events):
                return response
            try:
                content = await _read(response, prepared, deadline)
            finally:
                await response.aclose()
        except httpx.RequestError as exc:
            raise transport_error(prepared, exc, deadline) from exc
        finally:
            DEADLINE.reset(scope)
        raise prepared.refusal(response.status_code, response.headers, content)

    async def _send(
        self,
        prepared: Prepared,
        decode: Callable[[bytes], Any],
        target: object,
        *,
        raw: bool,
    ) -> Any:
        """Send a prepared call with retries and decode the answer."""
        deadline = prepared.deadline()
        tracing = self._settings.tracing
        call = None if tracing is None else tracing.call(prepared)
        attempt = (
            self._attempt if call is None else functools.partial(self._watched, call, self._attempt)
        )
        try:
            result, retries = await self._settings.retry.arun(
                attempt,
                prepared,
                deadline,
                decode,
                target,
                max_retries=prepared.max_retries,
                deadline=deadline,
            )
        except BaseException as exc:
            if call is not None:
                call.failed(exc)
            raise
        value, response, content = result
        if call is not None:
            call.finished(response, content)
        if not raw:
            return value
        return APIResponse(
            parsed=value,
            status_code=response.status_code,
            headers=as_httpx(response.headers),
            content=content,
            method=prepared.method,
            url=prepared.safe_url,
            retries_taken=retries,
        )

    @staticmethod
    async def _watched(call: Call, attempt: Callable[..., Any], *args: Any) -> Any:
        """One attempt under telemetry: its start and its failure become the span's events."""
        call.attempt()
        try:
            return await attempt(*args)
        except Exception as exc:
            call.attempt_failed(exc)
            raise

    async def _attempt(
        self,
        prepared: Prepared,
        deadline: Deadline | None,
        decode: Callable[[bytes], Any],
        target: object,
    ) -> _Result:
        limiter = self._settings.rate_limiter
        ticket = None if limiter is None else await limiter.aacquire(prepared.content)
        timeout = prepared.timeout_for(deadline)
        direct = self._connection.direct  # async only
        if direct is not None and direct.takes(prepared, self._settings.event_hooks):  # async only
            return await direct(prepared, timeout, deadline, ticket, decode, target)  # async only
        scope = DEADLINE.set(deadline)  # bounds every socket operation of byot's own pool
        try:
            response = await self._connection.fetch(prepared, timeout, self._settings.event_hooks)
            if ticket is not None:
                ticket.settle(response.status_code, response.headers)
            try:
                content = await _read(response, prepared, deadline)
            finally:
                await response.aclose()
        except httpx.RequestError as exc:
            raise transport_error(prepared, exc, deadline) from exc
        finally:
            DEADLINE.reset(scope)
        if ticket is not None:
            ticket.used(content)
        value = prepared.finish(response.status_code, response.headers, content, decode, target)
        return value, response, content

    async def aclose(self) -> None:
        """Close the connection pool (shared with `with_options` copies)."""
        await self._connection.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


async def _read(
    response: httpx.Response | PoolResponse, prepared: Prepared, deadline: Deadline | None
) -> bytes:
    """The whole body, decompressed step by step and never past `max_body_size`.

    Raises:
        ResponseTooLargeError: The decoded body passed the limit (the caller closes it).
        APITimeoutError: The total deadline ran out between two reads.
    """
    limit = prepared.limits.body
    if not isinstance(response, httpx.Response):  # straight from the pool (`byot._pool`)
        encoding = response.content_encoding
    elif response.is_stream_consumed:  # read (and decoded) already: by a hook, or a mock
        BodyDecoder(None, limit=limit).check_size(len(response.content))
        return response.content
    else:
        encoding = response.headers.get("content-encoding")
    decoder = BodyDecoder(encoding, limit=limit)
    pieces: list[bytes] = []
    async for chunk in response.aiter_raw():
        pieces.extend(decoder.feed(chunk))
        if deadline is not None and deadline.expired():
            raise deadline.error(prepared.method, prepared.safe_url)
    decoder.finish()
    return b"".join(pieces)  # a body of one piece is that piece, not a copy
