"""The `byot` command: list, call and validate the API's operations, and serve the spec mock.

    byot ops [PATTERN]                    the operations, with verb and path
    byot call OPERATION [NAME=VALUE ...] [-d JSON | -d @FILE] [-F NAME=VALUE | -F NAME=@FILE]
              [--stream] [--validate] [--raw] [--mock] [-o FILE]
              [--base-url URL] [--api-key KEY] [-H 'NAME: VALUE'] [--timeout S] [--max-retries N]
    byot validate SCHEMA FILE... | -      check JSON payloads against a schema of the spec
              [--direction D] [--profile P] [--allow-extra [NAMES]]
    byot mock [--host HOST] [--port PORT] serve the spec mock on a local port
    byot bulk run REQUESTS -o RESULTS [--concurrency N] [--validate]
                                          a batch input file through the API, in parallel
    byot bulk submit REQUESTS [--wait] [-o RESULTS]   the same file as Batch API jobs
    byot bulk status|fetch|cancel BATCH_ID...          follow, download, or stop them
    byot realtime --model MODEL [--instructions TEXT] [--base-url URL] [--validate]
                                          a text conversation over the Realtime WebSocket

OPERATION is an operationId (`createChatCompletion`) or the SDK's method name
(`chat.completions.create`), as `byot ops` prints both. A user's mistake (an unknown operation,
a body that is not JSON, a missing key, a busy port, an error status) prints one line to stderr
and exits non-zero; only a bug in byot shows a traceback (tests/cli/test_fuzz.py holds it to
that).
Everything heavy (the endpoint table, the client, the schemas, the mock) is imported by the
subcommand that needs it, so `byot --help` and `byot ops` start quickly.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import os
import sys
import threading
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn, cast

from byot._override import override
from byot.errors import APIStatusError, BYOTError, StreamFlagError, UnknownOperationError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from byot._client import Client
    from byot._endpoint import Endpoint
    from byot._validation import Mode

__all__ = ["main"]

# Exit statuses: 1 for a failure the command reports (an error status, invalid payloads),
# 2 for a command line that cannot run.
FAILED = 1
USAGE = 2


class UsageError(Exception):
    """A command line that cannot run; its message is the one line the user sees."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors raised as `UsageError` instead of printed with the usage."""

    @override
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `byot` command.

    Args:
        argv: The arguments after the program name (default: `sys.argv[1:]`).

    Returns:
        The exit status: 0 on success, 1 when the call or the check failed, 2 for a
        command line that cannot run.
    """
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        run: Callable[[argparse.Namespace], int] = args.run
        return run(args)
    except SystemExit as done:  # --help and --version
        return int(done.code or 0)
    except UsageError as error:
        _fail(error)
        return USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`byot ops | head`): stop quietly, as shell tools do, and keep
        # the interpreter's final flush of stdout from failing too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return FAILED
    except BYOTError as error:
        _fail(error)
        return FAILED
    except OSError as error:
        if error.filename is None:  # not about a path the user gave: a bug, shown as one
            raise
        _fail(f"cannot use {error.filename}: {error.strerror}")
        return FAILED


def _fail(error: BaseException | str) -> None:
    # Some messages list details on lines of their own (a validation error's issues): one line.
    text = "; ".join(line.strip() for line in str(error).splitlines() if line.strip())
    sys.stderr.write(f"byot: {text}\n")


def _parser() -> _Parser:
    from byot._version import __version__

    parser = _Parser(
        prog="byot",
        description="Call any operation of the OpenAI API (or a compatible one) from the shell.",
    )
    parser.add_argument("--version", action="version", version=f"byot {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    ops = commands.add_parser(
        "ops",
        help="list the operations, with verb and path",
        description="List the API's operations: verb, path, operationId and method name.",
    )
    ops.add_argument(
        "pattern",
        nargs="?",
        metavar="PATTERN",
        help="only those whose operationId, path or method contains this (any case)",
    )
    ops.set_defaults(run=_ops)

    call = commands.add_parser(
        "call",
        help="call an operation and print its answer as JSON",
        description=(
            "Call an operation by its operationId or method name (see `byot ops`) and print "
            "the answer as JSON; a stream prints one event per line. OPENAI_API_KEY and "
            "OPENAI_BASE_URL are read as by byot.Client()."
        ),
    )
    call.add_argument(
        "operation",
        metavar="OPERATION",
        help="an operationId or method name, e.g. listModels or models.list",
    )
    call.add_argument(
        "params",
        nargs="*",
        default=[],
        metavar="NAME=VALUE",
        help="path and query parameters, e.g. file_id=file-abc limit=10",
    )
    call.add_argument(
        "-d", "--data", metavar="JSON", help="the request body: JSON, @FILE, or @- for stdin"
    )
    call.add_argument(
        "-F",
        "--form",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a form field of an upload, as in curl: NAME=@FILE sends a file (@- stdin), "
        "NAME=VALUE text; repeat a name for a list",
    )
    call.add_argument("--stream", action="store_true", help="stream the answer's events")
    call.add_argument(
        "--validate",
        action="store_true",
        help="check the request and the answer against the spec's schemas",
    )
    call.add_argument(
        "--raw", action="store_true", help="print the status and headers with the body"
    )
    call.add_argument("-o", "--output", metavar="FILE", type=_file, help="write the answer to FILE")
    _client_arguments(call)
    call.set_defaults(run=_call)

    validate = commands.add_parser(
        "validate",
        help="check JSON payloads against a schema of the spec",
        description=(
            "Check JSON files (a .jsonl file: each line) against a schema of the bundled "
            "OpenAI spec, e.g. CreateChatCompletionRequest. Exits 1 when any is invalid."
        ),
    )
    validate.add_argument(
        "schema",
        metavar="SCHEMA",
        help="a schema of the spec (CreateChatCompletionRequest), or an operationId with "
        "--direction",
    )
    validate.add_argument(
        "--direction",
        choices=("request", "response"),
        help="for an operationId: check its request or its response (default: strict for "
        "requests, lenient for responses)",
    )
    validate.add_argument(
        "--profile",
        choices=("strict", "lenient"),
        help="strict: the spec as written; lenient: only the shapes of the values present "
        "(default: lenient for --direction response, else strict)",
    )
    validate.add_argument(
        "--allow-extra",
        nargs="?",
        const="*",
        action="append",
        metavar="NAMES",
        help="accept top-level request parameters the spec does not list: these "
        "(comma-separated, e.g. top_k,provider), or any when none are named",
    )
    validate.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        type=Path,
        help="JSON or JSON Lines files; - reads standard input",
    )
    validate.set_defaults(run=_validate)

    mock = commands.add_parser(
        "mock",
        help="serve the spec mock on a local port",
        description=(
            "Serve every operation of the spec with its documented examples on a local "
            "port, until Ctrl-C. Point OPENAI_BASE_URL at the URL it prints."
        ),
    )
    mock.add_argument("--host", default="127.0.0.1", help="the address (default 127.0.0.1)")
    mock.add_argument(
        "--port", type=_port, default=8000, help="the port, 0 for any free one (default 8000)"
    )
    mock.add_argument(
        "--no-validate", action="store_true", help="answer requests the spec would refuse"
    )
    mock.add_argument(
        "--allow-remote", action="store_true", help="listen on an address that is not loopback"
    )
    mock.set_defaults(run=_mock)
    _bulk_parser(commands)

    live = commands.add_parser(
        "realtime",
        help="a text conversation over the Realtime WebSocket",
        description=(
            "Read lines from stdin, send each as a user message over the Realtime API's "
            "WebSocket, and print the answer as it streams. Ctrl-D ends the session. Needs "
            "the realtime extra (websockets)."
        ),
    )
    live.add_argument("--model", required=True, help="the Realtime model, e.g. gpt-realtime")
    live.add_argument("--instructions", help="the session's instructions")
    live.add_argument(
        "--validate", action="store_true", help="check every event against the spec's schemas"
    )
    _client_arguments(live, mock=False)
    live.set_defaults(run=_realtime)
    return parser


def _client_arguments(command: argparse.ArgumentParser, *, mock: bool = True) -> None:
    """The options of every command that builds a client: where, who, how long."""
    command.add_argument(
        "--base-url", metavar="URL", help="the API's base URL (default: OPENAI_BASE_URL)"
    )
    command.add_argument(
        "--api-key",
        metavar="KEY",
        help="the API key (default: OPENAI_API_KEY; prefer it, as others can see a command line)",
    )
    command.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a header sent with every request, as in curl (repeatable)",
    )
    command.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help="give up on an attempt after this long (default 600)",
    )
    command.add_argument(
        "--max-retries",
        type=_count,
        metavar="N",
        help="retries after a failed attempt (default 2; 0 for none)",
    )
    if mock:
        command.add_argument(
            "--mock",
            action="store_true",
            help="answer from the embedded spec mock: no network, no key (requests are "
            "checked against the spec)",
        )


def _seconds(text: str) -> float:
    """`--timeout`: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return value


def _count(text: str) -> int:
    """`--max-retries`: 0 to 100."""
    if not text.isdigit() or int(text) > _MOST_RETRIES:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 0 to {_MOST_RETRIES}, got {text!r}"
        )
    return int(text)


_MOST_RETRIES = 100


def _file(text: str) -> Path:
    """`-o`: a file to write, not a directory."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a directory: name a file in it")
    return path


def _batch_id(text: str) -> str:
    """A batch's id: never empty, which would name the list of batches instead."""
    if not text.strip():
        raise argparse.ArgumentTypeError("a batch id cannot be empty")
    return text


def _port(text: str) -> int:
    """`--port`: 0 to 65535."""
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, got {text!r}")
    return int(text)


# ---------------------------------------------------------------------------------- ops


def _ops(args: argparse.Namespace) -> int:
    from byot.resources._endpoints import ENDPOINTS

    pattern: str | None = args.pattern
    needle = (pattern or "").lower()
    rows = [
        (e.method, e.path, e.operation_id, e.name + (" (stream)" if e.stream else ""))
        for e in ENDPOINTS.values()
        if needle in f"{e.operation_id}\n{e.path}\n{e.name}".lower()
    ]
    if not rows:
        raise UsageError(f"no operation matches {pattern!r}")
    rows.sort(key=lambda row: (row[1], row[0]))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for *padded, last in rows:
        cells = [cell.ljust(width) for cell, width in zip(padded, widths, strict=True)]
        sys.stdout.write("  ".join([*cells, last]) + "\n")
    return 0


# --------------------------------------------------------------------------------- call


def _call(args: argparse.Namespace) -> int:
    endpoint, stream = _endpoint(args.operation)
    stream = stream or args.stream
    params = _params(endpoint, args.params)
    body = _body(endpoint, args.data, args.form)
    if stream and endpoint.stream is None:
        raise UsageError(f"{endpoint.operation_id} does not stream; leave out --stream")
    if stream and args.raw:
        raise UsageError("--stream and --raw exclude each other")
    if args.validate:
        params["validate"] = "raise"
    with _client(args) as client:
        try:
            if stream:
                _print_stream(client, endpoint, body, params, args.output)
                return 0
            value: Any = client.call(endpoint.operation_id, body, raw=args.raw, **params)
        except StreamFlagError:
            raise UsageError(
                f"the body asks {endpoint.operation_id} for a stream: add --stream "
                f"(or leave the flag out of the body)"
            ) from None
        except APIStatusError as error:
            if _sends_a_key(client, args):
                raise
            # A server without a key may answer anything (500, 404): say what was missing.
            _fail(f"{error} (no API key was sent: set OPENAI_API_KEY or pass --api-key)")
            return FAILED
    if args.raw:
        parsed = value.parsed
        value = {
            "status": value.status_code,
            "headers": dict(value.headers),
            "body": {"base64": base64.b64encode(parsed).decode()}
            if isinstance(parsed, bytes)
            else parsed,
        }
    _emit(value, args.output)
    return 0


def _endpoint(name: str) -> tuple[Endpoint, bool]:
    """The operation named on the command line, and whether the name asks for its stream.

    An operationId or a method name; `chat.completions.create_stream` is the create method
    with `--stream`.
    """
    from byot._call_options import find_endpoint

    try:
        return find_endpoint(name), False
    except UnknownOperationError as error:
        base = name.removesuffix("_stream")
        if base != name:
            with contextlib.suppress(UnknownOperationError):
                return find_endpoint(base), True
        raise UsageError(str(error)) from None


def _body(endpoint: Endpoint, data: str | None, form: Sequence[str]) -> Any:
    """The request body from `-d` (JSON) and `-F` (form fields), checked against the operation."""
    body = None if data is None else _load_json(data)
    if endpoint.body == "none":
        if data is not None or form:
            raise UsageError(f"{endpoint.operation_id} takes no body; leave out -d and -F")
        return None
    if data is not None and not isinstance(body, dict):
        kind = "null" if body is None else type(body).__name__
        raise UsageError(f"-d must be a JSON object (the request's fields), not {kind}")
    fields = cast("dict[str, Any] | None", body)
    if endpoint.body == "multipart":
        return _form(endpoint, fields or {}, form) if fields is not None or form else None
    if form:
        raise UsageError(f"{endpoint.operation_id} takes a JSON body: pass it with -d, not -F")
    return fields


def _form(endpoint: Endpoint, fields: dict[str, Any], pairs: Sequence[str]) -> dict[str, Any]:
    """A multipart body: `-d`'s fields, then each `-F NAME=VALUE` or `-F NAME=@FILE`."""
    from byot._validation import binary_fields

    for name in binary_fields(endpoint.operation_id):
        value = fields.get(name)
        if isinstance(value, str) and value.startswith("@"):
            raise UsageError(f"-d sends {value!r} as text: upload the file with -F {name}={value}")
    given: dict[str, list[Any]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"expected -F NAME=VALUE or NAME=@FILE, got {pair!r}")
        if name in fields:
            raise UsageError(f"{name} is given by both -d and -F; keep one")
        given.setdefault(name, []).append(_form_value(value))
    return {**fields, **{name: v[0] if len(v) == 1 else v for name, v in given.items()}}


def _form_value(value: str) -> Any:
    """A `-F` value: text, a file (`@FILE`, sent from disk as it is read) or stdin (`@-`)."""
    if not value.startswith("@"):
        return value
    if value == "@-":
        return ("stdin", sys.stdin.buffer.read())
    path = Path(value[1:])
    if not path.is_file() or not os.access(path, os.R_OK):
        raise UsageError(f"cannot read {path}: no such readable file")
    return path


def _params(endpoint: Endpoint, pairs: Sequence[str]) -> dict[str, Any]:
    """`NAME=VALUE` arguments as keywords of `client.call`, checked against the operation."""
    import re

    from byot._url import fill_path

    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"expected NAME=VALUE, got {pair!r}")
        params[name] = value
    in_path = re.findall(r"{(\w+)}", endpoint.path)
    known = sorted({*in_path, *endpoint.query_params})
    unknown = sorted(params.keys() - known)
    if unknown:
        takes = f"it takes {', '.join(known)}" if known else "it takes none"
        raise UsageError(f"{endpoint.operation_id} has no parameter {unknown[0]!r}; {takes}")
    try:
        fill_path(endpoint.path, {name: params[name] for name in in_path if name in params})
    except (TypeError, ValueError) as error:
        raise UsageError(f"{error}: pass it as NAME=VALUE") from None
    return dict(params)


def _load_json(source: str) -> Any:
    """The body of `-d`: JSON text, `@FILE`, or `@-` for stdin."""
    import orjson

    where = "-d"
    text = source.encode()
    if source == "@-":
        where, text = "stdin", sys.stdin.buffer.read()
    elif source.startswith("@"):
        where = source[1:]
        text = _read(Path(where))
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise UsageError(f"{where} is not JSON: {error}") from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror}") from None


def _client(args: argparse.Namespace) -> Client:
    """The client the command line describes: the environment, then the flags."""
    from byot._client import Client

    options: dict[str, Any] = {"default_headers": _headers(args.header)}
    if args.timeout is not None:
        options["timeout"] = args.timeout
    if args.max_retries is not None:
        options["max_retries"] = args.max_retries
    if getattr(args, "mock", False):
        if args.base_url or args.api_key:
            given = "--base-url" if args.base_url else "--api-key"
            raise UsageError(f"--mock and {given} exclude each other")
        from byot.testing import SpecMock

        # The mock's base URL is never dialled: SpecMock is the transport. It checks requests
        # against the spec.
        options.update(base_url="http://byot-mock/v1", api_key="sk-mock", transport=SpecMock())
    else:
        options.update(base_url=args.base_url, api_key=args.api_key)
    return Client(**options)  # a bad header or key: a ConfigError, one line


def _headers(pairs: Sequence[str]) -> dict[str, str]:
    """`-H 'Name: Value'` arguments, as curl takes them."""
    headers: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition(":")
        if not sep or not name.strip():
            raise UsageError(f"expected -H 'NAME: VALUE', got {pair!r}")
        headers[name.strip()] = value.strip()
    return headers


def _sends_a_key(client: Client, args: argparse.Namespace) -> bool:
    """Whether the requests carried credentials: a configured key or an auth header of -H."""
    from byot._config import OpenAIConfig

    config = client.config
    if isinstance(config, OpenAIConfig) and config.has_api_key:
        return True
    named = {pair.partition(":")[0].strip().lower() for pair in args.header}
    return bool(named & {"authorization", "api-key", "x-api-key"})


def _print_stream(
    client: Client, endpoint: Endpoint, body: Any, params: dict[str, Any], output: Path | None
) -> None:
    """Open the operation's `*_stream` method and print each event as one line of JSON."""
    import orjson

    assert endpoint.stream is not None  # noqa: S101 - checked by the caller
    named = endpoint.stream.get("framing", "data") != "data"
    namespace: Any = client
    *parents, method = endpoint.name.split(".")
    for attribute in parents:
        namespace = getattr(namespace, attribute)
    if endpoint.body != "none":
        params = {"body": {} if body is None else body, **params}
    with _writer(output) as out, getattr(namespace, method + "_stream")(**params) as stream:
        for item in stream:
            event = {"event": item[0], "data": item[1]} if named else item
            out.write(orjson.dumps(event) + b"\n")
            out.flush()


def _writer(output: Path | None) -> contextlib.AbstractContextManager[IO[bytes]]:
    """Where the answer goes: FILE, or stdout (left open when the block ends)."""
    if output is None:
        sys.stdout.flush()
        return contextlib.nullcontext(sys.stdout.buffer)
    try:
        return output.open("wb")
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror}") from None


def _emit(value: Any, output: Path | None) -> None:
    """Print a JSON answer indented, a text answer as it is, and write a binary one."""
    import orjson

    if isinstance(value, bytes):
        if output is None and sys.stdout.isatty():
            raise UsageError("the answer is binary: pass -o FILE to save it")
        data = value
    elif isinstance(value, str):
        data = (value.rstrip("\n") + "\n").encode()
    else:
        data = orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n"
    with _writer(output) as out:
        out.write(data)


# ----------------------------------------------------------------------------- validate


def _validate(args: argparse.Namespace) -> int:
    """Check each payload, print one line per problem (or per valid file), exit 1 if any."""
    import orjson

    from byot import _validation
    from byot.errors import SchemaValidationError
    from byot.resources._endpoints import ENDPOINTS

    allow_extra = _allowed(args.allow_extra)
    if args.schema in ENDPOINTS and args.direction is None:
        raise UsageError(
            f"{args.schema} is an operation: add --direction request or --direction response"
        )
    try:  # the name first: a typo is one line, whatever the files hold
        _validation.validate(None, args.schema, direction=args.direction, profile=args.profile)
    except SchemaValidationError:
        pass
    except ValueError as error:
        raise UsageError(str(error)) from None
    failed = False
    for path in args.files:
        for where, text in _payloads(path):
            try:
                _validation.validate(
                    orjson.loads(text),
                    args.schema,
                    direction=args.direction,
                    profile=args.profile,
                    allow_extra=allow_extra,
                )
            except orjson.JSONDecodeError as error:
                problems = [f"not JSON: {error}"]
            except SchemaValidationError as error:
                problems = [f"{issue.path}: {issue.message}" for issue in error.issues]
            else:
                problems = []
            failed = failed or bool(problems)
            for problem in problems or ["ok"]:
                sys.stdout.write(f"{where}: {problem}\n")
    return FAILED if failed else 0


def _allowed(given: Sequence[str] | None) -> bool | set[str]:
    """`--allow-extra` (any), `--allow-extra a,b` (those), or neither."""
    if not given:
        return False
    if "*" in given:
        return True
    return {name.strip() for names in given for name in names.split(",") if name.strip()}


def _payloads(path: Path) -> list[tuple[str, bytes]]:
    """What to check in a file: its JSON, or each line of JSON Lines.

    A `.jsonl` file is JSON Lines; so is stdin (`-`) that holds several documents, one a line.
    """
    import orjson

    if str(path) == "-":
        where, content = "<stdin>", sys.stdin.buffer.read()
        try:
            orjson.loads(content)
        except orjson.JSONDecodeError:
            lines = content.splitlines()
            if sum(1 for line in lines if line.strip()) > 1:
                return [(f"{where}:{n}", line) for n, line in enumerate(lines, 1) if line.strip()]
        return [(where, content)]
    content = _read(path)
    if path.suffix == ".jsonl":
        lines = content.splitlines()
        return [(f"{path}:{n}", line) for n, line in enumerate(lines, 1) if line.strip()]
    return [(str(path), content)]


# --------------------------------------------------------------------------------- mock


def _mock(args: argparse.Namespace) -> int:
    """Serve the spec mock until Ctrl-C, as `python -m byot.testing` does."""
    from byot.testing import SpecMock, serve

    mock = SpecMock(validate_requests=not args.no_validate)
    try:
        with serve(
            host=args.host, port=args.port, mock=mock, allow_remote=args.allow_remote
        ) as url:
            sys.stdout.write(f"byot: serving the OpenAI spec mock at {url} (Ctrl-C to stop)\n")
            sys.stdout.flush()
            _wait()
    except ValueError:  # not a loopback address, without --allow-remote
        raise UsageError(
            f"{args.host} is not a loopback address and the mock has no authentication: "
            f"pass --allow-remote to serve other interfaces (only on a network you trust)"
        ) from None
    except OSError as error:  # the port is taken, or the address is not this machine's
        reason = error.strerror or str(error)
        raise UsageError(
            f"cannot listen on {args.host} port {args.port}: {reason} (--port 0 picks a free one)"
        ) from None
    except KeyboardInterrupt:
        sys.stderr.write("byot: mock stopped\n")
    return 0


def _wait() -> None:
    """Until Ctrl-C: the mock serves from its own thread."""
    _NEVER_SET.wait()


_NEVER_SET = threading.Event()


# --------------------------------------------------------------------------------- bulk


def _bulk_parser(commands: Any) -> None:
    """`byot bulk run|submit|status|fetch|cancel`: one batch input file, two ways to run it."""
    bulk = commands.add_parser(
        "bulk",
        help="run a batch input file locally in parallel, or as Batch API jobs",
        description=(
            "Run a JSONL file of requests ({custom_id, method, url, body} per line) now, in "
            "parallel (run), or on the provider's Batch API at half the price (submit, status, "
            "fetch, cancel). Both write the Batch API's output format."
        ),
    )
    steps = bulk.add_subparsers(title="steps", metavar="STEP", required=True)

    def waiting(step: argparse.ArgumentParser) -> None:
        step.add_argument(
            "--poll",
            type=float,
            default=1.0,
            metavar="SECONDS",
            help="the first wait between polls; it doubles up to 60 s (default 1)",
        )

    run = steps.add_parser(
        "run",
        help="send every request now, many at a time",
        description=(
            "Send every request of REQUESTS, N at a time, with byot's retries, and append each "
            "result to RESULTS as it comes. Run it again with the same RESULTS to resume: "
            "requests done are skipped, failed ones sent again. Ctrl-C stops cleanly. "
            "Exits 1 when any request failed."
        ),
    )
    run.add_argument("requests", metavar="REQUESTS", type=Path, help="the batch input file")
    run.add_argument(
        "-o", "--output", required=True, metavar="RESULTS", type=_file, help="the results file"
    )
    run.add_argument(
        "--concurrency", type=int, default=64, metavar="N", help="requests in flight (64)"
    )
    run.add_argument(
        "--validate",
        action="store_true",
        help="check every line against its operation's schema first; send nothing if any fails",
    )
    run.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="draw a progress bar (default: on a terminal, with the bulk extra)",
    )
    _client_arguments(run)
    run.set_defaults(run=_bulk_run)

    submit = steps.add_parser(
        "submit",
        help="upload the file and create Batch API jobs; print their ids",
        description=(
            "Upload REQUESTS (split by the Batch API's limits: one endpoint, 50,000 requests "
            "and 200 MB per batch) and create a batch per part; print each batch's id."
        ),
    )
    submit.add_argument("requests", metavar="REQUESTS", type=Path, help="the batch input file")
    submit.add_argument("--validate", action="store_true", help="check every line first")
    submit.add_argument("--wait", action="store_true", help="wait until the batches finish")
    submit.add_argument(
        "-o", "--output", metavar="RESULTS", type=_file, help="with --wait: fetch the results"
    )
    waiting(submit)
    _client_arguments(submit)
    submit.set_defaults(run=_bulk_submit)

    for name, text, action in (
        ("status", "print each batch's status and request counts", _bulk_status),
        ("fetch", "download the batches' output and error files into one file", _bulk_fetch),
        ("cancel", "cancel batches", _bulk_cancel),
    ):
        step = steps.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        step.add_argument(
            "batch_ids", nargs="+", metavar="BATCH_ID", type=_batch_id, help="a batch's id"
        )
        if name != "cancel":
            step.add_argument("--wait", action="store_true", help="wait until they finish")
            waiting(step)
        if name == "fetch":
            step.add_argument(
                "-o", "--output", required=True, metavar="RESULTS", type=_file, help="the file"
            )
        _client_arguments(step)
        step.set_defaults(run=action)


def _bulk_check(args: argparse.Namespace) -> None:
    from byot.bulk import check_requests

    if args.validate:
        check_requests(args.requests)
    elif not args.requests.is_file():
        raise UsageError(f"cannot read {args.requests}: no such file")


def _bulk_run(args: argparse.Namespace) -> int:
    from byot.bulk import run

    _bulk_check(args)
    if args.concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1, not {args.concurrency}")
    with _client(args) as client:
        summary = run(
            client, args.requests, args.output, concurrency=args.concurrency, progress=args.progress
        )
    sys.stdout.write(
        f"{args.output}: {summary.succeeded} succeeded, {summary.failed} failed, "
        f"{summary.skipped} done before, {summary.tokens} tokens\n"
    )
    return FAILED if summary.failed else 0


def _bulk_print(batches: Sequence[dict[str, Any]]) -> None:
    for batch in batches:
        counts = _counts(batch)
        sys.stdout.write(
            f"{batch['id']} {batch['status']} {counts.get('completed', 0)}/"
            f"{counts.get('total', 0)} done, {counts.get('failed', 0)} failed\n"
        )


def _bulk_submit(args: argparse.Namespace) -> int:
    from byot.bulk import fetch, submit, wait

    _bulk_check(args)
    if args.output is not None and not args.wait:
        raise UsageError("-o needs --wait (or fetch the results later with `byot bulk fetch`)")
    with _client(args) as client:
        batches = submit(client, args.requests)
        _bulk_print(batches)
        if args.wait:
            sys.stdout.flush()
            batches = wait(client, [batch["id"] for batch in batches], poll_interval=args.poll)
            _bulk_print(batches)
            if args.output is not None:
                fetch(client, batches, args.output)
    return _bulk_status_code(batches) if args.wait else 0


def _bulk_status_code(batches: Sequence[dict[str, Any]]) -> int:
    """0 when every batch completed without a failed request, else 1."""
    failed = any(
        batch["status"] != "completed" or _counts(batch).get("failed") for batch in batches
    )
    return FAILED if failed else 0


def _counts(batch: dict[str, Any]) -> dict[str, int]:
    counts: dict[str, int] = batch.get("request_counts") or {}
    return counts


def _bulk_status(args: argparse.Namespace) -> int:
    from byot.bulk import wait

    with _client(args) as client:
        if args.wait:
            batches = wait(client, args.batch_ids, poll_interval=args.poll)
        else:
            batches = [client.batches.retrieve(batch_id) for batch_id in args.batch_ids]
    _bulk_print(batches)
    return 0


def _bulk_fetch(args: argparse.Namespace) -> int:
    from byot._batch_jobs import TERMINAL
    from byot.bulk import fetch, wait

    with _client(args) as client:
        if args.wait:
            batches = wait(client, args.batch_ids, poll_interval=args.poll)
        else:
            batches = [client.batches.retrieve(batch_id) for batch_id in args.batch_ids]
            running = [b["id"] for b in batches if b["status"] not in TERMINAL]
            if running:
                raise UsageError(f"still running: {', '.join(running)} (add --wait)")
        files = fetch(client, batches, args.output)
    sys.stdout.write(f"{args.output}: {files} file(s) of results from {len(batches)} batch(es)\n")
    return _bulk_status_code(batches)


def _bulk_cancel(args: argparse.Namespace) -> int:
    from byot.bulk import cancel

    with _client(args) as client:
        _bulk_print(cancel(client, args.batch_ids))
    return 0


# ----------------------------------------------------------------------------- realtime


def _realtime(args: argparse.Namespace) -> int:
    """A line-by-line text session: each stdin line is a turn, each answer streams to stdout."""
    import importlib.util

    if importlib.util.find_spec("websockets") is None:
        raise UsageError(
            "byot realtime needs the realtime extra: pip install 'byot-client[realtime]'"
        )
    from byot import realtime

    def show(event: dict[str, Any]) -> None:
        if event["type"] in ("response.output_text.delta", "response.text.delta"):
            sys.stdout.write(event["delta"])
            sys.stdout.flush()

    session: dict[str, Any] = {"type": "realtime", "output_modalities": ["text"]}
    if args.instructions:
        session["instructions"] = args.instructions
    client = _client(args)
    validate: Mode = "raise" if args.validate else "off"
    with client.realtime.connect(model=args.model, validate=validate) as connection:
        connection.send(realtime.session_update(session))
        for line in sys.stdin:
            if not line.strip():
                continue
            connection.send(realtime.conversation_item_create(realtime.user_text(line.strip())))
            connection.send(realtime.response_create())
            connection.response(on_event=show)
            sys.stdout.write("\n")
            sys.stdout.flush()
    return 0
