"""Credentials computed before each attempt: a key or token given as a function.

A token that expires (a Microsoft Entra ID token, a workload identity, a gateway's short-lived
key) cannot be read once when a client is built. A configuration's `headers()` may therefore
give a header's value as a function, sync or async, instead of a str: `api_key=` and Azure's
`ad_token=` do when they are given one. `Credentials` holds those functions and calls them
before every attempt, so a retry sends the token as it is then, not as it was.

Every value a function returns goes through `byot._headers.check_header`, whose messages name
the header and never the value. Clients whose headers are all strs carry no `Credentials` and
pay nothing for them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from byot._headers import check_header, check_headers
from byot.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    import httpx

    from byot._signatures import AsyncKeyTypes

Source = Callable[[], Any]
"""A function that gives a header's value: a str, or an awaitable of one."""


def split(headers: Mapping[str, object]) -> tuple[dict[str, str], Credentials | None]:
    """A configuration's headers parted into the fixed ones and those computed per attempt.

    Raises:
        ConfigError: A header cannot be sent (see `check_header`); one given as a function
            has its name checked now and each value when the function gives it.
    """
    fixed: dict[str, str] = {}
    sources: list[tuple[str, str, Source]] = []
    for name, value in headers.items():
        if not callable(value):
            check_header(name, value)
            fixed[name] = cast("str", value)
            continue
        check_headers({name: None})  # only the name: a None value stands for no value
        if isinstance(value, Schemed):
            sources.append((name, f"{value.scheme} ", value.key))
        else:
            sources.append((name, "", value))
    return fixed, Credentials(tuple(sources)) if sources else None


def is_async(source: object) -> bool:
    """Whether a function is async: an `async def`, or an object whose `__call__` is one."""
    import inspect  # only clients with a function for a key pay for it

    call = getattr(type(source), "__call__", None)  # noqa: B004 - the class's, not a callable test
    return inspect.iscoroutinefunction(source) or inspect.iscoroutinefunction(call)


def with_scheme(scheme: str | None, key: AsyncKeyTypes) -> AsyncKeyTypes:
    """A header's value from a key: `"{scheme} {key}"`, or the key itself without a scheme.

    A key given as a function gives a `Schemed` function.
    """
    if scheme is None:
        return key
    if isinstance(key, str):
        return f"{scheme} {key}"
    return Schemed(scheme, key)


@dataclass(frozen=True, slots=True)
class Schemed:
    """A header's value `"{scheme} {key}"` whose key a function gives (`Bearer` tokens).

    Clients call `key` themselves and check its value as a header value would be checked, so
    that whitespace pasted around a token is refused rather than hidden behind the scheme.
    Called, it gives the whole value, as any function in a configuration's headers does.
    """

    scheme: str
    key: Source

    def __call__(self) -> Any:
        """The whole value, or an awaitable of it when the key's function is async."""
        key = self.key()
        if isinstance(key, Awaitable):
            return self._later(cast("Awaitable[object]", key))
        return f"{self.scheme} {key}"

    async def _later(self, key: Awaitable[object]) -> str:
        return f"{self.scheme} {await key}"


@dataclass(frozen=True, slots=True)
class Credentials:
    """Headers whose values functions give before each attempt.

    Each of `sources` is `(name, prefix, function)`: the header is `prefix` and what the
    function gives (the prefix is a scheme such as `"Bearer "`, or empty).
    """

    sources: tuple[tuple[str, str, Source], ...]

    def without(self, names: Iterable[str]) -> Credentials | None:
        """These credentials less the headers a later layer sets or removes (any case)."""
        taken = {name.lower() for name in names}
        kept = tuple(source for source in self.sources if source[0].lower() not in taken)
        if len(kept) == len(self.sources):
            return self
        return Credentials(kept) if kept else None

    def check_sync(self) -> None:
        """Refuse an async function for a sync client, when the client is built.

        Raises:
            ConfigError: One of the functions is async.
        """
        for name, _, source in self.sources:
            if is_async(source):
                raise _async_in_sync(name)

    def resolve(self, headers: httpx.Headers) -> httpx.Headers:
        """`headers` with every function's value, for one attempt of a sync client.

        Raises:
            ConfigError: A function gave no valid header value, or an awaitable.
        """
        resolved = headers.copy()
        for name, prefix, source in self.sources:
            value = source()
            if isinstance(value, Awaitable):
                if isinstance(value, Coroutine):
                    value.close()  # never awaited: say so here, not in a RuntimeWarning
                raise _async_in_sync(name)
            resolved[name] = _value(name, prefix, value)
        return resolved

    async def aresolve(self, headers: httpx.Headers) -> httpx.Headers:
        """`headers` with every function's value, awaited if need be, for an async attempt.

        Raises:
            ConfigError: A function gave no valid header value.
        """
        resolved = headers.copy()
        for name, prefix, source in self.sources:
            value = source()
            if isinstance(value, Awaitable):
                value = await cast("Awaitable[object]", value)
            resolved[name] = _value(name, prefix, value)
        return resolved


def _value(name: str, prefix: str, value: object) -> str:
    check_header(name, value)
    return prefix + cast("str", value)  # checked: a str


def _async_in_sync(name: str) -> ConfigError:
    return ConfigError(
        f"the value of header {name!r} comes from an async function, which a sync "
        "byot.Client cannot await: pass a sync function, or use byot.AsyncClient"
    )
