"""The spec mock's Files and Batch APIs: uploaded batch files and batches, kept in memory.

A file uploaded with purpose `batch` is kept; a batch created from such a file moves one step
each time it is retrieved, `validating -> in_progress -> completed`, as a real one moves over
time. On reaching `completed` every line is answered by the mock itself (the caller's routes
first, then the spec), and the answers are written as the Batch API writes them: 2xx answers to
the output file, the rest to the error file, both downloadable. Cancelling moves a batch to
`cancelling`, then `cancelled`. Ids the store does not know (the spec's own examples, such as
`file-abc123`) fall through to the spec's documented answers.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import httpx
import orjson

from byot._codec import json_object
from byot._jsonl import parse_request, result_line

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

__all__ = ["BatchStore"]

_HANDLED = frozenset(
    {"createFile", "retrieveFile", "downloadFile", "deleteFile"}
    | {"createBatch", "retrieveBatch", "cancelBatch"}
)


def _json(document: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(
        status, content=orjson.dumps(document), headers={"content-type": "application/json"}
    )


class BatchStore:
    """Uploaded batch files and batches of one mock (thread-safe: a served mock is shared).

    Args:
        answer: Answers one batch line's request, as the mock answers a request.
    """

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        self._answer = answer
        self._lock = threading.RLock()  # a batch line may itself be a files or batches call
        self.files: dict[str, tuple[dict[str, Any], bytes]] = {}
        self.batches: dict[str, dict[str, Any]] = {}
        self._count = 0

    def _id(self, prefix: str) -> str:
        self._count += 1
        return f"{prefix}{self._count:06d}"

    def respond(
        self, operation_id: str, values: Mapping[str, str], body: Any
    ) -> httpx.Response | None:
        """The answer for a files or batches operation on the store's own objects, or None."""
        if operation_id not in _HANDLED:
            return None
        with self._lock:
            if operation_id == "createFile":
                return self._create_file(body)
            if operation_id == "createBatch":
                return self._create_batch(body)
            if "file_id" in values:
                return self._file(operation_id, values["file_id"])
            return self._batch(operation_id, values["batch_id"])

    # -- files ---------------------------------------------------------------------------

    def _create_file(self, form: Any) -> httpx.Response | None:
        fields = json_object(form) or {}
        if fields.get("purpose") != "batch":
            return None
        content = fields["file"]
        return _json(self._keep(content if isinstance(content, bytes) else b"", "batch"))

    def _keep(
        self, content: bytes, purpose: str, name: str = "batch_input.jsonl"
    ) -> dict[str, Any]:
        file_id = self._id("file-mock")
        meta = {
            "id": file_id,
            "object": "file",
            "bytes": len(content),
            "created_at": int(time.time()),
            "filename": name,
            "purpose": purpose,
            "status": "processed",
        }
        self.files[file_id] = (meta, content)
        return meta

    def _file(self, operation_id: str, file_id: str) -> httpx.Response | None:
        stored = self.files.get(file_id)
        if stored is None:
            return None
        meta, content = stored
        if operation_id == "downloadFile":
            return httpx.Response(
                200, content=content, headers={"content-type": "application/octet-stream"}
            )
        if operation_id == "deleteFile":
            del self.files[file_id]
            return _json({"id": file_id, "object": "file", "deleted": True})
        return _json(meta)

    # -- batches -------------------------------------------------------------------------

    def _create_batch(self, body: Any) -> httpx.Response | None:
        fields = json_object(body) or {}
        input_id = fields.get("input_file_id")
        if input_id not in self.files:
            return None
        batch_id = self._id("batch_mock")
        now = int(time.time())
        batch = {
            "id": batch_id,
            "object": "batch",
            "endpoint": fields.get("endpoint"),
            "errors": None,
            "input_file_id": input_id,
            "completion_window": fields.get("completion_window", "24h"),
            "status": "validating",
            "output_file_id": None,
            "error_file_id": None,
            "created_at": now,
            "expires_at": now + 86400,
            "request_counts": {"total": 0, "completed": 0, "failed": 0},
            "metadata": fields.get("metadata"),
        }
        self.batches[batch_id] = batch
        return _json(batch)

    def _batch(self, operation_id: str, batch_id: str) -> httpx.Response | None:
        batch = self.batches.get(batch_id)
        if batch is None:
            return None
        status = batch["status"]
        now = int(time.time())
        if operation_id == "cancelBatch":
            if status in ("validating", "in_progress"):
                batch.update(status="cancelling", cancelling_at=now)
        elif status == "validating":
            lines = self.files[batch["input_file_id"]][1].splitlines()
            batch["request_counts"]["total"] = sum(1 for line in lines if line.strip())
            batch.update(status="in_progress", in_progress_at=now)
        elif status == "in_progress":
            self._run(batch)
            batch.update(status="completed", finalizing_at=now, completed_at=now)
        elif status == "cancelling":
            batch.update(status="cancelled", cancelled_at=now)
        return _json(batch)

    def _run(self, batch: dict[str, Any]) -> None:
        """Answer every line through the mock; write the output and error files."""
        output, errors = bytearray(), bytearray()
        counts = batch["request_counts"]
        content = self.files[batch["input_file_id"]][1]
        for number, raw in enumerate(content.splitlines(), 1):
            if not raw.strip():
                continue
            request = parse_request(number, raw)
            if isinstance(request, str):
                line = result_line(
                    f"line-{number}",
                    number=number,
                    error={"code": "invalid_request", "message": request},
                )
            elif request.url != batch["endpoint"]:
                message = f"the line's url {request.url} is not the batch's {batch['endpoint']}"
                error = {"code": "invalid_url", "message": message}
                line = result_line(request.custom_id, number=number, error=error)
            else:
                response = self._answer(
                    httpx.Request(
                        request.method,
                        f"http://byot-mock{request.url}",
                        json=request.body,
                    )
                )
                body = response.read()
                line = result_line(
                    request.custom_id,
                    number=number,
                    status_code=response.status_code,
                    body=body if body.startswith((b"{", b"[")) else orjson.dumps(body.decode()),
                    request_id=response.headers.get("x-request-id"),
                )
                if response.status_code < 300:
                    output += line
                    counts["completed"] += 1
                    continue
            errors += line
            counts["failed"] += 1
        if output:
            batch["output_file_id"] = self._keep(bytes(output), "batch_output", "output.jsonl")[
                "id"
            ]
        if errors:
            batch["error_file_id"] = self._keep(bytes(errors), "batch_output", "errors.jsonl")["id"]
