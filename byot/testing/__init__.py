"""Tools for testing code that talks to OpenAI-compatible APIs through byot.

* `SpecMock`: an httpx transport answering every operation of the OpenAI spec with its
  documented example (event streams and bytes included), checking each request body against
  the spec first.
* `Router`: hand-written answers per route (`Reply`, sequences for retries, handlers).
* `sse_frames`, `sse_event`, `sse_comment`: event-stream bytes from Python values.
* `NO_WAIT`: a retry policy that decides as usual but never sleeps.
* `assert_valid`: a schema check failing a test with every issue, one per line.
* A pytest plugin (`byot.testing.pytest_plugin`, loaded by pytest by itself): fixtures
  `byot_router`, `byot_mock`, `byot_client`, `byot_async_client`, and tracebacks without
  tenacity's frames.
* `serve()` and `python -m byot.testing`: the mock over real sockets.
* `RealtimeServer`: a fake Realtime API over real WebSockets (the `[realtime]` extra),
  answering from the spec's documented events; `realtime_examples()` gives those events.

See docs/testing.md for a guided tour.
"""

from byot._retry import RetryPolicy
from byot.testing._assertions import assert_valid
from byot.testing._frames import SSE_DONE, sse_comment, sse_event, sse_frames
from byot.testing._mock import SpecMock
from byot.testing._realtime import RealtimeServer, realtime_examples
from byot.testing._routes import Call, Reply, Route, Router
from byot.testing._server import main, serve

NO_WAIT = RetryPolicy(sleep=False)
"""Retries decided as usual (same statuses, same attempts) without sleeping between them.

`byot.Client(transport=..., retry=NO_WAIT)` keeps retry tests instant; `on_retry` hooks still
hear the delay that would have been waited.
"""

__all__ = [
    "NO_WAIT",
    "SSE_DONE",
    "Call",
    "RealtimeServer",
    "Reply",
    "Route",
    "Router",
    "SpecMock",
    "assert_valid",
    "main",
    "realtime_examples",
    "serve",
    "sse_comment",
    "sse_event",
    "sse_frames",
]
