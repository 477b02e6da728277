"""`Client`, the sync driver: moves bytes between the sans-I/O core and httpx.

Its twin is `_async_client.py`; the two are kept line for line alike and a parity test
checks their public surface. Every decision lives in `_core`, `_retry` and `_codec`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, cast, overload

import httpx
import orjson

from byot import _codec, _core, _pagination, _transport
from byot._override import override
from byot._response import APIResponse, BinaryStream, Stream
from byot._sse import StreamRules
from byot._timeout import DEFAULT_TIMEOUT, Timeout
from byot.resources import Resources

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from types import TracebackType

    from typing_extensions import Self, Unpack

    from byot._endpoint import Endpoint
    from byot._retry import RetryPolicy
    from byot._signatures import B, CallOptions, EventHooks, R, RequestOptions, ValidateTypes
    from byot._timeout import Deadline
    from byot.protocols import Config

_EVENTS = "text/event-stream"
_Result = tuple[Any, httpx.Response, bytes]


class _Connection:
    """The pool a client and all its `with_options` copies share."""

    def __init__(
        self, transport: httpx.BaseTransport | None, http_client: httpx.Client | None, url: str
    ) -> None:
        if transport is not None and http_client is not None:
            raise TypeError("pass transport= or http_client=, not both")
        self.http_client = http_client
        self.transport = transport or (None if http_client else _transport.sync_transport(url))
        self.closed = False

    def send(
        self, prepared: _core.Prepared, timeout: dict[str, float | None], hooks: EventHooks
    ) -> httpx.Response:
        if self.http_client is None:
            request = prepared.request(timeout)
        else:
            request = self.http_client.build_request(
                prepared.method,
                prepared.url,
                headers=prepared.headers,
                content=prepared.body(),
                timeout=httpx.Timeout(**timeout),
            )
        for hook in hooks.get("request", ()):
            hook(request)
        if self.transport is not None:
            response = self.transport.handle_request(request)
        else:
            assert self.http_client is not None  # noqa: S101 - one of the two is always set
            response = self.http_client.send(request, stream=True)
        try:
            for response_hook in hooks.get("response", ()):
                response_hook(response)
        except BaseException:
            response.close()
            raise
        return response

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()
        else:
            assert self.http_client is not None  # noqa: S101
            self.http_client.close()


class Client(Resources):
    """A sync client for OpenAI and any OpenAI-compatible API.

    Every call returns a plain `dict` unless the caller names a type, and never fails because
    a provider added or left out a field.

    Example:
        ```python
        with byot.Client() as client:  # OPENAI_API_KEY from the environment
            chat = client.request(
                "POST",
                "/chat/completions",
                body={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]},
            )
            print(chat["choices"][0]["message"]["content"])
        ```

    Args:
        api_key: The API key (default: `OPENAI_API_KEY`, then `OPENAI_ADMIN_KEY`); keyless
            local servers need none.
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
        transport: An httpx transport to send through, such as `httpx.MockTransport`.
        http_client: An `httpx.Client` to send through, with its own settings.

    Raises:
        ConfigError: The configuration cannot work (e.g. no key for api.openai.com).
        TypeError: Arguments that exclude each other were combined.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
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
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        if http_client is not None and timeout is DEFAULT_TIMEOUT:
            timeout = _core.timeout_from_httpx(http_client.timeout)
        self._settings = _core.Settings.create(
            config=config,
            api_key=api_key,
            base_url=base_url,
            organization=organization,
            project=project,
            default_headers=default_headers,
            default_query=default_query,
            timeout=timeout,
            retry=retry,
            max_retries=max_retries,
            event_hooks=event_hooks,
            admin_api_key=admin_api_key,
            validate=validate,
        )
        self._connection = _Connection(transport, http_client, self._settings.config.base_url)

    @property
    def config(self) -> Config:
        """The provider configuration."""
        return self._settings.config

    @property
    def base_url(self) -> str:
        """The provider's base URL."""
        return self._settings.config.base_url

    @property
    def timeout(self) -> Timeout:
        """The default timeout of every call."""
        return self._settings.timeout

    @property
    def retry(self) -> RetryPolicy:
        """The retry policy of every call."""
        return self._settings.retry

    @property
    def is_closed(self) -> bool:
        """Whether the connection pool has been closed."""
        return self._connection.closed

    def with_options(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        organization: str | None = None,
        project: str | None = None,
        config: Config | None = None,
        default_headers: Mapping[str, str] | None = None,
        default_query: Mapping[str, Any] | None = None,
        timeout: float | Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int | None = None,
        retry: RetryPolicy | None = None,
        event_hooks: EventHooks | None = None,
        validate: ValidateTypes | None = None,
    ) -> Self:
        """A copy of this client with some settings changed, sharing its connection pool.

        Headers and query parameters are merged over the current ones; a new key, base URL,
        organization or project builds a fresh OpenAI configuration with the others kept.
        Closing either client closes the shared pool.

        Example:
            ```python
            fast = client.with_options(timeout=5, max_retries=0)
            ```
        """
        copy = object.__new__(type(self))
        copy._settings = self._settings.derive(
            api_key=api_key,
            base_url=base_url,
            organization=organization,
            project=project,
            config=config,
            default_headers=default_headers,
            default_query=default_query,
            timeout=self._settings.timeout if timeout is DEFAULT_TIMEOUT else timeout,
            max_retries=max_retries,
            retry=retry,
            event_hooks=event_hooks,
            validate=validate,
        )
        copy._connection = self._connection
        return copy

    @overload
    def request(
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
    def request(
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
    def request(
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

    def request(
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
        """
        prepared = self._settings.prepare(method, path, body, encoder=encoder, options=options)
        decode, target = _core.decoder_for(response_type, decoder)
        return cast("R | APIResponse[R]", self._send(prepared, decode, target, raw=raw))

    def call(
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
            chat = client.call("createChatCompletion", {"model": "m", "messages": []})
            file = client.call("retrieveFile", file_id="file-abc123")
            ```

        Args:
            operation_id: The spec's operationId, e.g. `"createChatCompletion"`.
            body: The request body, as for the named method.
            response_type: Decode a JSON answer into this type.
            decoder: Decode the answer's bytes with this function.
            encoder: Turn `body` into bytes or a mapping.
            raw: Return an `APIResponse` around the value.
            **params: Path parameters and query parameters by name, and per-call options.

        Returns:
            What the generated method for the operation returns.

        Raises:
            KeyError: No operation has that id.
            TypeError: A keyword is not a parameter or option of the operation.
        """
        from byot.resources._endpoints import ENDPOINTS

        try:
            endpoint = ENDPOINTS[operation_id]
        except KeyError:
            raise KeyError(
                f"no operation {operation_id!r} in the API (see byot.resources._endpoints)"
            ) from None
        path_values, query_values, options = _core.split_call_params(endpoint, params)
        return self._call(
            endpoint,
            body,
            path_values,
            query_values,
            response_type,
            decoder,
            encoder,
            raw,
            cast("CallOptions", options),
        )

    def _call(
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
        decode, target = _core.call_decoder(endpoint, response_type, decoder)
        return self._send(prepared, decode, target, raw=raw)

    def _pages(
        self,
        endpoint: Endpoint,
        path_values: Mapping[str, object],
        query_values: Mapping[str, object],
        response_type: type[Any] | None,
        decoder: Callable[[bytes], Any] | None,
        options: CallOptions,
    ) -> Iterator[Any]:
        """Every page of a cursor-paginated list, decoded, fetching each as it is needed."""
        decode, target = _core.call_decoder(endpoint, response_type, decoder)
        query: Mapping[str, object] | None = query_values
        while query is not None:
            prepared = self._settings.prepare_call(
                endpoint,
                None,
                path_values=path_values,
                query_values=query,
                encoder=None,
                options=options,
            )
            response: APIResponse[Any] = self._send(prepared, decode, target, raw=True)
            yield response.parsed
            page = response.parsed if target is dict else orjson.loads(response.content)
            query = _pagination.next_query(endpoint, page, query)

    def _items(
        self,
        endpoint: Endpoint,
        path_values: Mapping[str, object],
        query_values: Mapping[str, object],
        item_type: type[Any] | None,
        options: CallOptions,
    ) -> Iterator[Any]:
        """Every item of a cursor-paginated list, across pages, as dicts or `item_type`."""
        convert = _codec.converter_for(item_type)
        for page in self._pages(endpoint, path_values, query_values, None, None, options):
            for item in _pagination.items(page, endpoint.pagination or {}):
                yield convert(item)

    def _events(
        self,
        endpoint: Endpoint,
        body: object,
        path_values: Mapping[str, object],
        query_values: Mapping[str, object],
        event_type: type[Any] | None,
        decoder: Callable[[bytes], Any] | None,
        encoder: Callable[[Any], bytes | Mapping[str, Any]] | None,
        options: CallOptions,
    ) -> Stream[Any]:
        """Open a server-sent-event stream; retried until it starts, never after."""
        assert endpoint.stream is not None  # noqa: S101 - only streaming operations get here
        named = endpoint.stream.get("framing", "data") != "data"
        convert = _core.event_converter(event_type, decoder, named=named)
        prepared = self._settings.prepare_call(
            endpoint,
            body,
            path_values=path_values,
            query_values=query_values,
            encoder=encoder,
            options=_core.stream_options(endpoint, options),
        )
        response = self._opened(prepared, events=True)
        rules = StreamRules.for_endpoint(
            endpoint.stream,
            method=prepared.method,
            url=prepared.safe_url,
            request_id=response.headers.get("x-request-id"),
        )
        accumulate = None if event_type or decoder else _core.accumulator_for(endpoint)
        if prepared.check_response != "off":
            convert = _core.checked_events(endpoint, prepared.check_response, convert)
        return Stream(
            response,
            rules,
            convert,
            method=prepared.method,
            url=prepared.safe_url,
            accumulate=accumulate,
        )

    def _chunks(
        self,
        endpoint: Endpoint,
        body: object,
        path_values: Mapping[str, object],
        query_values: Mapping[str, object],
        options: CallOptions,
    ) -> BinaryStream:
        """Open a binary answer for reading as it arrives; retried until it starts."""
        prepared = self._settings.prepare_call(
            endpoint,
            body,
            path_values=path_values,
            query_values=query_values,
            encoder=None,
            options=options,
        )
        response = self._opened(prepared)
        return BinaryStream(response, method=prepared.method, url=prepared.safe_url)

    def _opened(self, prepared: _core.Prepared, *, events: bool = False) -> httpx.Response:
        """A streamed response with 2xx headers: retried until it starts, never after."""
        deadline = prepared.deadline()
        response, _ = self._settings.retry.run(
            self._open,
            prepared,
            deadline,
            events,
            max_retries=prepared.max_retries,
            deadline=deadline,
        )
        return response

    def _open(
        self, prepared: _core.Prepared, deadline: Deadline | None, events: bool = False
    ) -> httpx.Response:
        """Send one attempt and return the response once its headers say 2xx.

        With `events`, a 2xx answer must be an event stream: anything else is read and raised.
        """
        timeout = prepared.timeout_for(deadline)
        try:
            response = self._connection.send(prepared, timeout, self._settings.event_hooks)
            content_type = response.headers.get("content-type", "")
            if response.is_success and (not events or content_type.startswith(_EVENTS)):
                return response
            try:
                content = _read(response, prepared, deadline)
            finally:
                response.close()
        except httpx.RequestError as exc:
            raise _core.transport_error(prepared, exc) from exc
        if response.is_success:
            raise prepared.not_an_event_stream(response.headers, content)
        raise prepared.status_error(response.status_code, response.headers, content)

    def _send(
        self,
        prepared: _core.Prepared,
        decode: Callable[[bytes], Any],
        target: object,
        *,
        raw: bool,
    ) -> Any:
        """Send a prepared call with retries and decode the answer."""
        deadline = prepared.deadline()
        result, retries = self._settings.retry.run(
            self._attempt,
            prepared,
            deadline,
            decode,
            target,
            max_retries=prepared.max_retries,
            deadline=deadline,
        )
        value, response, content = result
        if not raw:
            return value
        return APIResponse(
            parsed=value,
            status_code=response.status_code,
            headers=response.headers,
            content=content,
            method=prepared.method,
            url=prepared.safe_url,
            retries_taken=retries,
        )

    def _attempt(
        self,
        prepared: _core.Prepared,
        deadline: Deadline | None,
        decode: Callable[[bytes], Any],
        target: object,
    ) -> _Result:
        timeout = prepared.timeout_for(deadline)
        try:
            response = self._connection.send(prepared, timeout, self._settings.event_hooks)
            try:
                content = _read(response, prepared, deadline)
            finally:
                response.close()
        except httpx.RequestError as exc:
            raise _core.transport_error(prepared, exc) from exc
        value = prepared.finish(response.status_code, response.headers, content, decode, target)
        return value, response, content

    def close(self) -> None:
        """Close the connection pool (shared with `with_options` copies)."""
        self._connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @override
    def __repr__(self) -> str:
        return f"{type(self).__name__}(config={self._settings.config!r})"


def _read(response: httpx.Response, prepared: _core.Prepared, deadline: Deadline | None) -> bytes:
    if deadline is None:
        return response.read()
    chunks: list[bytes] = []
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        if deadline.expired():
            raise prepared.deadline_error()
    return b"".join(chunks)
