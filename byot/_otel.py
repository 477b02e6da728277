"""The OpenTelemetry side of `byot.Telemetry`: one span and its metrics per call.

Imported only when a client is built with telemetry on (it imports `opentelemetry`, the
`[otel]` extra). The attributes come from `byot._telemetry`; this module starts and ends the
spans, records the metrics, and is the stream's watcher that ends a streamed call's span
when its stream ends.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from opentelemetry import context, metrics, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from byot import _telemetry as t
from byot._version import __version__
from byot.errors import APIStatusError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from contextvars import Token

    import httpx
    from opentelemetry.context import Context

    from byot._pool import PoolResponse
    from byot._prepared import Prepared
    from byot._telemetry import Attributes, Telemetry

_SCOPE = "byot"


class Tracing:
    """A client's tracer, meter and instruments, made once when the client is built."""

    def __init__(self, options: Telemetry, base_url: str) -> None:
        self.capture_content = options.capture_content
        self.provider = t.provider_name(base_url, options.provider_name)
        self.tracer = trace.get_tracer(_SCOPE, __version__, tracer_provider=options.tracer_provider)
        meter = metrics.get_meter(_SCOPE, __version__, meter_provider=options.meter_provider)
        self.duration = meter.create_histogram(
            t.DURATION_METRIC,
            unit="s",
            description="GenAI operation duration.",
            explicit_bucket_boundaries_advisory=t.DURATION_BUCKETS,
        )
        self.tokens = meter.create_histogram(
            t.USAGE_METRIC,
            unit="{token}",
            description="Number of input and output tokens used.",
            explicit_bucket_boundaries_advisory=t.USAGE_BUCKETS,
        )
        self.first_chunk = meter.create_histogram(
            t.FIRST_CHUNK_METRIC,
            unit="s",
            description="Time to receive the first chunk of a streamed response.",
            explicit_bucket_boundaries_advisory=t.DURATION_BUCKETS,
        )

    def call(self, prepared: Prepared) -> Call:
        """Start the span of one call; it is current until the call returns or opens a stream."""
        attributes: Attributes = {
            t.OPERATION: t.operation_name(prepared.operation, prepared.url.path),
            t.PROVIDER: self.provider,
            **t.server(prepared.url),
            **t.request_attributes(prepared.content, capture_content=self.capture_content),
        }
        return Call(self, attributes)

    def session(self, url: str) -> Session:
        """Start the span of a Realtime session, as its handshake begins."""
        return Session(self, {**t.realtime_session(url), t.PROVIDER: self.provider})


class Call:
    """One call's span: attempts become events, the answer becomes attributes and metrics.

    The drivers call `attempt` / `attempt_failed` around each attempt, then `finished` or
    `failed`; a stream's call becomes its watcher (`streaming`), which sees each batch of
    events (`events`) and ends the span when the stream ends (`end`).
    """

    __slots__ = (
        "_error",
        "_first_chunk",
        "_start",
        "_state",
        "_token",
        "attempts",
        "attributes",
        "ended",
        "span",
        "tracing",
    )

    def __init__(self, tracing: Tracing, attributes: Attributes) -> None:
        self.tracing = tracing
        self.attributes = attributes
        self._start = time.perf_counter()
        self.span = tracing.tracer.start_span(
            t.span_name(attributes), kind=SpanKind.CLIENT, attributes=attributes
        )
        # Current while the call runs, so spans started under it (httpx's) are its children.
        self._token: Token[Context] = context.attach(trace.set_span_in_context(self.span))
        self.attempts = 0
        self.ended = False
        self._error: BaseException | None = None
        self._first_chunk: float | None = None
        self._state: t.StreamState | None = None

    def attempt(self) -> None:
        """An attempt starts: after the first, a `retry` event says why the last one failed."""
        self.attempts += 1
        error = self._error
        if error is not None:
            event: Attributes = {"byot.attempt": self.attempts, t.ERROR_TYPE: t.error_type(error)}
            if isinstance(error, APIStatusError):
                event[t.STATUS_CODE] = error.status_code
            self.span.add_event("retry", event)

    def attempt_failed(self, error: BaseException) -> None:
        """An attempt failed (the retry policy decides whether another follows)."""
        self._error = error

    def finished(self, response: httpx.Response | PoolResponse, content: bytes | None) -> None:
        """The call returned: the response's attributes from its JSON body (when read)."""
        attributes = {t.STATUS_CODE: response.status_code}
        if content is not None:
            attributes.update(
                t.response_attributes(content, capture_content=self.tracing.capture_content)
            )
        self._detach()
        self._end(attributes, None)

    def failed(self, error: BaseException) -> None:
        """The call raised `error` (its last attempt's, or its own)."""
        self._detach()
        attributes: Attributes = {}
        if isinstance(error, APIStatusError):
            attributes[t.STATUS_CODE] = error.status_code
        self._end(attributes, error)

    def streaming(self, response: httpx.Response) -> Call:
        """The stream opened: this call now watches it, and ends with it."""
        self._detach()
        self.span.set_attribute(t.STATUS_CODE, response.status_code)
        self._state = t.StreamState(capture_content=self.tracing.capture_content)
        return self

    def events(self, events: Iterable[Any]) -> None:
        """One read's events (`Event`s, or bare data bytes): the first marks the first chunk."""
        state = self._state
        assert state is not None  # noqa: S101 - only a streaming call watches events
        for event in events:
            if self._first_chunk is None:
                self._first_chunk = time.perf_counter() - self._start
            state.feed(event if isinstance(event, bytes) else event.data)

    def end(self, error: BaseException | None) -> None:
        """The stream ended: read whole, closed by the caller, or cut off by `error`."""
        state = self._state
        assert state is not None  # noqa: S101 - only a streaming call is ended so
        if isinstance(error, GeneratorExit):  # the caller stopped reading: no failure
            error = None
        self._end(state.result(), error)

    def _detach(self) -> None:
        # Once, in the context that attached it: `finished`, `failed` and `streaming` each
        # come once per call, before the stream (if any) is handed to the caller.
        context.detach(self._token)

    def _end(self, attributes: Attributes, error: BaseException | None) -> None:
        if self.ended:
            return
        self.ended = True
        elapsed = time.perf_counter() - self._start
        if self.attempts > 1:
            attributes[t.RESEND_COUNT] = self.attempts - 1
        first_chunk = self._first_chunk
        if first_chunk is not None:
            attributes[t.TIME_TO_FIRST_CHUNK] = first_chunk
        span = self.span
        if error is not None:
            attributes[t.ERROR_TYPE] = t.error_type(error)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.set_attributes(attributes)
        span.end()
        merged = {**self.attributes, **attributes}
        common = {key: merged[key] for key in t.METRIC_KEYS if key in merged}
        tracing = self.tracing
        if error is None:
            tracing.duration.record(elapsed, common)
        else:
            tracing.duration.record(elapsed, {**common, t.ERROR_TYPE: attributes[t.ERROR_TYPE]})
        for key, kind in ((t.INPUT_TOKENS, "input"), (t.OUTPUT_TOKENS, "output")):
            count = attributes.get(key)
            if count is not None:
                tracing.tokens.record(count, {**common, t.USAGE_KIND: kind})
        if first_chunk is not None:
            tracing.first_chunk.record(first_chunk, common)


class Session:
    """A Realtime session's span: from the handshake to the close.

    Each `response.done` becomes an event of the span (the response's id, status and usage)
    and a record of the token metric; the span carries the session's total usage and the
    session's duration goes to the duration metric. It is never made current: a session
    outlives the code that opened it.
    """

    __slots__ = (
        "_start",
        "attributes",
        "ended",
        "input_tokens",
        "output_tokens",
        "span",
        "tracing",
    )

    def __init__(self, tracing: Tracing, attributes: Attributes) -> None:
        self.tracing = tracing
        self.attributes = attributes
        self._start = time.perf_counter()
        self.span = tracing.tracer.start_span(
            t.span_name(attributes), kind=SpanKind.CLIENT, attributes=attributes
        )
        self.input_tokens = self.output_tokens = 0
        self.ended = False

    def received(self, kind: str, event: dict[str, Any]) -> None:
        """A server event arrived: a finished response is recorded."""
        if kind != "response.done":
            return
        attributes = t.realtime_response(event)
        self.span.add_event("response.done", attributes)
        common = {key: self.attributes[key] for key in t.METRIC_KEYS if key in self.attributes}
        for key, kind_name in ((t.INPUT_TOKENS, "input"), (t.OUTPUT_TOKENS, "output")):
            count = attributes.get(key)
            if count is not None:
                self.tracing.tokens.record(count, {**common, t.USAGE_KIND: kind_name})
        self.input_tokens += attributes.get(t.INPUT_TOKENS, 0)
        self.output_tokens += attributes.get(t.OUTPUT_TOKENS, 0)

    def end(self, error: BaseException | None, close_code: int | None) -> None:
        """The session ended: its handshake failed with `error`, or it closed with a code.

        A close code other than 1000 (normal) is the session's `error.type`.
        """
        if self.ended:
            return
        self.ended = True
        attributes: Attributes = {
            t.INPUT_TOKENS: self.input_tokens,
            t.OUTPUT_TOKENS: self.output_tokens,
        }
        common = {key: self.attributes[key] for key in t.METRIC_KEYS if key in self.attributes}
        if error is not None:
            attributes[t.ERROR_TYPE] = t.error_type(error)
        elif close_code not in (None, 1000):
            attributes[t.ERROR_TYPE] = str(close_code)
        if t.ERROR_TYPE in attributes:
            common[t.ERROR_TYPE] = attributes[t.ERROR_TYPE]
            self.span.set_status(Status(StatusCode.ERROR, str(attributes[t.ERROR_TYPE])))
        self.span.set_attributes(attributes)
        self.span.end()
        self.tracing.duration.record(time.perf_counter() - self._start, common)
