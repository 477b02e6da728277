"""The settings list is written once: the clients' signatures follow `ClientOptions`."""

from __future__ import annotations

import inspect

import pytest

import byot
from byot._settings import CLIENT_OPTIONS, ClientOptions, client_options

# Arguments of the constructors that are not settings: how the client reaches the network.
_CONNECTION = {"transport", "http_client", "http2"}
# Settings a copy cannot change: the admin key belongs to the configuration it was built with.
_NOT_DERIVED = {"admin_api_key"}


def _parameters(function: object) -> dict[str, inspect.Parameter]:
    parameters = dict(inspect.signature(function).parameters)  # type: ignore[arg-type]
    del parameters["self"]
    return parameters


@pytest.mark.parametrize("client", [byot.Client, byot.AsyncClient])
def test_the_constructors_take_the_settings_list(client: type[byot.Client]) -> None:
    parameters = _parameters(client.__init__)
    assert set(parameters) - _CONNECTION == CLIENT_OPTIONS
    for name in CLIENT_OPTIONS:
        assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
        _assert_same_type(name, parameters[name])


@pytest.mark.parametrize("client", [byot.Client, byot.AsyncClient])
def test_with_options_takes_the_settings_list(client: type[byot.Client]) -> None:
    parameters = _parameters(client.with_options)
    assert set(parameters) == CLIENT_OPTIONS - _NOT_DERIVED
    for name, parameter in parameters.items():
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        _assert_same_type(name, parameter)


def _assert_same_type(name: str, parameter: inspect.Parameter) -> None:
    """The annotation is the list's, or the list's without the None that means 'unchanged'.

    A sync client takes the sync twin of an async type (`KeyTypes` for `AsyncKeyTypes`).
    """
    listed = ClientOptions.__annotations__[name]  # a string, as written
    twins = {listed, listed.replace("AsyncKeyTypes", "KeyTypes")}
    assert parameter.annotation in twins | {t.removesuffix(" | None") for t in twins}, name


def test_client_options_picks_the_settings_from_arguments() -> None:
    options = client_options({"self": object(), "api_key": "k", "transport": None, "retry": None})
    assert options == {"api_key": "k", "retry": None}


def test_a_client_is_built_from_its_arguments() -> None:
    client = byot.Client(api_key="k", base_url="http://h/v1", max_retries=5, timeout=3.0)
    assert client.base_url == "http://h/v1"
    assert client.retry.max_retries == 5
    assert client.timeout == byot.Timeout(3.0)
    copy = client.with_options(organization="org", validate="warn")
    assert copy.config.headers()["OpenAI-Organization"] == "org"
    assert copy._settings.validation == byot.Validation.of("warn")
    assert (copy.retry, copy.timeout, copy.base_url) == (
        client.retry,
        client.timeout,
        client.base_url,
    )
