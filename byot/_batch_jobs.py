"""Batch API jobs: submit a batch input file, wait for it, fetch its results, cancel it.

The same JSONL file the local runner takes goes to the provider's Batch API, which runs it
within its completion window at half the price. `submit` splits it by the documented limits of
one batch (one endpoint; at most 50,000 requests and 200 MB per input file), uploads each part
and creates its batch; `wait` polls with exponential backoff (tenacity's), drawing the same
progress bar from the batches' `request_counts`; `fetch` streams the output and error files into
one results file for `read_results`. Each step takes batch ids, so a job is resumed from any
process by its ids.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from byot._jsonl import parse_request
from byot._progress import Progress
from byot.errors import BulkInputError, LineProblem

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from byot._client import Client

__all__ = ["MAX_BYTES", "MAX_LINES", "TERMINAL", "cancel", "fetch", "submit", "wait"]

MAX_LINES = 50_000
"""Requests in one batch input file, as the Batch API documents it."""
MAX_BYTES = 200 * 1024 * 1024
"""Bytes in one batch input file (200 MB), as the Batch API documents it."""
TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
"""The statuses a batch does not leave."""


class _Part:
    """One input file being written: its lines and bytes so far."""

    def __init__(self, directory: Path, url: str, number: int) -> None:
        self.url = url
        self.path = directory / f"part-{number}.jsonl"
        self.file: IO[bytes] = self.path.open("wb")
        self.lines = self.size = 0


def split(
    requests: str | os.PathLike[str],
    directory: Path,
    *,
    max_lines: int = MAX_LINES,
    max_bytes: int = MAX_BYTES,
) -> Iterator[tuple[str, Path]]:
    """Split a batch input file into files a batch can take: `(endpoint, file)` pairs.

    A batch runs one endpoint, so the lines are grouped by url (`/v1` added where it is left
    out); each group is cut into files of at most `max_lines` lines and `max_bytes` bytes.
    Each file is yielded as soon as it is full, the rest at the end.

    Raises:
        BulkInputError: A line is not a request, or is alone larger than `max_bytes`.
    """
    open_parts: dict[str, _Part] = {}
    count = 0
    with Path(requests).open("rb") as source:
        for number, raw in enumerate(source, 1):
            if not raw.strip():
                continue
            request = parse_request(number, raw)
            if isinstance(request, str):
                problem = LineProblem(number, request)
                raise BulkInputError(path=os.fspath(requests), problems=[problem])
            url = request.url if request.url.startswith("/v1/") else "/v1" + request.url
            line = raw if raw.endswith(b"\n") else raw + b"\n"
            if len(line) > max_bytes:
                problem = LineProblem(number, f"{len(line)} bytes, over the {max_bytes} of a file")
                raise BulkInputError(path=os.fspath(requests), problems=[problem])
            part = open_parts.get(url)
            if part is not None and (part.lines >= max_lines or part.size + len(line) > max_bytes):
                part.file.close()
                yield url, part.path
                part = None
            if part is None:
                count += 1
                part = open_parts[url] = _Part(directory, url, count)
            part.file.write(line)
            part.lines += 1
            part.size += len(line)
    for url, part in open_parts.items():
        part.file.close()
        yield url, part.path


def submit(
    client: Client,
    requests: str | os.PathLike[str],
    *,
    completion_window: str = "24h",
    metadata: Mapping[str, str] | None = None,
    max_lines: int = MAX_LINES,
    max_bytes: int = MAX_BYTES,
) -> list[dict[str, Any]]:
    """Upload a batch input file and create its batches; the batches, as created.

    Example:
        ```python
        batches = byot.bulk.submit(client, "requests.jsonl")
        ids = [batch["id"] for batch in batches]  # keep them to resume from anywhere
        ```

    Args:
        client: The client (its base URL must serve the Files and Batch APIs).
        requests: The batch input file, the one `byot.bulk.run` takes.
        completion_window: How long the provider may take (`"24h"`).
        metadata: Up to 16 key-value pairs attached to each batch.
        max_lines: Requests per batch (the Batch API's documented limit by default).
        max_bytes: Bytes per input file (likewise).

    Raises:
        BulkInputError: A line is not a request, or alone exceeds `max_bytes`.
        APIStatusError: The provider refused an upload or a batch.
    """
    batches: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="byot-bulk-") as directory:
        for endpoint, part in split(
            requests, Path(directory), max_lines=max_lines, max_bytes=max_bytes
        ):
            with part.open("rb") as content:
                upload: dict[str, Any] = {
                    "file": (part.name, content, "application/jsonl"),
                    "purpose": "batch",
                }
                file = client.files.create(upload)
            body: dict[str, Any] = {
                "input_file_id": file["id"],
                "endpoint": endpoint,
                "completion_window": completion_window,
            }
            if metadata:
                body["metadata"] = dict(metadata)
            batches.append(client.batches.create(body))
    return batches


def wait(
    client: Client,
    batch_ids: Sequence[str],
    *,
    poll_interval: float = 1.0,
    max_interval: float = 60.0,
    timeout: float | None = None,
    progress: bool | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, Any]]:
    """Poll batches until each is completed, failed, expired or cancelled; the final batches.

    Polls start `poll_interval` seconds apart and back off exponentially up to
    `max_interval`; the progress bar (on a terminal) shows their `request_counts` summed.

    Raises:
        TimeoutError: `timeout` seconds passed first (the batches go on running).
    """
    import tenacity

    latest: dict[str, dict[str, Any]] = {}
    with Progress("batch", None, show=progress) as bar:

        def poll() -> bool:
            for batch_id in batch_ids:
                if latest.get(batch_id, {}).get("status") not in TERMINAL:
                    latest[batch_id] = client.batches.retrieve(batch_id)
            counts: list[dict[str, int]] = [
                batch.get("request_counts") or {} for batch in latest.values()
            ]
            bar.set(
                done=sum(c.get("completed", 0) + c.get("failed", 0) for c in counts),
                failed=sum(c.get("failed", 0) for c in counts),
                total=sum(c.get("total", 0) for c in counts),
            )
            return all(batch.get("status") in TERMINAL for batch in latest.values())

        retrying = tenacity.Retrying(
            retry=tenacity.retry_if_result(lambda finished: not finished),
            wait=tenacity.wait_exponential(multiplier=poll_interval, max=max_interval),
            stop=tenacity.stop_never if timeout is None else tenacity.stop_after_delay(timeout),
            sleep=sleep,
        )
        try:
            retrying(poll)
        except tenacity.RetryError:
            pending = [i for i, b in latest.items() if b.get("status") not in TERMINAL]
            raise TimeoutError(
                f"{len(pending)} batch(es) still running after {timeout} s: {', '.join(pending)}"
            ) from None
    return [latest[batch_id] for batch_id in batch_ids]


def fetch(
    client: Client, batches: Sequence[str | Mapping[str, Any]], output: str | os.PathLike[str]
) -> int:
    """Stream the output and error files of finished batches into one results file.

    Read it with `byot.bulk.read_results` or `results_by_id`. Batch ids are looked up first;
    batch objects (from `wait`) are used as they are.

    Returns:
        How many files were downloaded.
    """
    files = 0
    with Path(output).open("wb") as out:
        for given in batches:
            batch = client.batches.retrieve(given) if isinstance(given, str) else given
            for key in ("output_file_id", "error_file_id"):
                file_id = batch.get(key)
                if not file_id:
                    continue
                files += 1
                last = b"\n"
                with client.files.content_chunks(file_id) as stream:
                    for chunk in stream.iter_bytes():
                        out.write(chunk)
                        last = chunk[-1:] or last
                if not last.endswith(b"\n"):  # the next file starts on a line of its own
                    out.write(b"\n")
    return files


def cancel(client: Client, batch_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Ask the provider to cancel batches; the batches, now `cancelling` (or already done)."""
    return [client.batches.cancel(batch_id) for batch_id in batch_ids]
