"""The keywords of a call: options checked by name, `client.call` keywords sorted."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, cast

from byot._signatures import CallOptions, RequestOptions
from byot._url import PLACEHOLDER
from byot.errors import UnknownOperationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from byot._endpoint import Endpoint


def resolve(
    operation_id: str, params: Mapping[str, Any]
) -> tuple[Endpoint, dict[str, Any], dict[str, Any], CallOptions]:
    """The endpoint `client.call` names, and its keywords sorted as `split_call_params` does.

    Raises:
        UnknownOperationError: No operation has that operationId or method name.
        TypeError: A keyword is not a parameter or option of the operation.
    """
    endpoint = find_endpoint(operation_id)
    path_values, query_values, options = split_call_params(endpoint, params)
    return endpoint, path_values, query_values, cast("CallOptions", options)


def find_endpoint(name: str) -> Endpoint:
    """The operation with this operationId (`createChatCompletion`) or method name.

    The method name is the SDK's dotted one, `chat.completions.create`.

    Raises:
        UnknownOperationError: Neither, with the closest names of both kinds.
    """
    from byot.resources._endpoints import ENDPOINTS  # the table is only loaded by the first call

    endpoint = ENDPOINTS.get(name) or _by_method_name().get(name)
    if endpoint is not None:
        return endpoint
    from byot._suggest import closest

    raise UnknownOperationError(
        name=name, suggestions=closest(name, [*ENDPOINTS, *_by_method_name()])
    )


@functools.cache
def _by_method_name() -> dict[str, Endpoint]:
    from byot.resources._endpoints import ENDPOINTS

    return {endpoint.name: endpoint for endpoint in ENDPOINTS.values()}


def split_call_params(
    endpoint: Endpoint, params: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Sort `client.call(...)` keywords into path values, query values and options.

    Raises:
        TypeError: A keyword is none of the three.
    """
    placeholders = set(PLACEHOLDER.findall(endpoint.path))
    path_values: dict[str, Any] = {}
    query_values: dict[str, Any] = {}
    options: dict[str, Any] = {}
    for name, value in params.items():
        if name in placeholders:
            path_values[name] = value
        elif name in endpoint.query_params:
            query_values[name] = value
        elif name in OPTION_NAMES:
            options[name] = value
        else:
            known = sorted(placeholders | set(endpoint.query_params) | OPTION_NAMES)
            raise TypeError(
                f"{endpoint.operation_id} has no parameter {name!r}; it takes {', '.join(known)}"
            )
    return path_values, query_values, options


# The option names, as the TypedDicts that type checkers read declare them.
OPTION_NAMES: frozenset[str] = CallOptions.__optional_keys__
REQUEST_OPTIONS: frozenset[str] = RequestOptions.__optional_keys__


def check_options(options: Mapping[str, object], allowed: frozenset[str], name: str) -> None:
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
