"""The local parallel runner: a batch input file through a client, many requests in flight.

The input is read and the output written a line at a time, so memory stays flat however long
the file is; only an 8-byte hash per request finished in an earlier run is kept, to skip it.
Every result is appended as soon as it is known, in the Batch API's output format, so a run that
stops (Ctrl-C, a crash) loses nothing finished; a re-run with the same output file first drops
its failed and torn lines, then sends only what is not done. Retrying a request (429, 5xx,
resets) is the client's own `RetryPolicy`; a line that still fails is written as failed.

`run` uses threads and a `byot.Client`; `arun` uses tasks (asyncio or trio, through anyio) and a
`byot.AsyncClient`. With `rate_limiter=` (a `byot.RateLimiter`) the client waits for it before
every attempt, retries included; both also call `acquire(request)` before each send, when given.
"""

from __future__ import annotations

import bisect
from array import array
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple, cast

import orjson

from byot import _codec
from byot._jsonl import parse_result, read_requests, result_line
from byot._progress import Progress, wanted
from byot.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    BulkInputError,
    BYOTError,
)

if TYPE_CHECKING:
    import os
    from collections.abc import Awaitable, Callable, Iterable

    from byot._async_client import AsyncClient
    from byot._client import Client
    from byot._jsonl import Request
    from byot._limiter import RateLimiter
    from byot._response import APIResponse

__all__ = ["Summary", "arun", "run"]

DEFAULT_CONCURRENCY = 64


class Summary(NamedTuple):
    """What a run did.

    Attributes:
        skipped: Requests already done by an earlier run into the same output file.
        succeeded: Requests answered with a 2xx status in this run.
        failed: Requests that failed in this run (an error status after the client's
            retries, or no answer); a re-run retries them.
        tokens: Tokens used by this run's answers (their `usage.total_tokens`).
    """

    skipped: int
    succeeded: int
    failed: int
    tokens: int


class Outcome(NamedTuple):
    """One finished request: its results line, and what it counts for."""

    line: bytes
    ok: bool
    tokens: int


def outcome(request: Request, answer: APIResponse[Any] | BaseException) -> Outcome:
    """The results line for a request's answer, or for the error that ended it."""
    line = request.line
    if not isinstance(answer, BaseException):
        usage = (_codec.json_object(answer.parsed) or {}).get("usage")
        tokens: object = (_codec.json_object(usage) or {}).get("total_tokens", 0)
        content = result_line(
            request.custom_id,
            number=line,
            status_code=answer.status_code,
            body=answer.content,
            request_id=answer.request_id,
        )
        return Outcome(content, answer.status_code < 300, tokens if isinstance(tokens, int) else 0)
    if isinstance(answer, APIStatusError):
        body = answer.body if answer.body is not None else {"error": {"message": answer.message}}
        content = result_line(
            request.custom_id,
            number=line,
            status_code=answer.status_code,
            body=orjson.dumps(body),
            request_id=answer.request_id,
        )
        return Outcome(content, False, 0)
    code = next((code for kinds, code in _CODES if isinstance(answer, kinds)), "decode_error")
    error = {"code": code, "message": str(answer)}
    return Outcome(result_line(request.custom_id, number=line, error=error), False, 0)


# What a line's `error.code` says when no answer came (a DecodeError is the last case).
_CODES: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    (APITimeoutError, "timeout"),
    (APIConnectionError, "connection_error"),
    ((TypeError, ValueError), "invalid_request"),
)

# Errors that end one request, not the run: the API's (after retries), a body that cannot be
# encoded or sent (TypeError, ValueError), an answer that is not a JSON object (DecodeError).
_LINE_ERRORS = (BYOTError, TypeError, ValueError)


class _Done:
    """The custom_ids an earlier run finished, as sorted 8-byte hashes (flat memory).

    Python's 64-bit string hash, stable within the process: two ids would have to collide
    among a million for a line to be skipped wrongly (odds below one in ten million).
    """

    def __init__(self, hashes: Iterable[int]) -> None:
        self._hashes = array("q", sorted(hashes))

    def __len__(self) -> int:
        return len(self._hashes)

    def __contains__(self, custom_id: str) -> bool:
        hashes = self._hashes
        at = bisect.bisect_left(hashes, hash(custom_id))
        return at < len(hashes) and hashes[at] == hash(custom_id)


def resume(output: Path) -> _Done:
    """Keep the successful lines of an earlier run's output; drop failed and torn ones.

    The file is rewritten beside itself and swapped in, so a crash here loses nothing.
    """
    if not output.exists():
        return _Done(())
    kept: list[int] = []
    fresh = output.with_name(output.name + ".resume")
    with output.open("rb") as old, fresh.open("wb") as new:
        for raw in old:
            try:
                custom_id, ok, _ = parse_result(raw)
            except (ValueError, AttributeError):  # a line torn by a crash, or a blank one
                continue
            if ok and raw.endswith(b"\n"):
                new.write(raw)
                kept.append(hash(custom_id))
    fresh.replace(output)
    return _Done(kept)


class _Writer:
    """Appends outcomes to the output and counts them (on one thread only)."""

    def __init__(self, out: IO[bytes], progress: Progress, skipped: int) -> None:
        self.out = out
        self.progress = progress
        self.skipped = skipped
        self.succeeded = self.failed = self.tokens = 0

    def add(self, done: Outcome) -> None:
        self.out.write(done.line)
        self.succeeded += done.ok
        self.failed += not done.ok
        self.tokens += done.tokens
        self.progress.advance(ok=done.ok, tokens=done.tokens)

    def summary(self) -> Summary:
        return Summary(self.skipped, self.succeeded, self.failed, self.tokens)


def _count(path: str | os.PathLike[str]) -> int:
    with Path(path).open("rb") as source:
        return sum(1 for line in source if line.strip())


def _plan(
    requests: str | os.PathLike[str], output: str | os.PathLike[str], progress: bool | None
) -> tuple[_Done, Progress]:
    done = resume(Path(output))
    total = _count(requests) - len(done) if wanted(progress) else None
    return done, Progress("requests", total, show=progress)


def run(
    client: Client,
    requests: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: bool | None = None,
    rate_limiter: RateLimiter | None = None,
    acquire: Callable[[Request], object] | None = None,
) -> Summary:
    """Send every request of a batch input file, `concurrency` at a time, results to `output`.

    Example:
        ```python
        summary = byot.bulk.run(client, "requests.jsonl", "results.jsonl", concurrency=64)
        print(summary.succeeded, summary.failed)
        ```

    Args:
        client: The client to send with; its retry policy retries 429s, 5xx and resets.
        requests: The batch input file (see `write_requests`).
        output: The results file. Run again with the same file to resume: what is done is
            skipped and what failed is sent again.
        concurrency: Requests in flight at once (one thread each).
        progress: Draw a progress bar on stderr (None: when it is a terminal).
        rate_limiter: Keep to requests and tokens per minute (`byot.RateLimiter(rpm=...,
            tpm=...)`): every attempt, retries included, waits for it, and the
            `x-ratelimit-*` headers hold requests back when a limit is used up.
        acquire: Called with each request before it is sent, returning when it may go
            (a rate limiter's hook).

    Returns:
        What this run did.

    Raises:
        BulkInputError: A line of `requests` is not a request (those before it are done).
        KeyboardInterrupt: Ctrl-C: requests in flight finish and everything finished is
            written before it propagates.
    """
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    if rate_limiter is not None:
        client = client.with_options(rate_limiter=rate_limiter)

    def send(request: Request) -> Outcome:
        if acquire is not None:
            acquire(request)
        try:
            body = cast("object", request.body)
            response = client.request(request.method, request.path, body, raw=True)
        except _LINE_ERRORS as error:
            return outcome(request, error)
        return outcome(request, response)

    done, bar = _plan(requests, output, progress)
    pending: set[Future[Outcome]] = set()
    with (
        Path(output).open("ab") as out,
        bar,
        ThreadPoolExecutor(concurrency, thread_name_prefix="byot-bulk") as pool,
    ):
        writer = _Writer(out, bar, 0)
        try:
            for request in read_requests(requests):
                if request.custom_id in done:
                    writer.skipped += 1
                    continue
                if len(pending) >= concurrency:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in finished:
                        writer.add(future.result())
                pending.add(pool.submit(send, request))
        finally:
            # The last requests; or on Ctrl-C or a bad line, those in flight (never more than
            # `concurrency`, one per thread): they finish and are written with the rest.
            for future in wait(pending).done:
                writer.add(future.result())
    return writer.summary()


async def arun(
    client: AsyncClient,
    requests: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: bool | None = None,
    rate_limiter: RateLimiter | None = None,
    acquire: Callable[[Request], Awaitable[object]] | None = None,
) -> Summary:
    """`run` for a `byot.AsyncClient`: the same file, output and resuming, with tasks.

    Example:
        ```python
        summary = await byot.bulk.arun(client, "requests.jsonl", "results.jsonl")
        ```

    Cancelling it (Ctrl-C under `asyncio.run`) stops the requests in flight; everything
    finished before is already written, and a re-run sends the rest.

    Raises:
        BulkInputError: A line of `requests` is not a request (those before it are done).
    """
    import anyio

    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, not {concurrency}")
    if rate_limiter is not None:
        client = client.with_options(rate_limiter=rate_limiter)
    done, bar = _plan(requests, output, progress)
    slots = anyio.Semaphore(concurrency)

    async def send(request: Request, writer: _Writer) -> None:
        try:
            if acquire is not None:
                await acquire(request)
            try:
                response = await client.request(
                    request.method, request.path, cast("object", request.body), raw=True
                )
            except _LINE_ERRORS as error:
                writer.add(outcome(request, error))
            else:
                writer.add(outcome(request, response))
        finally:
            slots.release()

    # Plain buffered file I/O, a line at a time: an async file wrapper would cost a thread hop
    # per line for writes that never wait on more than the page cache.
    with Path(output).open("ab") as out, bar:  # noqa: ASYNC230
        writer = _Writer(out, bar, 0)
        bad_line: BulkInputError | None = None
        async with anyio.create_task_group() as tasks:
            try:
                for request in read_requests(requests):
                    if request.custom_id in done:
                        writer.skipped += 1
                        continue
                    await slots.acquire()
                    tasks.start_soon(send, request, writer)
            except BulkInputError as error:  # raised as itself once the requests sent are done
                bad_line = error
    if bad_line is not None:
        raise bad_line
    return writer.summary()
