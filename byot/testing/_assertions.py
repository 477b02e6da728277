"""`assert_valid`: a schema check that fails a test with every issue, one per line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from byot._validation import validate
from byot.errors import SchemaValidationError

if TYPE_CHECKING:
    from byot._validation import Direction, Profile

__all__ = ["assert_valid"]


def assert_valid(
    value: object,
    schema: str,
    *,
    direction: Direction | None = None,
    profile: Profile | None = None,
) -> None:
    """Assert that a value matches a schema; the failure lists every issue, one per line.

    Example:
        ```python
        from byot.testing import assert_valid

        assert_valid({"model": "gpt-4o-mini", "input": "Hi"}, "CreateResponse")
        ```

    Args:
        value: A JSON value (dicts, lists, strings, numbers, booleans, None).
        schema: What `byot.validate` takes: a component name of the OpenAI spec, a pointer
            into the bundle, an operationId (with `direction=`), or a registered URI.
        direction: `"request"` or `"response"`, as for `byot.validate`.
        profile: `"strict"` or `"lenient"`, as for `byot.validate`.

    Raises:
        AssertionError: The value does not match. Under pytest the traceback ends at the
            caller's line, not inside byot.
        ValueError: No such schema, or an operation named without `direction=`.
    """
    __tracebackhide__ = True  # pytest shows the caller's assertion, not this frame
    try:
        validate(value, schema, direction=direction, profile=profile)
    except SchemaValidationError as error:
        count = len(error.issues)
        lines = "".join(f"\n  {issue.path}: {issue.message}" for issue in error.issues)
        noun = "issue" if count == 1 else "issues"
        raise AssertionError(f"the value does not fit {schema} ({count} {noun}):{lines}") from None
