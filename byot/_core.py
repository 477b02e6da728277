"""The sans-I/O core: every decision of a call, with no socket in sight.

`Settings` is what a client knows, resolved once when it is built. `Settings.prepare` turns a
call (method, path, body, per-call options) into a `Prepared` request; `Prepared.request`
makes the `httpx.Request` for one attempt; `Prepared.finish` turns the status, headers and
body bytes of a response into the caller's value or the right exception. The two drivers
(`_client.py`, `_async_client.py`) only move bytes between these functions and the network.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import quote, urlencode

import httpx

from byot import _codec, _status, _validation, errors
from byot._config import OpenAIConfig
from byot._retry import RetryPolicy
from byot._signatures import CallOptions, EventHooks, RequestOptions
from byot._timeout import DEFAULT_TIMEOUT, Deadline, Timeout, to_timeout
from byot._validation import OFF, Validation
from byot._version import __version__
from byot.errors import APIConnectionError, APITimeoutError, DecodeError

if TYPE_CHECKING:
    from byot._endpoint import Endpoint
    from byot._signatures import HeaderTypes, QueryTypes, ValidateTypes
    from byot._validation import Mode
    from byot.protocols import Config

logger = logging.getLogger("byot")

USER_AGENT = f"byot/{__version__} (python {sys.version_info.major}.{sys.version_info.minor})"
_BASE_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "application/json",
    "Accept-Encoding": "gzip, deflate",
}
_JSON = "application/json"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_BAD_HEADER_VALUE = re.compile(r"[\r\n\x00]")
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_URL_CACHE_SIZE = 512


def check_headers(headers: Mapping[str, object]) -> None:
    """Refuse header names and values that could split or forge a header line.

    Raises:
        ValueError: A name is not an HTTP token, or a value is not ASCII or holds CR, LF or NUL.
    """
    for name, value in headers.items():
        if not _TOKEN.match(name):
            raise ValueError(f"invalid header name {name!r}: use letters, digits and -")
        if value is not None and (
            not isinstance(value, str) or not value.isascii() or _BAD_HEADER_VALUE.search(value)
        ):
            # The value may be a secret: name the header, never echo the value (httpx's own
            # UnicodeEncodeError for a non-ASCII value would carry all of it).
            raise ValueError(
                f"invalid value for header {name!r}: it must be a str of ASCII characters "
                "without CR, LF or NUL"
            )


_SECRET_PARAM = re.compile(r"key|token|secret|signature|sig|password|auth", re.IGNORECASE)


def redact_url(url: httpx.URL) -> str:
    """The URL as text, with the values of query parameters that look like secrets hidden.

    Some providers take keys in the query (`?key=...`); they must not reach a log line or an
    exception message.
    """
    if not url.query:
        return str(url)
    params = [
        (name, "***" if _SECRET_PARAM.search(name) else value)
        for name, value in url.params.multi_items()
    ]
    return str(url.copy_with(query=urlencode(params, safe="*[]").encode()))


def fill_path(template: str, params: Mapping[str, object]) -> str:
    """Fill `{name}` placeholders, each value escaped so that it stays one path segment.

    Raises:
        TypeError: A placeholder has no value, or a value has no placeholder.
        ValueError: A value is empty (it would change the route).
    """
    used: set[str] = set()

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            raise TypeError(f"missing path parameter {name!r} for {template}")
        used.add(name)
        return escape_segment(name, params[name])

    path = _PLACEHOLDER.sub(sub, template)
    unused = set(params) - used
    if unused:
        raise TypeError(f"unknown path parameter(s) {sorted(unused)} for {template}")
    return path


def escape_segment(name: str, value: object) -> str:
    """URL-escape one path segment; `/`, `?`, `#`, `%` and dot segments cannot survive."""
    text = str(value)
    if not text:
        raise ValueError(f"path parameter {name!r} is empty; an empty id would change the route")
    escaped = quote(text, safe="")
    if escaped in {".", ".."}:  # dot segments would be resolved away by URL normalisation
        escaped = escaped.replace(".", "%2E")
    return escaped


def encode_query(params: Mapping[str, Any]) -> str:
    """Encode query parameters as the official SDK does.

    Booleans become `true`/`false`, None values are left out, lists repeat the key with
    brackets (`include[]=a&include[]=b`) and mappings nest (`metadata[key]=value`).
    """
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        _flatten(key, value, pairs)
    return urlencode(pairs)


def _flatten(key: str, value: Any, out: list[tuple[str, str]]) -> None:
    if value is None:
        return
    if value is True or value is False:
        out.append((key, "true" if value else "false"))
    elif isinstance(value, (list, tuple)):
        array = key if key.endswith("[]") else f"{key}[]"  # some spec names carry the []
        for item in cast("list[Any]", value):
            _flatten(array, item, out)
    elif isinstance(value, Mapping):
        for sub, item in cast("Mapping[str, Any]", value).items():
            _flatten(f"{key}[{sub}]", item, out)
    else:
        out.append((key, str(value)))


@dataclass(frozen=True)
class Settings:
    """What a client knows, resolved once when it is built (and again in `with_options`)."""

    config: Config
    default_headers: Mapping[str, str] = field(default_factory=dict[str, str])
    default_query: Mapping[str, Any] = field(default_factory=dict[str, Any])
    timeout: Timeout = DEFAULT_TIMEOUT
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    event_hooks: EventHooks = field(default_factory=lambda: EventHooks())
    validation: Validation = OFF
    # Derived: the headers of a request without a body, and with a JSON body.
    plain_headers: httpx.Headers = field(init=False, repr=False, compare=False)
    admin_auth: Mapping[str, str] = field(init=False, repr=False, compare=False)
    json_headers: httpx.Headers = field(init=False, repr=False, compare=False)
    query: Mapping[str, Any] = field(init=False, repr=False, compare=False)
    _urls: dict[str, httpx.URL] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Merged as HTTP does, ignoring case: `user-agent` replaces byot's `User-Agent`.
        plain = httpx.Headers(_BASE_HEADERS)
        for layer in (self.config.headers(), self.default_headers):
            check_headers(layer)
            plain.update(layer)
        json = plain.copy()
        json["Content-Type"] = _JSON
        object.__setattr__(self, "plain_headers", plain)
        # A configuration may carry a separate key for the admin API (OpenAIConfig does).
        admin_headers = getattr(self.config, "admin_headers", None)
        admin_auth = cast("Mapping[str, str]", admin_headers() if admin_headers else {})
        check_headers(admin_auth)
        object.__setattr__(self, "admin_auth", admin_auth)
        object.__setattr__(self, "json_headers", json)
        object.__setattr__(self, "query", {**self.config.query(), **self.default_query})
        object.__setattr__(self, "_urls", {})

    @classmethod
    def create(
        cls,
        *,
        config: Config | None,
        api_key: str | None,
        base_url: str | None,
        organization: str | None,
        project: str | None,
        default_headers: Mapping[str, str] | None,
        default_query: Mapping[str, Any] | None,
        timeout: float | Timeout | None,
        retry: RetryPolicy | None,
        max_retries: int | None,
        event_hooks: EventHooks | None = None,
        admin_api_key: str | None = None,
        validate: ValidateTypes | None = None,
    ) -> Settings:
        """Build settings from a client's constructor arguments.

        Raises:
            TypeError: `config=` was combined with the arguments it replaces.
        """
        if config is None:
            config = OpenAIConfig(
                api_key=api_key,
                base_url=base_url,
                organization=organization,
                project=project,
                admin_api_key=admin_api_key,
            )
        elif any(v is not None for v in (api_key, base_url, organization, project, admin_api_key)):
            raise TypeError(
                "pass either config= or api_key=/base_url=/organization=/project=/admin_api_key=, "
                "not both"
            )
        policy = retry or RetryPolicy()
        if max_retries is not None:
            policy = replace(policy, max_retries=max_retries)
        return cls(
            config=config,
            default_headers=dict(default_headers or {}),
            default_query=dict(default_query or {}),
            timeout=to_timeout(timeout),
            retry=policy,
            event_hooks=_check_hooks(event_hooks),
            validation=OFF if validate is None else Validation.of(validate),
        )

    def derive(
        self,
        *,
        config: Config | None,
        api_key: str | None,
        base_url: str | None,
        organization: str | None,
        project: str | None,
        default_headers: Mapping[str, str] | None,
        default_query: Mapping[str, Any] | None,
        timeout: float | Timeout | None,
        retry: RetryPolicy | None,
        max_retries: int | None,
        event_hooks: EventHooks | None = None,
        validate: ValidateTypes | None = None,
    ) -> Settings:
        """These settings with some changed, for `with_options`.

        Raises:
            TypeError: `config=` was combined with the arguments it replaces, or the current
                configuration is not an `OpenAIConfig` that a key or URL can be changed in.
        """
        changes = {
            "api_key": api_key,
            "base_url": base_url,
            "organization": organization,
            "project": project,
        }
        if config is None and any(v is not None for v in changes.values()):
            if not isinstance(self.config, OpenAIConfig):
                raise TypeError(
                    f"cannot change api_key/base_url/organization/project of a "
                    f"{type(self.config).__name__}: pass config= instead"
                )
            config = self.config.replace(**changes)
            changes = dict.fromkeys(changes)
        policy = retry or self.retry
        return Settings.create(
            config=config or self.config,
            **changes,
            default_headers=_merged_headers(self.default_headers, default_headers),
            default_query={**self.default_query, **(default_query or {})},
            timeout=timeout,
            retry=policy,
            max_retries=max_retries,
            event_hooks=self.event_hooks if event_hooks is None else event_hooks,
            validate=self.validation if validate is None else validate,
        )

    def url(self, path: str, query: QueryTypes | None) -> httpx.URL:
        """The parsed URL for a path and a per-call query, cached: parsing is costly."""
        text = self.config.url(path)
        merged = {**self.query, **query} if query else self.query
        if merged:
            text += ("&" if "?" in text else "?") + encode_query(merged)
        urls = self._urls
        url = urls.get(text)
        if url is None:
            if len(urls) >= _URL_CACHE_SIZE:
                urls.clear()
            url = urls[text] = httpx.URL(text)
        return url

    def prepare(
        self,
        method: str,
        path: str,
        body: object,
        *,
        encoder: Callable[[Any], bytes | Mapping[str, Any]] | None,
        options: RequestOptions,
    ) -> Prepared:
        """Everything about a call that does not depend on the attempt.

        Raises:
            TypeError: An option or the body is of the wrong kind.
            ValueError: A header or path parameter would corrupt the request.
        """
        _check_options(options, _REQUEST_OPTIONS, "request")
        route = path
        if options:
            path = route = options.get("path", path)
            path_params = options.get("path_params")
            if path_params is not None:
                path = fill_path(path, path_params)
        checks = self.checks(options)
        operation = None
        if checks.active:  # validated when the path is a route of the spec
            operation = _validation.operation_for(method, route)
            if operation is not None and checks.request != "off":
                _validation.check_request(operation, body, checks.request, encoder=encoder)
        url = self.url(path, options.get("query"))
        content, headers = self._content(body, encoder, options)
        return self._prepared(method, url, headers, content, options, operation, checks)

    def prepare_call(
        self,
        endpoint: Endpoint,
        body: object,
        *,
        path_values: Mapping[str, object],
        query_values: Mapping[str, object],
        encoder: Callable[[Any], bytes | Mapping[str, Any]] | None,
        options: CallOptions,
    ) -> Prepared:
        """Everything about a call of a generated method that does not depend on the attempt.

        Named query values that are None are left out; `options["query"]` adds to them and
        `options["path"]` replaces the endpoint's path.

        Raises:
            TypeError: The body does not suit the endpoint, or an option is of the wrong kind.
            ValueError: A header or path parameter would corrupt the request.
        """
        _check_options(options, _OPTION_NAMES, f"{endpoint.name}")
        checks = self.checks(options)
        if checks.request != "off" and endpoint.body != "none":
            _validation.check_request(endpoint.operation_id, body, checks.request, encoder=encoder)
        path = fill_path(options.get("path", endpoint.path), path_values)
        query: dict[str, Any] = dict(endpoint.fixed_query)
        for name, value in query_values.items():
            if value is not None:
                query[endpoint.query_params[name]] = value
        extra_query = options.get("query")
        if extra_query:
            query.update(extra_query)
        url = self.url(path, query)
        content: bytes | Replayable | None
        if endpoint.body == "multipart":
            content, headers = self._multipart(endpoint, body, options)
        else:
            if endpoint.body == "none" and body is not None:
                raise TypeError(
                    f"{endpoint.name}() takes no body ({endpoint.method} {endpoint.path})"
                )
            content, headers = self._content(body, encoder, options, bytes_type=_JSON)
        admin = endpoint.admin and self.admin_auth
        if admin or endpoint.result != "json":
            headers = headers.copy()
            if admin:
                headers.update(self.admin_auth)
            if endpoint.result != "json":  # audio, video, archives: accept what comes
                headers["Accept"] = "*/*"
        return self._prepared(
            endpoint.method, url, headers, content, options, endpoint.operation_id, checks
        )

    def checks(self, options: CallOptions) -> Validation:
        """The validation modes of a call: its own `validate=`, else the client's.

        Raises:
            ValueError: `validate=` names no mode.
        """
        validate = options.get("validate")
        return self.validation if validate is None else Validation.of(validate)

    def _multipart(
        self, endpoint: Endpoint, body: object, options: CallOptions
    ) -> tuple[Replayable, httpx.Headers]:
        from byot._multipart import MultipartBody  # only multipart calls pay for it

        if body is not None and not isinstance(body, Mapping):
            raise TypeError(
                f"{endpoint.name}() takes its form fields as a mapping, not {type(body).__name__}"
            )
        fields = {**cast("Mapping[str, Any]", body or {}), **options.get("extra_body", {})}
        for name, media_type in (endpoint.part_types or {}).items():
            fields[name] = _typed_part(fields.get(name), media_type)
        form = MultipartBody(fields)
        headers = self.plain_headers.copy()
        headers["Content-Type"] = form.content_type
        length = form.content_length()
        if length is not None:
            headers["Content-Length"] = str(length)
        return form, headers

    def _prepared(
        self,
        method: str,
        url: httpx.URL,
        headers: httpx.Headers,
        content: bytes | Replayable | None,
        options: CallOptions,
        operation: str | None,
        checks: Validation,
    ) -> Prepared:
        timeout = to_timeout(options["timeout"]) if "timeout" in options else self.timeout
        return Prepared(
            method=method.upper(),
            url=url,
            headers=self._call_headers(headers, options),
            content=content,
            timeout=timeout,
            httpx_timeout=timeout.as_httpx(),
            max_retries=options.get("max_retries"),
            operation=operation,
            check_response=checks.response,
        )

    def _content(
        self,
        body: object,
        encoder: Callable[[Any], bytes | Mapping[str, Any]] | None,
        options: CallOptions,
        *,
        bytes_type: str = "application/octet-stream",
    ) -> tuple[bytes | None, httpx.Headers]:
        extra_body = options.get("extra_body")
        if body is None and encoder is None and not extra_body:
            content = None
            headers = self.plain_headers
        elif isinstance(body, (bytes, bytearray)) and encoder is None:
            if extra_body:
                raise TypeError("extra_body cannot be merged into a bytes body")
            content = bytes(body)
            headers = self.plain_headers.copy()
            headers["Content-Type"] = bytes_type
        else:
            content = _codec.encode(
                {} if body is None else body, encoder=encoder, extra_body=extra_body
            )
            headers = self.json_headers
        return content, headers

    @staticmethod
    def _call_headers(headers: httpx.Headers, options: CallOptions) -> httpx.Headers:
        """The per-call headers and idempotency key laid over a call's base headers."""
        call_headers = options.get("headers")
        key = options.get("idempotency_key")
        if call_headers or key is not None:
            return _merge_headers(headers, call_headers or {}, key)
        return headers


def _check_hooks(hooks: EventHooks | None) -> EventHooks:
    """Hooks as given, checked: only `request` and `response`, each a sequence of callables.

    Raises:
        TypeError: An unknown kind of hook, or a hook that cannot be called.
    """
    if hooks is None:
        return EventHooks()
    for kind, callables in cast("Mapping[str, Any]", hooks).items():
        if kind not in ("request", "response"):
            raise TypeError(f"unknown event hook {kind!r}: use 'request' or 'response'")
        if not all(callable(hook) for hook in callables):
            raise TypeError(f"every {kind!r} event hook must be callable")
    return hooks


def _typed_part(value: object, media_type: str) -> object:
    """A field the spec sends as one typed part, without a filename.

    Text and bytes become the part's content; a dict becomes a JSON document when the part
    is JSON. Anything else (a file, a tuple the caller built) is left as it is.
    """
    if isinstance(value, str):
        return (None, value.encode(), media_type)
    if isinstance(value, (bytes, bytearray)):
        return (None, bytes(value), media_type)
    document = _codec.json_object(value) if "json" in media_type else None
    if document is not None:
        return (None, _codec.encode(document), media_type)
    return value


def _merged_headers(current: Mapping[str, str], changes: Mapping[str, str] | None) -> httpx.Headers:
    merged = httpx.Headers(current)
    merged.update(changes or {})
    return merged


def _merge_headers(
    base: httpx.Headers, extra: HeaderTypes, idempotency_key: str | None
) -> httpx.Headers:
    if idempotency_key is not None:
        extra = {**extra, "Idempotency-Key": idempotency_key}
    check_headers(extra)
    headers = base.copy()
    for name, value in extra.items():
        if value is None:
            headers.pop(name, None)
        else:
            headers[name] = value
    return headers


class Replayable(Protocol):
    """A body sent as a stream and replayed identically on a retry (a multipart upload).

    Each iteration, sync or async, is a fresh pass over the whole body.
    """

    def __iter__(self) -> Iterator[bytes]: ...

    def __aiter__(self) -> AsyncIterator[bytes]: ...


@dataclass(frozen=True, slots=True)
class Prepared:
    """A call ready to be sent: what every attempt of it shares.

    `content` is the body: bytes are replayed as they are on a retry; a `Replayable` is
    iterated afresh for each attempt, so a body too large to hold in memory (a multipart
    upload streamed from files) is sent again whole, never half-consumed.
    """

    method: str
    url: httpx.URL
    headers: httpx.Headers
    content: bytes | Replayable | None
    timeout: Timeout
    httpx_timeout: dict[str, float | None]
    max_retries: int | None
    operation: str | None = None  # the spec's operationId, when the call is one of its routes
    check_response: Mode = "off"  # the validation mode of the response (and stream events)

    @property
    def safe_url(self) -> str:
        """The URL for messages and logs, with secret-looking query values hidden."""
        return redact_url(self.url)

    def deadline(self) -> Deadline | None:
        """A fresh deadline for the call's total time budget, when it has one."""
        total = self.timeout.total
        return None if total is None else Deadline(total)

    def timeout_for(self, deadline: Deadline | None) -> dict[str, float | None]:
        """The phase timeouts for one attempt, clamped to what is left of the deadline.

        Raises:
            APITimeoutError: The deadline has already passed.
        """
        if deadline is None:
            return self.httpx_timeout
        if deadline.expired():
            raise self.deadline_error()
        return self.timeout.as_httpx(deadline.remaining())

    def deadline_error(self) -> APITimeoutError:
        """The error for a call that ran out of its total time."""
        return APITimeoutError(
            f"the call's total deadline of {self.timeout.total:g} s ran out",
            method=self.method,
            url=self.safe_url,
        )

    def body(
        self, *, asynchronous: bool = False
    ) -> bytes | Iterator[bytes] | AsyncIterator[bytes] | None:
        """The body for one attempt: a fresh pass over a streamed body."""
        content = self.content
        if content is None or isinstance(content, bytes):
            return content
        return aiter(content) if asynchronous else iter(content)

    def request(
        self, timeout: dict[str, float | None], *, asynchronous: bool = False
    ) -> httpx.Request:
        """The `httpx.Request` for one attempt."""
        return httpx.Request(
            self.method,
            self.url,
            headers=self.headers,
            content=self.body(asynchronous=asynchronous),
            extensions={"timeout": timeout},
        )

    def finish(
        self,
        status: int,
        headers: httpx.Headers,
        content: bytes,
        decode: Callable[[bytes], Any],
        target: object,
    ) -> Any:
        """The caller's value for a response, or the exception it calls for.

        Raises:
            APIStatusError: The status is not 2xx (the matching subclass).
            DecodeError: The body does not decode into the requested type.
        """
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %d (%d bytes, request_id=%s)",
                self.method,
                self.safe_url,
                status,
                len(content),
                headers.get("x-request-id"),
            )
        if not 200 <= status < 300:
            raise self.status_error(status, headers, content)
        if self.check_response != "off" and self.operation is not None:
            # The JSON value is checked before it becomes the caller's type.
            _validation.check_response(self.operation, status, content, self.check_response)
        return decode_body(decode, content, target, headers)

    def not_an_event_stream(self, headers: httpx.Headers, content: bytes) -> errors.StreamError:
        """The error for a 2xx answer to a stream request that is not an event stream."""
        kind = headers.get("content-type") or "no content type"
        excerpt = content[:200].decode("utf-8", "replace")
        return errors.StreamError(
            f"expected an event stream (text/event-stream), got {kind}: {excerpt!r}",
            method=self.method,
            url=self.safe_url,
            data=content,
            request_id=headers.get("x-request-id"),
        )

    def status_error(
        self, status: int, headers: httpx.Headers, content: bytes
    ) -> errors.APIStatusError:
        """The status error for a response that is not 2xx, with its body read."""
        return _status.make_status_error(
            method=self.method, url=self.safe_url, status=status, headers=headers, raw=content
        )


def decode_body(
    decode: Callable[[bytes], Any], content: bytes, target: object, headers: httpx.Headers
) -> Any:
    """Run a decoder; any failure becomes a `DecodeError` that keeps the raw bytes.

    Raises:
        DecodeError: The decoder failed.
    """
    try:
        return decode(content)
    except DecodeError as exc:
        raise exc.with_context(raw=content, request_id=headers.get("x-request-id")) from None
    except Exception as exc:
        raise _decode_error(exc, content, target, headers) from exc


def _decode_error(
    exc: Exception, content: bytes, target: object, headers: httpx.Headers
) -> DecodeError:
    name = getattr(target, "__qualname__", None) or repr(target)
    if not content.strip():
        problem = "the response body is empty"
    else:
        problem = f"{type(exc).__name__}: {exc}".replace("\n", " ")
        content_type = headers.get("content-type")
        if content_type and "json" not in content_type:
            problem += f" (content-type {content_type})"
    return DecodeError(
        f"cannot decode the response into {name}: {problem}",
        raw=content,
        target=target,
        path=_error_path(exc),
        request_id=headers.get("x-request-id"),
    )


_MSGSPEC_PATH = re.compile(r"at `(\$[^`]*)`")


def _error_path(exc: Exception) -> str:
    """The JSON path a pydantic or msgspec validation error points at, or `$`."""
    errors: Any = getattr(exc, "errors", None)
    if errors is not None:
        try:
            loc: list[Any] = list(errors()[0]["loc"])
        except (TypeError, LookupError, AttributeError):
            return "$"
        return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)
    match = _MSGSPEC_PATH.search(str(exc))
    return match.group(1) if match else "$"


def decoder_for(
    response_type: object, decoder: Callable[[bytes], Any] | None
) -> tuple[Callable[[bytes], Any], object]:
    """The decoder for a call and what to name in errors.

    Raises:
        TypeError: Both `response_type=` and `decoder=` were given.
    """
    if decoder is not None:
        if response_type is not None:
            raise TypeError("pass response_type= or decoder=, not both")
        return decoder, decoder
    if response_type is None:
        return _codec.decode_object, dict
    return _codec.decoder_for(response_type), response_type


def transport_error(prepared: Prepared, exc: httpx.RequestError) -> APIConnectionError:
    """The byot error for an httpx failure to send or receive."""
    return connection_error(prepared.method, prepared.safe_url, exc)


def connection_error(method: str, url: str, exc: httpx.RequestError) -> APIConnectionError:
    """The byot error for an httpx failure, also while a stream is being read."""
    if isinstance(exc, httpx.TimeoutException):
        name = type(exc).__name__
        kind = name.removesuffix("Timeout").lower() if name.endswith("Timeout") else "request"
        return APITimeoutError(
            f"{kind} timeout: {method} {url} got no answer in time", method=method, url=url
        )
    return APIConnectionError(
        f"connection error: {method} {url}: {type(exc).__name__}: {exc}", method=method, url=url
    )


_HTTPX_DEFAULT_TIMEOUT = httpx.Timeout(5.0)


def timeout_from_httpx(timeout: httpx.Timeout) -> Timeout:
    """The timeout a client adopts from an injected `httpx.Client`.

    Its own, unless it is httpx's default (5 s for everything would cut off most
    completions): then byot's default.
    """
    if timeout == _HTTPX_DEFAULT_TIMEOUT:
        return DEFAULT_TIMEOUT
    return Timeout(
        None, connect=timeout.connect, read=timeout.read, write=timeout.write, pool=timeout.pool
    )


def _as_bytes(content: bytes) -> bytes:
    return content


def _as_none(content: bytes) -> None:  # noqa: ARG001 - a decoder that ignores its body
    return None


def _as_text(content: bytes) -> str:
    return content.decode("utf-8", "replace")


def call_decoder(
    endpoint: Endpoint, response_type: object, decoder: Callable[[bytes], Any] | None
) -> tuple[Callable[[bytes], Any], object]:
    """The decoder for a generated method's call: the caller's for JSON, else bytes or text.

    Raises:
        TypeError: Both `response_type=` and `decoder=` were given.
    """
    if endpoint.result == "binary":
        return _as_bytes, bytes
    if endpoint.result == "text":
        return _as_text, str
    if endpoint.result == "empty":  # the spec promises no body; raw=True still shows one
        return _as_none, None
    return decoder_for(response_type, decoder)


def split_call_params(
    endpoint: Endpoint, params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Sort `client.call(...)` keywords into path values, query values and options.

    Raises:
        TypeError: A keyword is none of the three.
    """
    placeholders = set(_PLACEHOLDER.findall(endpoint.path))
    path_values: dict[str, Any] = {}
    query_values: dict[str, Any] = {}
    options: dict[str, Any] = {}
    for name, value in params.items():
        if name in placeholders:
            path_values[name] = value
        elif name in endpoint.query_params:
            query_values[name] = value
        elif name in _OPTION_NAMES:
            options[name] = value
        else:
            known = sorted(placeholders | set(endpoint.query_params) | _OPTION_NAMES)
            raise TypeError(
                f"{endpoint.operation_id} has no parameter {name!r}; it takes {', '.join(known)}"
            )
    return path_values, query_values, options


# The option names, as the TypedDicts that type checkers read declare them.
_OPTION_NAMES: frozenset[str] = CallOptions.__optional_keys__
_REQUEST_OPTIONS: frozenset[str] = RequestOptions.__optional_keys__


def _check_options(options: Mapping[str, object], allowed: frozenset[str], name: str) -> None:
    """Refuse a keyword no option has: a typo must not be silently ignored.

    Raises:
        TypeError: An unknown keyword, with the accepted ones.
    """
    unknown = options.keys() - allowed
    if unknown:
        raise TypeError(
            f"{name}() got unexpected keyword(s) {sorted(unknown)}; "
            f"its options are {', '.join(sorted(allowed))}"
        )


def stream_options(endpoint: Endpoint, options: CallOptions) -> CallOptions:
    """The options of a `*_stream` call: the operation's stream flag set, events accepted.

    The flag goes where the operation takes it: into the body (`stream: true`, or
    `stream_format: "sse"` for speech) or into the query (`GET /responses/{id}?stream=true`).
    """
    info = endpoint.stream or {}
    name, _, value = info.get("flag", "stream").partition("=")
    flag: dict[str, Any] = {name: value or True}
    headers = {"Accept": "text/event-stream", **options.get("headers", {})}
    if info.get("in") == "query":
        return {**options, "headers": headers, "query": {**options.get("query", {}), **flag}}
    return {**options, "headers": headers, "extra_body": {**options.get("extra_body", {}), **flag}}


def event_converter(
    event_type: object, decoder: Callable[[bytes], Any] | None, *, named: bool
) -> Callable[[Any, Any], Any] | None:
    """How a stream's items (values, or `(event name, value)` pairs) reach the caller.

    As they are, converted into `event_type`, or decoded from each event's raw data by
    `decoder`. None means "as they are" (the fast path).

    Raises:
        TypeError: Both `event_type=` and `decoder=` were given.
    """
    if decoder is not None:
        if event_type is not None:
            raise TypeError("pass event_type= or decoder=, not both")
        if named:
            return lambda event, item: (item[0], decoder(event.data))
        return lambda event, _item: decoder(event.data)
    if event_type is None:
        return None
    convert = _codec.converter_for(event_type)
    if named:
        return lambda _event, item: (item[0], convert(item[1]))
    return lambda _event, item: convert(item)


def checked_events(
    endpoint: Endpoint, mode: Mode, convert: Callable[[Any, Any], Any] | None
) -> Callable[[Any, Any], Any]:
    """A stream's converter with each event validated first (`validate=` on)."""
    assert endpoint.stream is not None  # noqa: S101 - only streaming operations get here
    check = _validation.event_check(endpoint.operation_id, endpoint.stream, mode)
    if convert is None:

        def plain(_event: Any, item: Any) -> Any:
            check(item)
            return item

        return plain
    then = convert

    def checked(event: Any, item: Any) -> Any:
        check(item)
        return then(event, item)

    return checked


_CHAT_STREAMS = frozenset({"createChatCompletion"})
_RESPONSE_STREAMS = frozenset(
    {"createResponse", "getResponse", "beta_createResponse", "beta_getResponse"}
)


def accumulator_for(endpoint: Endpoint) -> Callable[[list[Any]], dict[str, Any]] | None:
    """What merges a stream's events for `final()`: chat completions and Responses have one."""
    from byot import _accumulate  # only streams pay for it

    if endpoint.operation_id in _CHAT_STREAMS:
        return _accumulate.accumulate_chat
    if endpoint.operation_id in _RESPONSE_STREAMS:
        return _accumulate.accumulate_response
    return None
