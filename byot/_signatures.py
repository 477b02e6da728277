"""Type variables, aliases and the per-call options shared by both clients.

`R` is the heart of "bring your own types": every JSON call returns `R`, which defaults to
`dict[str, Any]` (PEP 696) when the caller names neither `response_type=` nor `decoder=`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

if TYPE_CHECKING:
    import httpx
    from typing_extensions import TypeVar

    from byot._timeout import Timeout
    from byot._validation import Mode, Validation

    R = TypeVar("R", default=dict[str, Any])
    """The result type of a call: `dict[str, Any]` unless the caller names another."""
    T = TypeVar("T", default=dict[str, Any])
    """The item type of a paginated list: `dict[str, Any]` unless the caller names another."""
    B = TypeVar("B", default=Any)
    """The request body type, tied to `encoder=` when one is given."""
else:
    # Only type checkers read the defaults (PEP 696), so at run time the type variables come
    # from `typing`: importing typing_extensions (and `inspect`, which it imports) would add
    # about a tenth to `import byot`.
    from typing import TypeVar  # noqa: TID251 - see above

    R, T, B = TypeVar("R"), TypeVar("T"), TypeVar("B")


JSON: TypeAlias = Any
"""A decoded JSON value (dict, list, str, int, float, bool or None)."""

Decoder: TypeAlias = Callable[[bytes], R]
"""Turns a response body into a value."""

TimeoutTypes: TypeAlias = "float | Timeout | None"
"""A timeout in seconds for every phase, a `Timeout`, or `None` for no timeout at all."""

HeaderTypes: TypeAlias = Mapping[str, "str | None"]
"""Header names to values; per call, a `None` value removes a client header."""

KeyTypes: TypeAlias = "str | Callable[[], str]"
"""An API key or token: a str, or a function called before each attempt for a fresh one."""

AsyncKeyTypes: TypeAlias = "str | Callable[[], str] | Callable[[], Awaitable[str]]"
"""A key or token of an `AsyncClient`: also an async function, awaited before each attempt."""

QueryTypes: TypeAlias = Mapping[str, Any]
"""Query parameters: scalars, booleans (sent as `true`/`false`), lists and nested mappings."""

ValidateTypes: TypeAlias = "Mode | Validation"
"""`"off"`, `"warn"` or `"raise"` for requests and responses alike, or a `byot.Validation`."""


if TYPE_CHECKING:
    # What a generated method's body may be besides the operation's typed dict. For type
    # checkers only, like the type variables above: nothing here exists at run time.
    from typing import ClassVar, Protocol

    class _Dataclass(Protocol):
        __dataclass_fields__: ClassVar[dict[str, Any]]

    class _AttrsClass(Protocol):
        __attrs_attrs__: ClassVar[Any]

    class _PydanticModel(Protocol):
        __pydantic_fields__: ClassVar[dict[str, Any]]

    class _MsgspecStruct(Protocol):
        __struct_fields__: ClassVar[tuple[str, ...]]

    Body: TypeAlias = Mapping[str, Any] | _Dataclass | _AttrsClass | _PydanticModel | _MsgspecStruct
    """What a JSON request body may be besides the operation's typed dict: any mapping with
    string keys (a dict built in a variable, a `dict[str, Any]`, a `json.load` result, your own
    `TypedDict`), or an instance of the caller's dataclass, attrs class, pydantic model or
    msgspec Struct (encoded field by field). Anything else goes with `encoder=`.

    A mapping is accepted whatever its value types, so a dict built in an unannotated variable
    type-checks as written. Key-by-key checking comes from annotating the variable with the
    operation's typed dict (`body: CreateChatCompletionRequest = {...}`): see docs/types.md."""


class CallOptions(TypedDict, total=False):
    """Per-call options accepted by every generated method and by `client.call`.

    A key that is absent means "use the client's setting"; there is no sentinel. Type checkers
    reject a misspelt key (`timout=`) with a "did you mean", and so does byot at run time.
    """

    timeout: float | Timeout | None
    """Overrides the client timeout; `None` disables every timeout for this call."""
    headers: HeaderTypes
    """Added over the client headers; a `None` value removes that header."""
    query: QueryTypes
    """Added over the client's default query."""
    extra_body: Mapping[str, Any]
    """Merged into the top level of the JSON body last; its keys win."""
    max_retries: int
    """Overrides the client's retry count for this call (0 disables retries)."""
    idempotency_key: str
    """Sent as `Idempotency-Key`, the same value on every attempt."""
    path: str
    """Replaces the path of the call (for gateways that route a provider's own paths)."""
    validate: ValidateTypes
    """Overrides the client's schema validation for this call (see `byot.Validation`)."""
    max_body_size: int
    """Overrides the client's limit on a buffered body after decoding, in bytes."""
    max_line_size: int
    """Overrides the client's limit on one event-stream line, in bytes."""
    max_event_size: int
    """Overrides the client's limit on one stream event's data, in bytes."""


class RequestOptions(CallOptions, total=False):
    """Per-call options of `client.request`: those of `CallOptions`, and `path_params`."""

    path_params: Mapping[str, object]
    """Values for `{name}` placeholders in the path; each is URL-escaped as one segment."""


class EventHooks(TypedDict, total=False):
    """Observers of every request a client sends: logging, metrics, tracing.

    Request hooks see each attempt's `httpx.Request` just before it is sent (they may add
    headers, e.g. a trace id); response hooks see the `httpx.Response` once its headers
    arrive, before the body is read. `AsyncClient` also accepts async hooks.
    """

    request: Sequence[Callable[[httpx.Request], object]]
    response: Sequence[Callable[[httpx.Response], object]]
