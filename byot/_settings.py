"""`Settings`: what a client knows, resolved once, and how it turns a call into a `Prepared`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, cast

import httpx

from byot import _codec, _credentials, _hooks, _log, _stream_plan, _validation
from byot._call_options import OPTION_NAMES, REQUEST_OPTIONS, check_options
from byot._config import OpenAIConfig, environment_headers
from byot._headers import (
    BASE_HEADERS,
    JSON,
    check_headers,
    merge_headers,
    merged_headers,
    with_idempotency_key,
)
from byot._prepared import Prepared, Replayable
from byot._retry import RetryPolicy
from byot._signatures import CallOptions, EventHooks, RequestOptions
from byot._size_limits import DEFAULT_LIMITS, SizeLimits
from byot._timeout import DEFAULT_TIMEOUT, Timeout, to_timeout
from byot._url import check_no_userinfo, check_route, encode_query, fill_path
from byot._validation import OFF, Validation
from byot.errors import ConfigError

if TYPE_CHECKING:
    from typing import TypedDict

    from byot._credentials import Credentials
    from byot._endpoint import Endpoint
    from byot._limiter import RateLimiter
    from byot._otel import Tracing
    from byot._signatures import AsyncKeyTypes, QueryTypes, ValidateTypes
    from byot._telemetry import Telemetry
    from byot.protocols import Config
else:

    class TypedDict:
        """At run time the settings list is only its names, read from `__annotations__`.

        A real TypedDict compiles each annotation when the class is made (about 0.1 ms a key,
        paid by every `import byot`); these annotations stay strings.
        """

        def __init_subclass__(cls, *, total: bool = True) -> None:
            super().__init_subclass__()


_URL_CACHE_SIZE = 512


class ClientOptions(TypedDict, total=False):
    """The settings a client takes: the one list `Client`, `AsyncClient` and `with_options` follow.

    Their signatures spell these out for type checkers and readers;
    `tests/unit/test_settings.py` holds them to this list.
    """

    api_key: AsyncKeyTypes | None
    base_url: str | None
    organization: str | None
    project: str | None
    admin_api_key: str | None
    config: Config | None
    default_headers: Mapping[str, str] | None
    default_query: Mapping[str, Any] | None
    timeout: float | Timeout | None
    max_retries: int | None
    retry: RetryPolicy | None
    event_hooks: EventHooks | None
    validate: ValidateTypes | None
    telemetry: Telemetry | bool | None
    max_body_size: int | None
    max_line_size: int | None
    max_event_size: int | None
    rate_limiter: RateLimiter | None


CLIENT_OPTIONS: frozenset[str] = frozenset(ClientOptions.__annotations__)
# What replaces the provider configuration: these and `config=` exclude each other.
_CONFIG_KEYS = ("api_key", "base_url", "organization", "project", "admin_api_key")


def client_options(arguments: Mapping[str, Any]) -> ClientOptions:
    """The settings among a constructor's or `with_options`' arguments (its `locals()`)."""
    return cast(
        "ClientOptions", {name: arguments[name] for name in CLIENT_OPTIONS if name in arguments}
    )


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
    telemetry: Telemetry | None = None
    # Derived: the tracer and instruments when telemetry is on (see `byot._otel`).
    tracing: Tracing | None = field(init=False, repr=False, compare=False)
    limits: SizeLimits = DEFAULT_LIMITS
    # Shared, not copied: with_options copies (and other clients) book the same budget.
    rate_limiter: RateLimiter | None = None
    # Whether an async client holds these: only it can await an async key.
    asynchronous: bool = False
    # Derived: the headers of a request without a body, and with a JSON body.
    plain_headers: httpx.Headers = field(init=False, repr=False, compare=False)
    admin_auth: Mapping[str, str] = field(init=False, repr=False, compare=False)
    json_headers: httpx.Headers = field(init=False, repr=False, compare=False)
    query: Mapping[str, Any] = field(init=False, repr=False, compare=False)
    keyed: bool = field(init=False, repr=False, compare=False)  # a default Idempotency-Key
    # The headers computed before each attempt (a key given as a function), if any.
    credentials: Credentials | None = field(init=False, repr=False, compare=False)
    _urls: dict[str, httpx.URL] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_no_userinfo(self.config.base_url, "base_url")  # any Config, not only byot's
        # Merged as HTTP does, ignoring case: `user-agent` replaces byot's `User-Agent`.
        plain = httpx.Headers(BASE_HEADERS)
        fixed, credentials = _credentials.split(self.config.headers())
        plain.update(fixed)
        check_headers(self.default_headers)
        plain.update(self.default_headers)
        if credentials is not None:
            if not self.asynchronous:
                credentials.check_sync()
            credentials = credentials.without(self.default_headers)
        object.__setattr__(self, "credentials", credentials)
        json = plain.copy()
        json["Content-Type"] = JSON
        object.__setattr__(self, "plain_headers", plain)
        # A configuration may carry a separate key for the admin API (OpenAIConfig does).
        admin_headers = getattr(self.config, "admin_headers", None)
        admin_auth = cast("Mapping[str, str]", admin_headers() if admin_headers else {})
        check_headers(admin_auth)
        object.__setattr__(self, "admin_auth", admin_auth)
        object.__setattr__(self, "json_headers", json)
        object.__setattr__(self, "keyed", "idempotency-key" in plain)
        object.__setattr__(self, "query", {**self.config.query(), **self.default_query})
        object.__setattr__(self, "_urls", {})
        tracing = None if self.telemetry is None else _tracing(self.telemetry, self.config.base_url)
        object.__setattr__(self, "tracing", tracing)

    @classmethod
    def create(cls, options: ClientOptions, *, asynchronous: bool = False) -> Settings:
        """Build settings from a client's constructor arguments.

        The headers of `OPENAI_CUSTOM_HEADERS` go under `default_headers`.

        Raises:
            ConfigError: An async key for a sync client, or a header that cannot be sent.
            TypeError: `config=` was combined with the arguments it replaces.
        """
        default_headers = {**environment_headers(), **(options.get("default_headers") or {})}
        return cls._build({**options, "default_headers": default_headers}, asynchronous)

    @classmethod
    def _build(cls, options: ClientOptions, asynchronous: bool) -> Settings:
        config = options.get("config")
        keys: dict[str, Any] = {name: options.get(name) for name in _CONFIG_KEYS}
        if config is None:
            config = OpenAIConfig(**keys)
        elif any(value is not None for value in keys.values()):
            raise TypeError(
                "pass either config= or api_key=/base_url=/organization=/project=/admin_api_key=, "
                "not both"
            )
        policy = options.get("retry") or RetryPolicy()
        max_retries = options.get("max_retries")
        if max_retries is not None:
            policy = replace(policy, max_retries=max_retries)
        validate = options.get("validate")
        telemetry = options.get("telemetry")
        return cls(
            config=config,
            default_headers=dict(options.get("default_headers") or {}),
            default_query=dict(options.get("default_query") or {}),
            timeout=to_timeout(options.get("timeout", DEFAULT_TIMEOUT)),
            retry=policy,
            event_hooks=_log.hooks(_hooks.check(options.get("event_hooks"))),
            validation=OFF if validate is None else Validation.of(validate),
            telemetry=_telemetry_option(telemetry),
            limits=DEFAULT_LIMITS.over(options),
            rate_limiter=options.get("rate_limiter"),
            asynchronous=asynchronous,
        )

    def derive(self, options: ClientOptions) -> Settings:
        """These settings with some changed, for `with_options`.

        What `options` leaves out or sets to None is kept; so is the timeout when it is the
        `DEFAULT_TIMEOUT` sentinel of `with_options`' signature.

        Raises:
            TypeError: `config=` was combined with the arguments it replaces, or the current
                configuration is not an `OpenAIConfig` that a key or URL can be changed in.
        """
        config = options.get("config")
        changes: dict[str, Any] = {
            name: options.get(name) for name in _CONFIG_KEYS if name != "admin_api_key"
        }
        if config is None and any(value is not None for value in changes.values()):
            if not isinstance(self.config, OpenAIConfig):
                raise TypeError(
                    f"cannot change api_key/base_url/organization/project of a "
                    f"{type(self.config).__name__}: pass config= instead"
                )
            config = self.config.replace(**changes)
            changes = dict.fromkeys(changes)
        timeout = options.get("timeout", DEFAULT_TIMEOUT)
        event_hooks = options.get("event_hooks")
        validate = options.get("validate")
        telemetry = options.get("telemetry")
        updated: dict[str, Any] = {
            "config": config or self.config,
            "default_headers": merged_headers(self.default_headers, options.get("default_headers")),
            "default_query": {**self.default_query, **(options.get("default_query") or {})},
            "timeout": self.timeout if timeout is DEFAULT_TIMEOUT else timeout,
            "retry": options.get("retry") or self.retry,
            "max_retries": options.get("max_retries"),
            "event_hooks": self.event_hooks if event_hooks is None else event_hooks,
            "validate": self.validation if validate is None else validate,
            "telemetry": self.telemetry if telemetry is None else telemetry,
            "rate_limiter": options.get("rate_limiter") or self.rate_limiter,
        }
        derived = Settings._build(cast("ClientOptions", {**changes, **updated}), self.asynchronous)
        return replace(derived, limits=self.limits.over(options))

    def url(self, path: str, query: QueryTypes | None) -> httpx.URL:
        """The parsed URL for a path and a per-call query, cached: parsing is costly.

        Raises:
            ConfigError: The path has a dot segment, or the URL a user name or password.
        """
        text = self.config.url(path)
        merged = {**self.query, **query} if query else self.query
        if merged:
            text += ("&" if "?" in text else "?") + encode_query(merged)
        urls = self._urls
        url = urls.get(text)
        if url is None:  # checked once per distinct URL, off the hot path
            check_route(path)
            url = httpx.URL(text)
            if url.userinfo:
                check_no_userinfo(text, "the URL")
            if len(urls) >= _URL_CACHE_SIZE:
                urls.clear()
            urls[text] = url
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
            StreamFlagError: The body asks for a stream, which `request` cannot read.
        """
        check_options(options, REQUEST_OPTIONS, "request")
        route = path
        if options:
            path = route = options.get("path", path)
            path_params = options.get("path_params")
            if path_params is not None:
                path = fill_path(path, path_params)
        if body is not None or options:
            _stream_plan.refuse_request_stream(method, route, body, options)
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
        stream: bool = False,
    ) -> Prepared:
        """Everything about a call of a generated method that does not depend on the attempt.

        Named query values that are None are left out; `options["query"]` adds to them and
        `options["path"]` replaces the endpoint's path. `stream` is True for the `*_stream`
        methods: any other call that asks for a stream is refused.

        Raises:
            TypeError: The body does not suit the endpoint, or an option is of the wrong kind.
            ValueError: A header or path parameter would corrupt the request.
            StreamFlagError: The call reads one answer but asks for a stream.
        """
        check_options(options, OPTION_NAMES, f"{endpoint.name}")
        if not stream:
            _stream_plan.refuse_stream_flag(endpoint, body, options)
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
            content, headers = self._content(body, encoder, options, bytes_type=JSON)
        admin = endpoint.admin and self.admin_auth
        if admin or endpoint.result != "json":
            headers = headers.copy()
            if admin:
                headers.update(self.admin_auth)
            if endpoint.result != "json":  # audio, video, archives: accept what comes
                headers["Accept"] = "*/*"
        return self._prepared(
            endpoint.method,
            url,
            headers,
            content,
            options,
            endpoint.operation_id,
            checks,
            admin=bool(admin),
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
        *,
        admin: bool = False,
    ) -> Prepared:
        timeout = to_timeout(options["timeout"]) if "timeout" in options else self.timeout
        method = method.upper()
        credentials = self.credentials
        if credentials is not None:  # what the call or the admin key sets is not computed
            credentials = credentials.without(
                [*options.get("headers", ()), *(self.admin_auth if admin else ())]
            )
        return Prepared(
            method=method,
            url=url,
            headers=with_idempotency_key(
                method,
                self._call_headers(headers, options),
                may_have=self.keyed or "headers" in options or "idempotency_key" in options,
            ),
            content=content,
            timeout=timeout,
            httpx_timeout=timeout.as_httpx(),
            max_retries=options.get("max_retries"),
            operation=operation,
            check_response=checks.response,
            limits=self.limits.over(options) if options else self.limits,
            credentials=credentials,
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
            return merge_headers(headers, call_headers or {}, key)
        return headers


def _telemetry_option(value: object) -> Telemetry | None:
    """What `telemetry=` asks for: True is `Telemetry()`, False and None are off.

    Raises:
        TypeError: The value is none of those.
    """
    if value is None or value is False:
        return None
    from byot._telemetry import Telemetry  # only a client with telemetry on loads it

    if value is True:
        return Telemetry()
    if isinstance(value, Telemetry):
        return value
    raise TypeError(f"telemetry= takes True, False or a byot.Telemetry, not {type(value).__name__}")


def _tracing(telemetry: Telemetry, base_url: str) -> Tracing:
    """The tracer and instruments of a client with telemetry on.

    Raises:
        ConfigError: OpenTelemetry is not installed.
    """
    try:
        from byot._otel import Tracing  # imports opentelemetry: only when telemetry is on
    except ImportError as exc:
        raise ConfigError(
            "telemetry needs OpenTelemetry: pip install 'byot-client[otel]' "
            f"({exc.name or 'opentelemetry'} is missing)"
        ) from exc
    return Tracing(telemetry, base_url)


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
