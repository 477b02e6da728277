"""The public surface: what `byot` exports, the parity of its two clients, its import cost."""

import inspect
import re
import subprocess
import sys
import types

import pytest

import byot
import byot.bulk
import byot.errors
import byot.protocols
import byot.webhooks
from byot.resources._endpoints import ENDPOINTS

MODULES = [byot, byot.bulk, byot.errors, byot.protocols, byot.webhooks]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_all_is_sorted_and_complete(module: types.ModuleType) -> None:
    names = module.__all__
    assert names == sorted(names)
    assert len(set(names)) == len(names)
    for name in names:
        assert hasattr(module, name), name


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_public_name_has_a_docstring(module: types.ModuleType) -> None:
    assert (module.__doc__ or "").strip()
    for name in module.__all__:
        if name == "__version__":
            continue
        value = getattr(module, name)
        doc = (
            value.__doc__ if isinstance(value, (type, types.ModuleType)) else inspect.getdoc(value)
        )
        assert (doc or "").strip(), f"{module.__name__}.{name} has no docstring"


def test_exports() -> None:
    assert byot.__all__ == [
        "APIResponse",
        "AsyncBinaryStream",
        "AsyncClient",
        "AsyncParsedStream",
        "AsyncStream",
        "AzureConfig",
        "AzureV1Config",
        "BinaryStream",
        "Client",
        "Config",
        "EventHooks",
        "OpenAIConfig",
        "Parsed",
        "ParsedStream",
        "RateLimit",
        "RateLimiter",
        "RateLimits",
        "RequestOptions",
        "RetryEvent",
        "RetryPolicy",
        "Stream",
        "Telemetry",
        "Timeout",
        "Tool",
        "ToolCall",
        "ToolRun",
        "Toolbox",
        "Validation",
        "__version__",
        "accumulate_chat",
        "accumulate_response",
        "errors",
        "is_valid",
        "json_schema",
        "register_schema",
        "response_format",
        "text_format",
        "tool",
        "tool_calls",
        "validate",
        "webhooks",
    ]
    assert re.fullmatch(r"\d+\.\d+\.\d+([.-]?\w+)*", byot.__version__)
    assert byot.errors is sys.modules["byot.errors"]


def test_every_error_derives_from_byot_error() -> None:
    for name in byot.errors.__all__:
        cls = getattr(byot.errors, name)
        if cls in (byot.errors.SchemaIssue, byot.errors.LineProblem):  # records errors carry
            continue
        assert issubclass(cls, byot.errors.BYOTError), name
        assert issubclass(cls, Exception), name


def test_public_methods_and_properties_have_docstrings() -> None:
    for cls in (byot.Client, byot.AsyncClient):
        for name, member in vars(cls).items():
            if name.startswith("_"):
                continue
            target = member.fget if isinstance(member, property) else member
            assert (inspect.getdoc(target) or "").strip(), f"{cls.__name__}.{name}"


def public_names(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def dunders(cls: type) -> set[str]:
    return {name for name in vars(cls) if name.startswith("__") and name.endswith("__")}


def test_clients_have_the_same_public_surface() -> None:
    sync_names = public_names(byot.Client) - {"close"}
    async_names = public_names(byot.AsyncClient) - {"aclose"}

    assert sync_names == async_names
    assert sync_names == {
        "base_url",
        "config",
        "is_closed",
        "request",
        "retry",
        "timeout",
        "with_options",
        "call",
    } | {endpoint.name.split(".")[0] for endpoint in ENDPOINTS.values()}
    assert "close" in public_names(byot.Client)
    assert "aclose" in public_names(byot.AsyncClient)
    assert "aclose" not in public_names(byot.Client)
    assert "close" not in public_names(byot.AsyncClient)
    sync_dunders = dunders(byot.Client) - {"__enter__", "__exit__"}
    async_dunders = dunders(byot.AsyncClient) - {"__aenter__", "__aexit__"}
    assert sync_dunders == async_dunders
    assert {"__enter__", "__exit__"} <= dunders(byot.Client)
    assert {"__aenter__", "__aexit__"} <= dunders(byot.AsyncClient)
    assert not {"__aenter__", "__aexit__"} & dunders(byot.Client)
    assert not {"__enter__", "__exit__"} & dunders(byot.AsyncClient)


def test_properties_are_properties_in_both() -> None:
    for name in ("base_url", "config", "is_closed", "retry", "timeout"):
        assert isinstance(inspect.getattr_static(byot.Client, name), property), name
        assert isinstance(inspect.getattr_static(byot.AsyncClient, name), property), name


@pytest.mark.parametrize(
    ("sync_name", "async_name"),
    [
        ("__init__", "__init__"),
        ("request", "request"),
        ("with_options", "with_options"),
        ("close", "aclose"),
        ("__exit__", "__aexit__"),
    ],
)
def test_signatures_match(sync_name: str, async_name: str) -> None:
    sync_sig = inspect.signature(getattr(byot.Client, sync_name))
    async_sig = inspect.signature(getattr(byot.AsyncClient, async_name))

    def shape(sig: inspect.Signature) -> list[tuple[str, object, object]]:
        return [(p.name, p.kind, p.default) for p in sig.parameters.values()]

    assert shape(sync_sig) == shape(async_sig)


def test_async_methods_are_coroutines() -> None:
    for name in ("request", "aclose", "__aenter__", "__aexit__"):
        assert inspect.iscoroutinefunction(getattr(byot.AsyncClient, name)), name
    for name in ("request", "close", "__enter__", "__exit__", "with_options"):
        assert not inspect.iscoroutinefunction(getattr(byot.Client, name)), name
    assert not inspect.iscoroutinefunction(byot.AsyncClient.with_options)


def test_import_does_not_load_optional_libraries() -> None:
    code = (
        "import sys, byot\n"
        # typing_extensions too: only type checkers need it, and it costs ~6 ms to import.
        "heavy = ('jsonschema', 'referencing', 'jsonschema_rs', 'pydantic', 'msgspec', 'attrs',"
        " 'attr', 'typing_extensions', 'tenacity', 'websockets')\n"
        "print(sorted(name for name in heavy if name in sys.modules))\n"
        # The generated namespaces, which a first call loads, add none of byot's own (attrs may
        # come with trio, which httpcore's connection pool imports when it is installed, and
        # before Python 3.11 typing_extensions with the exceptiongroup backport trio needs).
        "client = byot.Client(api_key='k', base_url='http://127.0.0.1:9/v1')\n"
        # client.realtime carries connect(); websockets (the [realtime] extra) loads on connecting.
        "client.chat.completions, client.realtime.connect(model='m')\n"
        "import byot.realtime\n"
        "backport = {'typing_extensions'} if 'exceptiongroup' in sys.modules else set()\n"
        "print(sorted(name for name in heavy if name in sys.modules and 'attr' not in name\n"
        "             and name not in backport))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.split() == ["[]", "[]"]
    assert result.stderr == ""


# What `import byot` must not load: each is a feature a caller may never use (issue 20).
NOT_AT_IMPORT = (
    # telemetry
    "byot._telemetry",
    "byot._otel",
    "opentelemetry",
    # the rate limiter and the rate-limit headers
    "byot._limiter",
    "byot._ratelimit",
    # webhooks
    "byot.webhooks",
    "hmac",
    # validation's engines (the modes themselves are part of every client)
    "jsonschema",
    "jsonschema_rs",
    "referencing",
    # realtime
    "byot.realtime",
    "byot._realtime",
    "byot._realtime_connection",
    "websockets",
    # bulk and batches
    "byot.bulk",
    "byot._batch_jobs",
    "byot._jsonl",
    "byot._progress",
    "byot._runner",
    # structured outputs and tools
    "byot._structured",
    "byot._json_schema",
    "byot._tools",
    "byot._toolbox",
    # uploads, the aiohttp transport, retries after a failure, the CLI, the test servers
    "byot._multipart",
    "byot.aiohttp",
    "aiohttp",
    "tenacity",
    "byot._cli",
    "byot.testing",
    # the generated namespaces, loaded by a client's first call
    "byot.resources._async",
    "byot.resources._sync",
)


def test_import_byot_loads_no_feature_the_caller_has_not_used() -> None:
    code = f"import sys, byot; print([m for m in {NOT_AT_IMPORT!r} if m in sys.modules])"
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.strip() == "[]"
    assert result.stderr == ""


def test_telemetry_loads_when_it_is_named_or_switched_on() -> None:
    code = (
        "import sys, byot\n"
        "byot.Client(api_key='k', base_url='http://127.0.0.1:9/v1', telemetry=False)\n"
        "print('byot._telemetry' in sys.modules)\n"
        "assert byot.Telemetry is sys.modules['byot._telemetry'].Telemetry\n"
        "print('byot._telemetry' in sys.modules)\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.split() == ["False", "True"]


def test_structured_outputs_tools_and_webhooks_load_on_first_use() -> None:
    code = (
        "import sys, byot\n"
        "lazy = ('byot._json_schema', 'byot._structured', 'byot._tools', 'byot._toolbox',"
        " 'byot.webhooks', 'hmac')\n"
        "print(sorted(name for name in lazy if name in sys.modules))\n"
        "byot.json_schema, byot.Parsed, byot.Toolbox, byot.tool\n"
        "assert byot.webhooks is sys.modules['byot.webhooks']\n"
        "print(len([name for name in lazy if name in sys.modules]))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )

    assert result.stdout.split() == ["[]", "6"]
    assert byot.json_schema is byot._json_schema.json_schema  # the same function, cached
    assert "json_schema" in vars(byot)


def test_an_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'byot' has no attribute 'nope'"):
        byot.nope  # type: ignore[attr-defined]  # noqa: B018
