"""Opt-in JSON Schema validation against the bundled OpenAI schemas, or the caller's own.

Importing this module is cheap: the bundles are read, and `jsonschema` (and `jsonschema_rs`, the
`[fast]` extra) imported, only when a validation first runs. Everything is cached per process:
the two bundles and the index are parsed once, one `referencing` registry holds them (and the
schemas users register), and each schema gets one compiled checker per profile.

Tagged unions in the bundles are plain `anyOf`s with an `x-discriminator` hint (see
`schemas/README.md`). The `anyOf` here reads it to try the branch the tag names first:
fast for valid values, and precise for bad ones (`'usr' is not a valid 'role'; expected one
of [...]` rather than "not valid under any of the given schemas"). jsonschema-rs, which answers
the yes/no question first when installed, ignores the hint, so it gets the bundles with each
open union's hint spelled out in standard keywords (`_standard`): both give the same verdicts.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import warnings
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeAlias, cast

import orjson

from byot._codec import json_path
from byot._override import override
from byot.errors import SchemaIssue, SchemaValidationError, SchemaValidationWarning

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from jsonschema.exceptions import ValidationError
    from jsonschema.protocols import Validator

__all__ = ["Direction", "Mode", "Profile", "Validation", "is_valid", "register_schema", "validate"]

Direction: TypeAlias = Literal["request", "response"]
"""Which way a value travels; stream events count as `"response"`."""

Profile: TypeAlias = Literal["strict", "lenient"]
"""Spec-faithful (`"strict"`), or `"lenient"`: only the shapes of the values present count."""

Mode: TypeAlias = Literal["off", "warn", "raise"]
"""What a client does with a value that fails validation."""

OPENAI_ID = "urn:byot:openai"
LENIENT_ID = "urn:byot:openai:lenient"
_BUNDLES = {OPENAI_ID: "openai.schema.json", LENIENT_ID: "openai.lenient.schema.json"}
_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_MODES = ("off", "warn", "raise")

logger = logging.getLogger("byot")


class Validation(NamedTuple):
    """Validation modes for requests and responses separately.

    Each is `"off"` (the default), `"warn"` (a `SchemaValidationWarning` through `warnings`
    and the `byot` logger) or `"raise"` (a `SchemaValidationError`). Requests are checked
    against the spec-faithful profile before anything is sent; responses and stream events
    against the lenient profile before they are converted to the caller's type.

    Example:
        ```python
        client = byot.Client(validate=byot.Validation(request="raise", response="warn"))
        client.chat.completions.create(body, validate="off")  # this call only
        ```

    Attributes:
        request: The mode for request bodies.
        response: The mode for response bodies and stream events.
    """

    request: Mode = "off"
    response: Mode = "off"

    @property
    def active(self) -> bool:
        """Whether either direction is validated."""
        return self.request != "off" or self.response != "off"

    @classmethod
    def of(cls, value: Mode | Validation) -> Validation:
        """The modes a `validate=` argument stands for: one mode is for both directions.

        Raises:
            ValueError: The value is no mode, or a `Validation` holds one that is not.
        """
        if isinstance(value, Validation):
            for given in value:
                if given not in _MODES:
                    raise ValueError(
                        f"a validation mode is 'off', 'warn' or 'raise', not {given!r}"
                    )
            return value
        for name, modes in _SAME.items():
            if value == name:
                return modes
        raise ValueError(
            f"validate= takes 'off', 'warn', 'raise' or a byot.Validation, not {value!r}"
        )


OFF = Validation()
_SAME = {"off": OFF, "warn": Validation("warn", "warn"), "raise": Validation("raise", "raise")}


# -- the public helpers ------------------------------------------------------------------------


def validate(
    instance: object,
    schema: str,
    *,
    direction: Direction | None = None,
    profile: Profile | None = None,
    allow_extra: bool | Collection[str] = False,
) -> None:
    """Check a value against a bundled or registered JSON Schema.

    Example:
        ```python
        byot.validate(chat, "CreateChatCompletionResponse", direction="response")
        byot.validate(body, "createChatCompletion", direction="request")
        byot.validate(event, "urn:acme:api#/$defs/Chunk")  # a registered schema
        byot.validate(vllm_body, "createChatCompletion", direction="request", allow_extra={"top_k"})
        ```

    Args:
        instance: A JSON value (dicts, lists, strings, numbers, booleans, None).
        schema: A component name of the OpenAI spec (`"CreateChatCompletionResponse"`), a
            pointer into the bundle (`"#/$defs/X"`), an operationId (`"createChatCompletion"`,
            with `direction=`), or a URI within a schema passed to `register_schema`.
        direction: `"request"` or `"response"`: picks the operation's schema and the default
            profile. Stream events count as responses.
        profile: `"strict"` (the spec as written) or `"lenient"` (no `required`, `null` and
            unknown enum values accepted, only the shapes of present values checked). By
            default lenient for `direction="response"`, else strict. A URI is used as written.
        allow_extra: For an operation's request body (any direction but `"response"`), the
            top-level parameters the spec does not list are issues, as the API refuses them
            (`max_token`, `temprature`), each with the closest known name. True accepts any
            such parameter; a collection names the ones to accept (a provider's own, such as
            vLLM's `top_k`).

    Raises:
        SchemaValidationError: The value does not match; `.issues` lists every problem.
        ValueError: No such schema, or an operation named without `direction=`.
    """
    checker = _checker(schema, direction, profile)
    error = checker.error(instance)
    extra = checker.extra_parameters(instance, allow_extra)
    if extra:
        error = checker.report([*(error.issues if error else ()), *extra])
    if error is not None:
        raise error


def is_valid(
    instance: object,
    schema: str,
    *,
    direction: Direction | None = None,
    profile: Profile | None = None,
    allow_extra: bool | Collection[str] = False,
) -> bool:
    """Whether a value matches a schema: `validate` as a yes or no (no report is built).

    Raises:
        ValueError: No such schema, or an operation named without `direction=`.
    """
    checker = _checker(schema, direction, profile)
    return checker.is_valid(instance) and not checker.extra_parameters(instance, allow_extra)


def register_schema(document: Mapping[str, Any]) -> None:
    """Make a JSON Schema of your own (a provider overlay, say) available to `validate`.

    The document needs an absolute `"$id"`; it and everything inside it can then be named by
    URI (`"<$id>"`, `"<$id>#/$defs/X"`), and it may refer to the OpenAI bundles
    (`{"$ref": "urn:byot:openai:lenient#/$defs/CreateChatCompletionResponse"}`). Registering
    the same `$id` again replaces the document. Its `anyOf`s may carry `x-discriminator`
    hints in the bundles' format.

    Raises:
        ValueError: No usable `$id`, it is one of byot's own, or the document is not a valid
            Draft 2020-12 schema.
    """
    schema_id = document.get("$id")
    if not isinstance(schema_id, str) or ":" not in schema_id or "#" in schema_id:
        raise ValueError(
            f"a registered schema needs an absolute '$id' without a fragment "
            f"(e.g. 'urn:acme:api'), not {schema_id!r}"
        )
    if schema_id in _BUNDLES:
        raise ValueError(f"{schema_id!r} is byot's own bundle; give your schema another $id")
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(document)
    except SchemaError as exc:
        raise ValueError(
            f"{schema_id} is not a valid Draft 2020-12 schema: {exc.message}"
        ) from None
    _STATE.register(schema_id, dict(document))


# -- what the clients call --------------------------------------------------------------------


def check_request(
    operation: str, body: object, mode: Mode, *, encoder: Callable[[Any], Any] | None = None
) -> None:
    """Validate a request body (before `extra_body` is merged), as the mode says.

    A JSON body is checked as the bytes it encodes to; a multipart form as the mapping of its
    fields (files pass whatever they are). Unknown top-level parameters are a warning, never
    an error: providers add their own.

    Raises:
        SchemaValidationError: The body does not match and the mode is "raise".
    """
    entry = _STATE.operations()[operation]
    request = entry["request"]
    if not request or (body is None and not request["required"]):
        return
    if request["content_type"] == "application/json":
        instance = _as_json(body, encoder)
    else:
        instance = dict(cast("Mapping[str, Any]", body)) if isinstance(body, Mapping) else body
    checker = _checker(operation, "request", None)
    _report(checker.error(instance), mode)
    extra = checker.extra_parameters(instance, False)
    if extra:
        _emit(_as_warning(checker.report(extra)))


def _as_json(body: object, encoder: Callable[[Any], Any] | None) -> Any:
    from byot import _codec

    raw = body if isinstance(body, (bytes, bytearray)) and encoder is None else None
    if raw is None:
        raw = _codec.encode({} if body is None else body, encoder=encoder)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _NotJSON(bytes(raw[:80]))


class _NotJSON:
    """A body that is not JSON: it fails every JSON schema, saying so."""

    def __init__(self, head: bytes) -> None:
        self.head = head

    @override
    def __repr__(self) -> str:
        return f"a body that is not JSON ({self.head!r})"


def check_response(operation: str, status: int, content: bytes, mode: Mode) -> None:
    """Validate a 2xx JSON response body against the operation's schema, lenient profile.

    Bodies that are not JSON are left to the decoder (which raises `DecodeError`).

    Raises:
        SchemaValidationError: The body does not match and the mode is "raise".
    """
    ref = _response_ref(_STATE.operations()[operation]["responses"], str(status))
    if not ref:
        return
    try:
        instance = orjson.loads(content)
    except orjson.JSONDecodeError:
        return
    _report(_checker(ref, "response", None, operation).error(instance), mode)


def event_check(operation: str, stream: Mapping[str, Any], mode: Mode) -> Callable[[Any], None]:
    """A check of each item of an operation's event stream, lenient profile.

    Items are values, or `(event name, value)` pairs for named events; the Assistants
    envelope is checked as `{"event": name, "data": value}`, as its schema describes it.
    """
    checker = _checker(stream["schema"], "response", None, operation)
    framing = stream.get("framing", "data")

    def check(item: Any) -> None:
        if framing == "event-envelope":
            item = {"event": item[0], "data": item[1]}
        elif framing == "event":
            item = item[1]
        _report(checker.error(item), mode)

    return check


def check_value(instance: object, schema: str, profile: Profile, mode: Mode) -> None:
    """Validate a value against a named schema and profile, as the mode says (Realtime events).

    Raises:
        SchemaValidationError: The value does not match and the mode is "raise".
    """
    _report(_checker(schema, None, profile).error(instance), mode)


def binary_fields(operation: str) -> list[str]:
    """The form fields of an upload operation that carry files (`file`, `image`)."""
    fields: list[str] = _STATE.operations()[operation]["binary_fields"]
    return fields


def operation_for(method: str, path: str) -> str | None:
    """The operationId of a spec route, for `client.request(...)`: by template or filled path."""
    return _STATE.route(method.upper(), path)


def _report(error: SchemaValidationError | None, mode: Mode) -> None:
    if error is None:
        return
    if mode == "raise":
        raise error
    _emit(_as_warning(error))


def _as_warning(error: SchemaValidationError) -> SchemaValidationWarning:
    return SchemaValidationWarning(
        schema=error.schema,
        issues=error.issues,
        direction=error.direction,
        operation=error.operation,
        profile=error.profile,
    )


def _emit(warning: SchemaValidationWarning) -> None:
    # Printed once: through `warnings` (pointing at the caller's line, filtered and captured
    # as warnings are; `logging.captureWarnings` sends them to logging). The `byot` logger
    # keeps a DEBUG record, which its last-resort handler does not print a second time.
    logger.debug("%s", warning)
    warnings.warn(warning, stacklevel=_caller_level())


def _caller_level() -> int:
    """The `stacklevel` of the first frame outside byot: a warning names the caller's line."""
    level, frame = 2, sys._getframe(2)  # pyright: ignore[reportPrivateUsage]
    while frame.f_back is not None and _is_byot(frame.f_globals.get("__name__", "")):
        level, frame = level + 1, frame.f_back
    return level


def _is_byot(module: str) -> bool:
    # Retries run a call's attempts through tenacity: its frames are byot's too, here.
    return module.partition(".")[0] in ("byot", "tenacity")


# -- schemas by name ---------------------------------------------------------------------------


def _response_ref(responses: Mapping[str, Any], status: str) -> str | None:
    """The JSON schema of a status, or of the operation's first 2xx answer."""
    codes = [status] if status in responses else sorted(c for c in responses if c[:1] == "2")
    for code in codes:
        ref = cast("str | None", responses[code].get("json"))
        if ref:
            return ref
    return None


def _checker(
    schema: str,
    direction: Direction | None,
    profile: Profile | None,
    operation: str | None = None,
) -> _Checker:
    key = (schema, direction, profile, operation)
    checker = _STATE.checkers.get(key)
    if checker is None:
        checker = _STATE.checkers[key] = _STATE.checker(schema, direction, profile, operation)
    return checker


# -- the anyOf that reads x-discriminator ------------------------------------------------------


def _any_of(
    validator: Any, branches: list[Any], instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    """`anyOf`, going straight to the branches an object's tag names when there is a hint.

    Closed unions (the strict bundle) give the verdict of a plain `anyOf`, as the tags of the
    other branches would refuse the value anyway. Open unions (the lenient bundle, whose tags
    carry no `const`) hold a tagged value to its own branches, and accept an unknown tag.
    """
    from jsonschema.exceptions import ValidationError

    hint = schema.get("x-discriminator")
    if hint is None or not isinstance(instance, dict):
        yield from _plain_any_of(validator, branches, instance)
        return
    instance = cast("dict[str, Any]", instance)
    name, other, is_open = hint["propertyName"], hint.get("other", []), hint.get("open", False)
    if name in instance:
        tag = instance[name]
        likely = hint["mapping"].get(tag) if isinstance(tag, str) else None
        if likely is None:  # an unknown tag
            if is_open or any(_fits(validator, branches[index], instance) for index in other):
                return
            yield ValidationError(
                f"{tag!r} is not a valid {name!r}; expected one of {sorted(hint['mapping'])}",
                validator="enum",
                validator_value=sorted(hint["mapping"]),
                instance=tag,
                path=[name],
            )
            return
    else:
        likely = hint.get("missing", [])
        if not likely and not other:
            if is_open:  # no tag to go by: any branch may do
                yield from _plain_any_of(validator, branches, instance)
            else:
                yield ValidationError(f"{name!r} is a required property", validator="required")
            return
    failures: list[list[ValidationError]] = []
    for index in [*likely, *other]:
        errors = list(validator.descend(instance, branches[index], schema_path=index))
        if not errors:
            return
        failures.append(errors)
    if len(failures) == 1:
        yield from failures[0]
    else:
        yield ValidationError(
            f"{_short(instance)} is not valid under any of the given schemas",
            context=[error for errors in failures for error in errors],
        )


def _fits(validator: Any, branch: Any, instance: Any) -> bool:
    return next(iter(validator.descend(instance, branch)), None) is None


def _standard(node: Any) -> Any:
    """A schema for validators that ignore the hint (jsonschema-rs): same verdicts as `_any_of`.

    Closed unions stay plain `anyOf`s (their verdict is the same). An open union's hint is
    spelled out in standard keywords: for each known tag, its branches; no tag, the branches
    where it is optional (or any); an unknown tag, anything.
    """
    if isinstance(node, list):
        return [_standard(item) for item in cast("Sequence[Any]", node)]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {
        key: _standard(value) for key, value in cast("dict[str, Any]", node).items()
    }
    hint: Any = out.get("x-discriminator")
    if hint is None or not hint.get("open") or "anyOf" not in out:
        return out
    branches = out.pop("anyOf")
    name, other = hint["propertyName"], hint.get("other", [])
    cases: list[Any] = [
        {
            "if": {"properties": {name: {"const": tag}}, "required": [name]},
            "then": {"anyOf": [branches[index] for index in [*indexes, *other]]},
        }
        for tag, indexes in hint["mapping"].items()
    ]
    untagged = [*hint.get("missing", []), *other]
    cases.append(
        {
            "if": {"not": {"required": [name]}},
            "then": {"anyOf": [branches[index] for index in untagged] if untagged else branches},
        }
    )
    dispatch = {"if": {"type": "object"}, "then": {"allOf": cases}, "else": {"anyOf": branches}}
    out["allOf"] = [*out.get("allOf", []), dispatch]
    return out


def _plain_any_of(validator: Any, branches: list[Any], instance: Any) -> Iterator[ValidationError]:
    from jsonschema.exceptions import ValidationError

    context: list[ValidationError] = []
    for index, branch in enumerate(branches):
        errors = list(validator.descend(instance, branch, schema_path=index))
        if not errors:
            return
        context.extend(errors)
    yield ValidationError(
        f"{_short(instance)} is not valid under any of the given schemas", context=context
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# -- the per-process state ---------------------------------------------------------------------


class _Checker:
    """One schema, compiled on first use: python-jsonschema, and jsonschema-rs when installed."""

    __slots__ = (
        "_fast",
        "_python",
        "direction",
        "name",
        "operation",
        "params",
        "profile",
        "state",
        "uri",
    )

    def __init__(
        self,
        state: _State,
        uri: str,
        *,
        name: str,
        direction: Direction | None,
        operation: str | None,
        profile: Profile | None,
        params: Sequence[str] | None = None,
    ) -> None:
        self.state = state
        self.uri = uri
        self.name = name
        self.direction = direction
        self.operation = operation
        self.profile = profile
        # The top-level parameters of the operation whose request body this schema is.
        self.params = params
        self._python: Validator | None = None
        self._fast: Any = None

    def python(self) -> Validator:
        if self._python is None:
            self._python = self.state.python_validator(self.uri)
        return self._python

    def fast(self) -> Any:
        """The jsonschema-rs validator, or False when the extra is not installed."""
        if self._fast is None:
            self._fast = self.state.fast_validator(self.uri)
        return self._fast

    def is_valid(self, instance: object) -> bool:
        fast = self.fast()
        if fast:
            try:
                if fast.is_valid(instance):
                    return True
            except ValueError:  # not a JSON value (a file in a form): python decides
                pass
        return bool(self.python().is_valid(cast("Any", instance)))

    def report(self, issues: Sequence[SchemaIssue]) -> SchemaValidationError:
        """These issues, as the error that names this schema."""
        return SchemaValidationError(
            schema=self.name,
            issues=issues,
            direction=self.direction,
            operation=self.operation,
            profile=self.profile,
        )

    def extra_parameters(
        self, instance: object, allowed: bool | Collection[str]
    ) -> list[SchemaIssue]:
        """A request body's top-level parameters that the operation does not take.

        Each issue suggests the closest parameter; `allowed` is True for any, or the names
        of the ones to accept. Only for an operation's request schema, and an object.
        """
        if self.params is None or allowed is True or not isinstance(instance, Mapping):
            return []
        from byot._suggest import did_you_mean

        body = cast("Mapping[str, Any]", instance)
        unknown = body.keys() - {*self.params, *(allowed or ())}
        where = self.operation or self.name
        return [
            SchemaIssue(
                json_path([name]),
                f"{name!r} is not a parameter of {where}"
                + (did_you_mean(name, self.params, n=1) or " (providers may add their own)"),
            )
            for name in sorted(unknown)
        ]

    def error(self, instance: object) -> SchemaValidationError | None:
        fast = self.fast()
        if fast:
            try:
                if fast.is_valid(instance):
                    return None
            except ValueError:
                pass
        errors = list(self.python().iter_errors(cast("Any", instance)))
        if not errors:
            return None
        return self.report(_issues(errors))


def _issues(errors: list[ValidationError]) -> list[SchemaIssue]:
    """Each error's most telling leaf, the best match first."""
    from jsonschema import exceptions

    # Typed here: the stubs leave best_match's result unknown.
    best_match = cast(
        "Callable[[list[ValidationError]], ValidationError]",
        exceptions.best_match,  # pyright: ignore[reportUnknownMemberType]
    )
    relevance = exceptions.relevance

    ranked = sorted(errors, key=relevance, reverse=True)
    leaves = [best_match([error]) for error in ranked]
    first = best_match(errors)
    ordered = [first, *(leaf for leaf in leaves if leaf is not first)]
    return [SchemaIssue(json_path(leaf.absolute_path), leaf.message) for leaf in ordered]


class _State:
    """The bundles, the registry and the compiled checkers of this process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.documents: dict[str, Any] = {}  # registered by users: $id -> document
        self.checkers: dict[tuple[str, str | None, str | None, str | None], _Checker] = {}
        self._bundles: dict[str, Any] = {}
        self._operations: dict[str, Any] | None = None
        self._routes: dict[str, Any] | None = None
        self._request_params: dict[str, list[str]] | None = None
        self._registry: Any = None
        self._validator_class: Any = None
        self._fast_registry: Any = None

    # The files ------------------------------------------------------------------------------

    def bundle(self, schema_id: str) -> Any:
        bundle = self._bundles.get(schema_id)
        if bundle is None:
            bundle = self._bundles[schema_id] = load_bundled(_BUNDLES[schema_id])
        return bundle

    def operations(self) -> dict[str, Any]:
        operations = self._operations
        if operations is None:
            operations = self._operations = cast(
                "dict[str, Any]", load_bundled("operations.json")["operations"]
            )
        return operations

    def request_params(self) -> dict[str, list[str]]:
        """The top-level parameters of each operation's request schema, by its pointer."""
        params = self._request_params
        if params is None:
            params = self._request_params = {
                entry["request"]["schema"]: entry["request_params"]
                for entry in self.operations().values()
                if entry["request"]
            }
        return params

    def route(self, method: str, path: str) -> str | None:
        if self._routes is None:
            exact: dict[tuple[str, str], str] = {}
            patterns: list[tuple[str, re.Pattern[str], str]] = []
            for operation, entry in self.operations().items():
                if entry["fixed_query"]:  # `?beta=true` twins: the plain route wins
                    continue
                exact[entry["method"], entry["path"]] = operation
                if "{" in entry["path"]:
                    regex = re.sub(r"\\{\w+\\}", "[^/]+", re.escape(entry["path"]))
                    patterns.append((entry["method"], re.compile(regex + r"\Z"), operation))
            self._routes = {"exact": exact, "patterns": patterns}
        found: str | None = self._routes["exact"].get((method, path))
        if found is None:
            found = next(
                (
                    op
                    for verb, regex, op in self._routes["patterns"]
                    if verb == method and regex.match(path)
                ),
                None,
            )
        return found

    # Names to checkers ----------------------------------------------------------------------

    def checker(
        self,
        schema: str,
        direction: Direction | None,
        profile: Profile | None,
        operation: str | None,
    ) -> _Checker:
        if not isinstance(cast("object", schema), str):
            raise TypeError(f"schema must be a str naming a schema, not {type(schema).__name__}")
        if direction not in (None, "request", "response"):
            raise ValueError(f"direction is 'request' or 'response', not {direction!r}")
        if profile not in (None, "strict", "lenient"):
            raise ValueError(f"profile is 'strict' or 'lenient', not {profile!r}")
        chosen: Profile = profile or ("lenient" if direction == "response" else "strict")
        defs = self.bundle(OPENAI_ID)["$defs"]
        operations = self.operations()
        if schema.startswith("#"):
            pointer = schema
        elif ":" in schema:  # a URI, used as written
            self._check_uri(schema)
            return _Checker(
                self, schema, name=schema, direction=direction, operation=operation, profile=None
            )
        elif schema in defs:
            pointer = f"#/$defs/{schema}"
        elif schema in operations:
            if direction is None:
                raise ValueError(
                    f"{schema!r} is an operation: pass direction='request' or 'response'"
                )
            pointer = self._operation_ref(schema, direction)
            operation = schema
        else:
            from byot._suggest import did_you_mean

            hint = did_you_mean(schema, [*defs, *operations])
            raise ValueError(
                f"no schema or operation named {schema!r} in the OpenAI bundle{hint} "
                f"(a schema of your own is named by its URI, after register_schema)"
            )
        uri = (LENIENT_ID if chosen == "lenient" else OPENAI_ID) + pointer
        self._check_uri(uri)
        name = pointer.removeprefix("#/$defs/")
        # Unknown parameters count in the strict profile only: lenient checks present values.
        strict_request = chosen == "strict" and direction != "response"
        params = self.request_params().get(pointer) if strict_request else None
        return _Checker(
            self,
            uri,
            name=name,
            direction=direction,
            operation=operation,
            profile=chosen,
            params=params,
        )

    def _operation_ref(self, operation: str, direction: Direction) -> str:
        entry = self.operations()[operation]
        if direction == "request":
            request = cast("Mapping[str, str] | None", entry["request"])
            ref = request["schema"] if request else None
        else:
            ref = _response_ref(entry["responses"], "")
        if not ref:
            raise ValueError(f"{operation} has no JSON {direction} body to validate")
        return ref

    def _check_uri(self, uri: str) -> None:
        from referencing.exceptions import Unresolvable

        try:
            self.registry().resolver().lookup(uri)
        except Unresolvable:
            raise ValueError(
                f"no schema at {uri!r}: register a document with that $id first "
                f"(byot.register_schema), or check the pointer"
            ) from None

    # Validators -----------------------------------------------------------------------------

    def registry(self) -> Any:
        with self.lock:
            if self._registry is None:
                from referencing import Registry, Resource
                from referencing.jsonschema import DRAFT202012

                documents = {**{i: self.bundle(i) for i in _BUNDLES}, **self.documents}
                self._registry = Registry[Any]().with_resources(
                    (i, Resource.from_contents(d, default_specification=DRAFT202012))
                    for i, d in documents.items()
                )
            return self._registry

    def python_validator(self, uri: str) -> Validator:
        if self._validator_class is None:
            from jsonschema import Draft202012Validator, validators

            extend: Any = validators.extend  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
            self._validator_class = extend(Draft202012Validator, {"anyOf": _any_of})
        validator: Validator = self._validator_class(
            {"$schema": _DRAFT, "$ref": uri}, registry=self.registry()
        )
        return validator

    def fast_validator(self, uri: str) -> Any:
        with self.lock:
            if self._fast_registry is None:
                try:
                    import jsonschema_rs
                except ImportError:
                    self._fast_registry = False
                else:
                    documents = {**{i: self.bundle(i) for i in _BUNDLES}, **self.documents}
                    resources = [(i, _standard(d)) for i, d in documents.items()]
                    self._fast_registry = (jsonschema_rs, jsonschema_rs.Registry(resources))
            if not self._fast_registry:
                return False
            module, registry = self._fast_registry
        return module.validator_for(
            {"$schema": _DRAFT, "$ref": uri}, registry=registry, validate_formats=False
        )

    def register(self, schema_id: str, document: Any) -> None:
        with self.lock:
            self.documents[schema_id] = document
            # Registries are immutable: the next validation builds them afresh.
            self._registry = None
            self._fast_registry = None if self._fast_registry is not False else False
            self.checkers.clear()


def load_bundled(name: str) -> Any:
    """One file of the bundle, parsed: found as package data, in a wheel or in a checkout.

    The bundle lives in the repository's top-level `schemas/`; the wheel ships it as
    `byot/schemas/`, and in a checkout `byot/schemas` is a link to it, so one lookup serves both.
    """
    import importlib.resources

    resource = importlib.resources.files("byot") / "schemas" / "openai" / name
    return orjson.loads(resource.read_bytes())


_STATE = _State()
