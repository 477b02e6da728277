"""Fixtures of the telemetry tests: OpenTelemetry's SDK with in-memory span and metric readers.

`Otel` gives each test its own `TracerProvider` and `MeterProvider` (never the global ones),
a `byot.Telemetry` aimed at them, and readers for what the calls recorded. `server` is the
scriptable HTTP/1.1 server of the end-to-end suite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import byot
from tests.e2e.server import TestServer

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator


@dataclass
class Point:
    """One data point of a histogram: its attributes, count, sum and bucket boundaries."""

    attributes: dict[str, Any]
    count: int
    sum: float
    bounds: tuple[float, ...]


@dataclass
class Otel:
    exporter: InMemorySpanExporter = field(default_factory=InMemorySpanExporter)
    reader: InMemoryMetricReader = field(default_factory=InMemoryMetricReader)

    def __post_init__(self) -> None:
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def telemetry(self, **kwargs: Any) -> byot.Telemetry:
        return byot.Telemetry(
            tracer_provider=self.tracer_provider, meter_provider=self.meter_provider, **kwargs
        )

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def span(self) -> ReadableSpan:
        [span] = self.spans()
        return span

    def points(self, name: str) -> list[Point]:
        data = self.reader.get_metrics_data()
        found: list[Point] = []
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name == name:
                        found.extend(
                            Point(
                                dict(point.attributes or {}),
                                point.count,
                                point.sum,
                                tuple(point.explicit_bounds),
                            )
                            for point in metric.data.data_points  # type: ignore[union-attr]
                        )
        return found

    def close(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


@pytest.fixture
def otel() -> Iterator[Otel]:
    state = Otel()
    yield state
    state.close()


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as running:
        yield running


class Calls:
    """Clients of one kind (sync or async) for the server, their calls awaitable either way."""

    def __init__(self, mode: str, server: TestServer, otel: Otel) -> None:
        self.is_async = mode == "async"
        self.server = server
        self.otel = otel
        self.clients: list[Any] = []

    def client(self, telemetry: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("base_url", self.server.url + "/v1")
        kwargs.setdefault("api_key", "sk-test")
        kwargs.setdefault("timeout", byot.Timeout(10))
        kwargs.setdefault("retry", byot.RetryPolicy(sleep=False))
        kwargs["telemetry"] = self.otel.telemetry() if telemetry is None else telemetry
        client = (byot.AsyncClient if self.is_async else byot.Client)(**kwargs)
        self.clients.append(client)
        return client

    async def result(self, value: Any) -> Any:
        return await value if self.is_async else value

    async def drain(self, stream: Any, into: list[Any] | None = None) -> list[Any]:
        """Every item of a stream, read inside its context manager; `into` keeps them as they
        arrive, so a test still has them when the stream raises."""
        items = [] if into is None else into
        if self.is_async:
            async with stream:
                async for item in stream:
                    items.append(item)
        else:
            with stream:
                items.extend(stream)
        return items

    async def next(self, stream: Any) -> Any:
        return await stream.__anext__() if self.is_async else next(stream)

    async def close(self, stream: Any) -> None:
        await self.result(stream.aclose() if self.is_async else stream.close())

    async def close_clients(self) -> None:
        for client in self.clients:
            await self.result(client.aclose() if self.is_async else client.close())


@pytest.fixture(params=["sync", "async"])
async def calls(
    request: pytest.FixtureRequest, server: TestServer, otel: Otel
) -> AsyncIterator[Calls]:
    helper = Calls(request.param, server, otel)
    yield helper
    await helper.close_clients()
