"""The interfaces a user may implement to plug their own pieces into byot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

__all__ = ["Config"]


@runtime_checkable
class Config(Protocol):
    """Where a provider lives and how to talk to it: anything with these four members.

    byot ships `OpenAIConfig`, `AzureConfig` and `AzureV1Config`; any other object that has
    the same members can drive a client, so one code path can switch between providers at
    run time (the seed's dynamic dispatch):

    ```python
    class Gateway:
        base_url = "https://gateway.example/v1"

        def headers(self) -> dict[str, str]:
            return {"x-gateway-key": load_key()}

        def query(self) -> dict[str, str]:
            return {}

        def url(self, path: str) -> str:
            return self.base_url + path


    client = byot.Client(config=Gateway())
    ```

    A client reads `headers()` and `query()` once, when it is built (and again in
    `with_options`); it calls `url()` for every request. A header whose value must be fresh
    for every attempt (a token that expires) is given as a function instead of a str: the
    client calls it before each attempt, retries included, and awaits it if it is async
    (only an `AsyncClient` takes an async one):

    ```python
    class RefreshingGateway(Gateway):
        def headers(self) -> dict[str, str | Callable[[], str]]:
            return {"x-gateway-key": load_key}  # load_key() before each attempt
    ```
    """

    @property
    def base_url(self) -> str:
        """The provider's base URL, such as `https://api.openai.com/v1`."""
        ...

    def headers(self) -> Mapping[str, str | Callable[[], str] | Callable[[], Awaitable[str]]]:
        """Headers for every request: authentication and anything the provider requires.

        A value may be a function (sync or async) that gives it before each attempt.
        """
        ...

    def query(self) -> Mapping[str, str]:
        """Query parameters for every request, such as Azure's `api-version`."""
        ...

    def url(self, path: str) -> str:
        """The full URL for an API path such as `/chat/completions`."""
        ...
