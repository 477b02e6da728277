"""The `steady`, `steady_streams` and `llmock` fixtures: third-party mock servers, per session.

steady (npm `@stdy/cli`) serves every operation of the pinned OpenAPI spec and validates each
request against it: path, query, headers and body. It answers 400 with its diagnostics when a
request is invalid, and marks every answer with `X-Steady-Request-Valid`. `steady_streams` is a
second steady whose copy of the spec lets every streaming operation stream.

llmock (PyPI `llmock`) answers like a real model server (realistic chat and Responses streams)
and injects faults on request: errors with `Retry-After`, streams cut, corrupted or dropped
(`POST /_llmock/scenario`). It runs from its own venv, whose pytest plugin must stay out of
this test run.

Install both with `scripts/install-test-servers`; without one, its tests skip.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import orjson
import pytest

from byot._endpoints import ENDPOINTS
from tests.conformance.bodies import ROOT, SPEC

if TYPE_CHECKING:
    from collections.abc import Iterator

# Where scripts/install-test-servers puts it, then a plain `npm install` at the project root.
CANDIDATES = (
    ROOT / ".test-servers" / "node_modules" / ".bin" / "steady",
    ROOT / "node_modules" / ".bin" / "steady",
)
INSTALL_HINT = "run scripts/install-test-servers (needs npm) or set BYOT_STEADY to the binary"
LLMOCK_CANDIDATES = (ROOT / ".test-servers" / "llmock-venv" / "bin" / "llmock",)
LLMOCK_HINT = "run scripts/install-test-servers or set BYOT_LLMOCK to the binary"
STARTUP_TIMEOUT = 30.0  # it loads in about 0.3 s; generous for a loaded CI machine

# steady checks query strings and forms in the shape it is told to expect. byot encodes them
# as the official SDKs do: arrays as `name[]=a&name[]=b`, objects as `name[key]=value` (see
# byot._url.encode_query and byot._multipart), so steady must expect brackets for both.
ENCODING_FLAGS = (
    "--validator-query-array-format=brackets",
    "--validator-query-object-format=brackets",
    "--validator-form-array-format=brackets",
    "--validator-form-object-format=brackets",
)


def steady_binary() -> Path | None:
    """`$BYOT_STEADY` when set (a path or a command name), else an installed copy, else None."""
    return _binary("BYOT_STEADY", CANDIDATES)


def llmock_binary() -> Path | None:
    """`$BYOT_LLMOCK` when set (a path or a command name), else an installed copy, else None."""
    return _binary("BYOT_LLMOCK", LLMOCK_CANDIDATES)


def _binary(variable: str, candidates: tuple[Path, ...]) -> Path | None:
    configured = os.environ.get(variable)
    if configured:
        found = shutil.which(configured)
        if found is None:  # asked for explicitly: a typo must not pass as a skip
            pytest.fail(f"{variable}={configured!r} is not an executable", pytrace=False)
        return Path(found)
    return next((path for path in candidates if os.access(path, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_healthy(
    health: str, process: subprocess.Popen[bytes], log: Path, name: str = "steady"
) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(health, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.05)
    pytest.fail(f"{name} did not become healthy in {STARTUP_TIMEOUT:g} s:\n{log.read_text()}")


@contextlib.contextmanager
def _running(
    command: list[str],
    health: str,
    log: Path,
    name: str,
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[None]:
    """Run a server until the block ends: started, healthy, then terminated (or killed)."""
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            command, stdout=output, stderr=subprocess.STDOUT, cwd=cwd, env=env
        )
    try:
        _wait_until_healthy(health, process, log, name)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def steady(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a running steady (no `/v1`: it serves the spec's paths at the root)."""
    yield from _steady(SPEC, tmp_path_factory.mktemp("steady"))


@pytest.fixture(scope="session")
def steady_streams(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A steady whose spec lets every streaming operation stream (see `streaming_spec`)."""
    if steady_binary() is None:
        pytest.skip(f"steady is not installed: {INSTALL_HINT}")
    if not SPEC.is_file():
        pytest.skip(f"the pinned OpenAPI spec is missing at {SPEC}")
    home = tmp_path_factory.mktemp("steady-streams")
    spec = home / "openapi-streams.json"
    spec.write_bytes(orjson.dumps(streaming_spec(orjson.loads(SPEC.read_bytes()))))
    yield from _steady(spec, home)


def streaming_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec, with a `text/event-stream` answer for every operation byot streams.

    steady streams only where the spec declares `text/event-stream`, and the spec does so for 7
    of the 13 streaming operations: legacy completions, the three Assistants runs and both
    Responses retrieves declare only JSON and describe their streams in prose. This adds the
    event schema byot decodes them with (`Endpoint.stream["schema"]`, a name of the spec's
    components); requests are still checked against the spec's own request schemas.
    """
    streams = {op: e.stream["schema"] for op, e in ENDPOINTS.items() if e.stream is not None}
    for item in spec["paths"].values():
        for operation in item.values():
            schema = streams.get(operation.get("operationId")) if type(operation) is dict else None
            if schema is not None:
                content = operation["responses"]["200"]["content"]
                name = schema.rsplit("/", 1)[1]
                content.setdefault(
                    "text/event-stream", {"schema": {"$ref": f"#/components/schemas/{name}"}}
                )
    return spec


def _steady(spec: Path, home: Path) -> Iterator[str]:
    binary = steady_binary()
    if binary is None:
        pytest.skip(f"steady is not installed: {INSTALL_HINT}")
    if not spec.is_file():
        pytest.skip(f"the pinned OpenAPI spec is missing at {spec}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(binary), "--host", "127.0.0.1", "-p", str(port), "--quiet", "--no-color"]
    command += [*ENCODING_FLAGS, str(spec)]
    with _running(command, f"{url}/_x-steady/health", home / "steady.log", "steady"):
        yield url


@pytest.fixture(scope="session")
def llmock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a running llmock (no `/v1`), with no latency, chaos or config file.

    Tests script it through `/_llmock/...` and reset it before use (see test_llmock.py).
    """
    binary = llmock_binary()
    if binary is None:
        pytest.skip(f"llmock is not installed: {LLMOCK_HINT}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    home = tmp_path_factory.mktemp("llmock")
    # Its settings come from LLMOCK_* variables and a config file: none of the developer's.
    env = {name: value for name, value in os.environ.items() if not name.startswith("LLMOCK_")}
    command = [str(binary), "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--log-level", "warning"]
    with _running(command, f"{url}/health", home / "llmock.log", "llmock", cwd=home, env=env):
        yield url
