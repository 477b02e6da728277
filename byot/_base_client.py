"""What both clients share that needs no I/O: their settings, the views of them, `with_options`."""

from __future__ import annotations

# typing's TypeVar: no default is needed, and typing_extensions would cost `import byot` time.
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar  # noqa: TID251

from byot._override import override
from byot._settings import client_options
from byot._timeout import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from collections.abc import Mapping

    from typing_extensions import Self

    from byot._limiter import RateLimiter
    from byot._retry import RetryPolicy
    from byot._settings import Settings
    from byot._signatures import AsyncKeyTypes, EventHooks, ValidateTypes
    from byot._telemetry import Telemetry
    from byot._timeout import Timeout
    from byot.protocols import Config


class _Pool(Protocol):
    @property
    def closed(self) -> bool: ...


P = TypeVar("P", bound=_Pool)


class BaseClient(Generic[P]):
    """The settings half of `Client` and `AsyncClient`; the drivers add the I/O.

    `P` is the driver's connection pool, shared with every `with_options` copy.
    """

    _settings: Settings
    _connection: P

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
        api_key: AsyncKeyTypes | None = None,
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
        telemetry: Telemetry | bool | None = None,
        max_body_size: int | None = None,
        max_line_size: int | None = None,
        max_event_size: int | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> Self:
        """A copy of this client with some settings changed, sharing its connection pool.

        Headers and query parameters are merged over the current ones; a new key, base URL,
        organization or project builds a fresh OpenAI configuration with the others kept.
        Closing either client closes the shared pool. A new `rate_limiter` replaces the
        shared one for the copy; without one the copy books the same limiter's budget.

        Example:
            ```python
            fast = client.with_options(timeout=5, max_retries=0)
            ```
        """
        settings = self._settings.derive(client_options(locals()))
        copy = object.__new__(type(self))
        copy._settings = settings
        copy._connection = self._connection
        return copy

    @override
    def __repr__(self) -> str:
        return f"{type(self).__name__}(config={self._settings.config!r})"
