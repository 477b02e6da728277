"""What the generated namespaces need of a client: its five dispatcher methods.

The namespaces (and the hand-written base classes of `tools/gen_resources.py`'s `MIXINS`) reach
the client as `self._client`, typed with these protocols rather than with `Client` and
`AsyncClient`: the facades then never import the drivers, which import the facades. For type
checkers only; nothing here exists at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator, Mapping
    from typing import Any, Protocol

    from byot._endpoint import Endpoint
    from byot._response import AsyncBinaryStream, AsyncStream, BinaryStream, Stream
    from byot._settings import Settings
    from byot._signatures import CallOptions

    Encoder = Callable[[Any], "bytes | Mapping[str, Any]"]
    Values = Mapping[str, object]

    class Dispatcher(Protocol):
        """`byot.Client` as its namespaces see it (positional arguments, as they call it)."""

        @property
        def _settings(self) -> Settings: ...  # what `realtime.connect` builds its handshake from

        def _call(
            self,
            endpoint: Endpoint,
            body: object,
            path_values: Values,
            query_values: Values,
            response_type: type[Any] | None,
            decoder: Callable[[bytes], Any] | None,
            encoder: Encoder | None,
            raw: bool,
            options: CallOptions,
            /,
        ) -> Any: ...

        def _pages(
            self,
            endpoint: Endpoint,
            path_values: Values,
            query_values: Values,
            response_type: type[Any] | None,
            decoder: Callable[[bytes], Any] | None,
            options: CallOptions,
            /,
        ) -> Iterator[Any]: ...

        def _items(
            self,
            endpoint: Endpoint,
            path_values: Values,
            query_values: Values,
            item_type: type[Any] | None,
            options: CallOptions,
            /,
        ) -> Iterator[Any]: ...

        def _events(
            self,
            endpoint: Endpoint,
            body: object,
            path_values: Values,
            query_values: Values,
            event_type: type[Any] | None,
            decoder: Callable[[bytes], Any] | None,
            encoder: Encoder | None,
            options: CallOptions,
            /,
        ) -> Stream[Any]: ...

        def _chunks(
            self,
            endpoint: Endpoint,
            body: object,
            path_values: Values,
            query_values: Values,
            options: CallOptions,
            /,
        ) -> BinaryStream: ...

    class AsyncDispatcher(Protocol):
        """`byot.AsyncClient` as its namespaces see it."""

        @property
        def _settings(self) -> Settings: ...

        async def _call(
            self,
            endpoint: Endpoint,
            body: object,
            path_values: Values,
            query_values: Values,
            response_type: type[Any] | None,
            decoder: Callable[[bytes], Any] | None,
            encoder: Encoder | None,
            raw: bool,
            options: CallOptions,
            /,
        ) -> Any: ...

        def _pages(
            self,
            endpoint: Endpoint,
            path_values: Values,
            query_values: Values,
            response_type: type[Any] | None,
            decoder: Callable[[bytes], Any] | None,
            options: CallOptions,
            /,
        ) -> AsyncIterator[Any]: ...

        def _items(
            self,
            endpoint: Endpoint,
            path_values: Values,
            query_values: Values,
            item_type: type[Any] | None,
            options: CallOptions,
            /,
        ) -> AsyncIterator[Any]: ...

        async def _events(
            self,
            endpoint: Endpoint,
            body: object,
            path_values: Values,
            query_values: Values,
            event_type: type[Any] | None,
            decoder: Callable[[bytes], Any] | None,
            encoder: Encoder | None,
            options: CallOptions,
            /,
        ) -> AsyncStream[Any]: ...

        async def _chunks(
            self,
            endpoint: Endpoint,
            body: object,
            path_values: Values,
            query_values: Values,
            options: CallOptions,
            /,
        ) -> AsyncBinaryStream: ...
