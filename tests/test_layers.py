"""The layers of byot, held by a test rather than by memory (ARCHITECTURE.md draws them).

Imports are read from the source with `ast`, every one of them: at module level, inside
functions (lazy imports), and under `if TYPE_CHECKING:`, which type checkers follow like any
other. Three rules:

* httpx is imported at run time only by the modules of `HTTPX_ALLOWED`: the drivers, the
  modules that build requests and read responses, and the test servers;
* the lower layers never reach the drivers or the generated facades, directly or through
  another module;
* the hand-written modules import each other without a cycle.
"""

from __future__ import annotations

import ast
import functools
import graphlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "byot"

# Who may import httpx at run time (a `TYPE_CHECKING` import of its types is free).
HTTPX_ALLOWED = frozenset(
    {
        "byot._async_client",  # the driver, and the sync one generated from it
        "byot._client",
        "byot._transport",  # the default connection pools
        "byot._pool",  # the default pool reached without httpx's request and response
        "byot._transport_errors",  # httpx's exceptions mapped to byot's
        "byot._decompress",  # raises httpx.DecodingError, mapped like httpx's own decoders
        "byot._log",  # the logging switch reads requests (a streamed body is not read)
        "byot._headers",  # requests carry httpx.Headers, built once per client
        "byot._settings",  # parsed httpx.URLs, cached
        "byot._prepared",  # the httpx.Request of an attempt
        "byot._direct",  # the direct path: httpx's errors, and its headers for status errors
        "byot._response",  # streams read an httpx.Response
        "byot._realtime",  # the Realtime handshake: headers as HTTP merges them, status errors
        "byot.aiohttp",  # a transport
        "byot.testing._mock",  # the test servers answer httpx requests
        "byot.testing._routes",
        "byot.testing._batches",  # the mock's batches answer their lines as httpx requests
        "byot.testing._server",
    }
)

# The lower layers: bytes, events and values, with no notion of a client.
LOWER = (
    "byot._codec",
    "byot._sse",
    "byot._accumulate",
    "byot._status",
    "byot._validation",
    "byot.errors",
    # and the sans-I/O modules the drivers call
    "byot._url",
    "byot._headers",
    "byot._credentials",
    "byot._decode",
    "byot._prepared",
    "byot._settings",
    "byot._stream_plan",
    "byot._pagination",
    "byot._hooks",
    "byot._call_options",
    "byot._retry",
    "byot._timeout",
    "byot._multipart",
    "byot._config",
    "byot._transport_errors",
    "byot.webhooks",
    "byot._telemetry",
    "byot._otel",
    "byot._log",
)

# What the lower layers must never reach: the drivers, the generated facades, and the package
# itself (its `__init__` imports the clients).
UPPER = frozenset(
    {"byot", "byot._client", "byot._async_client", "byot._base_client", "byot.resources"}
)


# The generated endpoint table sits with the facades but is data: `client.call` reads it.
TABLE = "byot.resources._endpoints"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str) -> str:
    """The byot module an import names: the longest prefix that is one of its files."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


@functools.cache
def _imports(module: str, *, runtime: bool = False) -> set[str]:
    """Every module `module` imports; with `runtime`, those under `TYPE_CHECKING` left out."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    skipped: set[int] = set()
    if runtime:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
                skipped.update(id(child) for stmt in node.body for child in ast.walk(stmt))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            # `from byot import _codec` imports the module byot._codec, not the package's names.
            found.update(_resolve(f"{node.module}.{alias.name}") for alias in node.names)
    # Other packages by their top-level name: `from httpx import URL` imports httpx.
    return {_resolve(name) if name.startswith("byot") else name.split(".")[0] for name in found}


def _generated(module: str) -> bool:
    with MODULES[module].open(encoding="utf-8") as file:
        return file.readline().startswith("# GENERATED")


def _reach(module: str) -> set[str]:
    """Every byot module `module` imports, directly or through others."""
    seen: set[str] = set()
    todo = [module]
    while todo:
        for name in _imports(todo.pop()):
            if name in MODULES and name not in seen:
                seen.add(name)
                todo.append(name)
    return seen


def test_only_the_allowed_modules_import_httpx_at_run_time() -> None:
    importers = {name for name in MODULES if "httpx" in _imports(name, runtime=True)}
    assert importers <= HTTPX_ALLOWED, sorted(importers - HTTPX_ALLOWED)
    assert MODULES.keys() >= HTTPX_ALLOWED  # the list names no module that is gone


@pytest.mark.parametrize("module", LOWER)
def test_a_lower_layer_never_reaches_a_driver_or_a_facade(module: str) -> None:
    reached = {name for name in _reach(module) if _resolve(name) in MODULES}
    upper = {
        name for name in reached - {TABLE} if name in UPPER or name.startswith("byot.resources.")
    }
    assert not upper, f"{module} reaches {sorted(upper)}"


def test_the_hand_written_modules_import_each_other_without_a_cycle() -> None:
    written = {name for name in MODULES if not _generated(name)}
    graph = {name: _imports(name) & written - {name} for name in written}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_the_rules_see_what_they_check() -> None:
    """The reader finds lazy and type-checking imports, and resolves names to modules."""
    assert TABLE in _imports("byot._call_options")  # inside a function
    assert "byot._prepared" in _imports("byot._stream_plan")  # under TYPE_CHECKING
    assert "byot._prepared" not in _imports("byot._stream_plan", runtime=True)
    assert "byot._codec" in _imports("byot._settings")  # `from byot import _codec`
    assert "byot" not in _imports("byot._settings")
    assert "typing" in _imports("byot._base_client")  # `from typing import ...`: the package
    assert "byot.resources" in _reach("byot._async_client")
    assert _generated("byot._client")
    assert not _generated("byot._async_client")
