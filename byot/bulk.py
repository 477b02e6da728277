"""Bulk work from one JSONL file: locally in parallel, or on the provider's Batch API.

Both paths take the Batch API's input file (`{"custom_id", "method", "url", "body"}` per line)
and write its output format (`{"custom_id", "response": {"status_code", "body"}, "error"}`),
so switching between them changes one call and the same reader decodes either result file
into your type by `custom_id`. See docs/bulk.md for which path to take when.

```python
import byot
from byot import bulk

bulk.write_requests("requests.jsonl", [("q1", {"model": "gpt-4o-mini", "messages": []})])
bulk.check_requests("requests.jsonl")  # every problem, with line numbers, nothing sent
with byot.Client() as client:
    bulk.run(client, "requests.jsonl", "results.jsonl", concurrency=64)  # now, in parallel
results = bulk.results_by_id("results.jsonl")
```
"""

from byot._batch_jobs import MAX_BYTES, MAX_LINES, cancel, fetch, submit, wait
from byot._jsonl import (
    Request,
    Result,
    check_requests,
    read_requests,
    read_results,
    request_line,
    results_by_id,
    write_requests,
)
from byot._runner import Summary, arun, run

__all__ = [
    "MAX_BYTES",
    "MAX_LINES",
    "Request",
    "Result",
    "Summary",
    "arun",
    "cancel",
    "check_requests",
    "fetch",
    "read_requests",
    "read_results",
    "request_line",
    "results_by_id",
    "run",
    "submit",
    "wait",
    "write_requests",
]
