"""`check_header`: names and values refused before sending, the value never echoed."""

from __future__ import annotations

import pytest

from byot._headers import check_header, check_headers
from byot.errors import ConfigError

SECRET = "sk-live-abc123"


@pytest.mark.parametrize("value", ["Bearer " + SECRET, "a\tb", "x", ""])
def test_values_http_allows_pass(value: str) -> None:
    check_header("Authorization", value)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (f"Bearer {SECRET}\n", "it holds the control character U+000A at position 21"),
        (f"Bearer {SECRET}\r\n", "it holds the control character U+000D at position 21"),
        (f"Bearer {SECRET}\x0b", "U+000B"),  # vertical tab
        (f"Bearer {SECRET}\x0c", "U+000C"),  # form feed
        (f"Bearer \x00{SECRET}", "U+0000 at position 7"),
        (f"Bearer {SECRET}\x7f", "U+007F"),
        (f"Bearer {SECRET} ", "it begins or ends with whitespace"),
        (f"Bearer {SECRET}\t", "it begins or ends with whitespace"),
        (f" Bearer {SECRET}", "it begins or ends with whitespace"),
        (f"Bearer {SECRET}\u00e9", "it must be ASCII"),
        (42, "it must be a str, not int"),
    ],
)
def test_bad_values_name_the_header_never_the_value(value: object, problem: str) -> None:
    with pytest.raises(ConfigError) as info:
        check_header("Authorization", value)
    message = str(info.value)
    assert message.startswith("invalid value for header 'Authorization': ")
    assert problem in message
    assert SECRET not in message
    assert isinstance(info.value, ValueError)  # what callers catching ValueError expect


@pytest.mark.parametrize("name", ["X Header", "X-Header:", "", "Ünicode", "a\nb"])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(ConfigError, match="invalid header name"):
        check_header(name, "v")


def test_a_header_removed_by_none_still_needs_a_token_name() -> None:
    check_headers({"X-Ok": None})
    with pytest.raises(ConfigError, match="invalid header name 'bad name'"):
        check_headers({"bad name": None})
