"""The `steady` fixture: steady, a spec-driven mock of the OpenAI API, for the whole session.

steady (npm `@stdy/cli`) serves every operation of the pinned OpenAPI spec and validates each
request against it: path, query, headers and body. It answers 400 with its diagnostics when a
request is invalid, and marks every answer with `X-Steady-Request-Valid`. Install it with
`scripts/install-test-servers`; without it these tests skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.conformance.bodies import ROOT, SPEC

if TYPE_CHECKING:
    from collections.abc import Iterator

# Where scripts/install-test-servers puts it, then a plain `npm install` at the project root.
CANDIDATES = (
    ROOT / ".test-servers" / "node_modules" / ".bin" / "steady",
    ROOT / "node_modules" / ".bin" / "steady",
)
INSTALL_HINT = "run scripts/install-test-servers (needs npm) or set BYOT_STEADY to the binary"
STARTUP_TIMEOUT = 30.0  # it loads in about 0.3 s; generous for a loaded CI machine

# steady checks query strings and forms in the shape it is told to expect. byot encodes them
# as the official SDKs do: arrays as `name[]=a&name[]=b`, objects as `name[key]=value` (see
# byot._core.encode_query and byot._multipart), so steady must expect brackets for both.
ENCODING_FLAGS = (
    "--validator-query-array-format=brackets",
    "--validator-query-object-format=brackets",
    "--validator-form-array-format=brackets",
    "--validator-form-object-format=brackets",
)


def steady_binary() -> Path | None:
    """`$BYOT_STEADY` when set (a path or a command name), else an installed copy, else None."""
    configured = os.environ.get("BYOT_STEADY")
    if configured:
        found = shutil.which(configured)
        if found is None:  # asked for explicitly: a typo must not pass as a skip
            pytest.fail(f"BYOT_STEADY={configured!r} is not an executable", pytrace=False)
        return Path(found)
    return next((path for path in CANDIDATES if os.access(path, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"steady exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/_x-steady/health", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not listening yet
        time.sleep(0.05)
    pytest.fail(f"steady did not become healthy in {STARTUP_TIMEOUT:g} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def steady(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a running steady (no `/v1`: it serves the spec's paths at the root)."""
    binary = steady_binary()
    if binary is None:
        pytest.skip(f"steady is not installed: {INSTALL_HINT}")
    if not SPEC.is_file():
        pytest.skip(f"the pinned OpenAPI spec is missing at {SPEC}")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("steady") / "steady.log"
    command = [str(binary), "--host", "127.0.0.1", "-p", str(port), "--quiet", "--no-color"]
    command += [*ENCODING_FLAGS, str(SPEC)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        _wait_until_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
