"""OpenTelemetry traces and metrics of byot's calls, as the GenAI semantic conventions name them.

Needs `pip install 'byot-client[otel]' opentelemetry-sdk`. The spans go to the console here;
in production give the `TracerProvider` a `BatchSpanProcessor` with an OTLP exporter, or run
under `opentelemetry-instrument` and pass `telemetry=True` to use the global providers.

    OPENAI_API_KEY=sk-... python examples/telemetry.py
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import byot

if TYPE_CHECKING:
    from byot.types import CreateChatCompletionRequest

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


def main() -> None:
    spans = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
    metrics = InMemoryMetricReader()
    telemetry = byot.Telemetry(
        tracer_provider=tracer_provider,
        meter_provider=MeterProvider(metric_readers=[metrics]),
        capture_content=False,  # prompts and answers stay out of the spans
    )
    body: CreateChatCompletionRequest = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Say hi."}],
    }
    with byot.Client(telemetry=telemetry) as client:
        client.chat.completions.create(body)
        with client.chat.completions.create_stream(body) as stream:
            for _ in stream:
                pass
    for span in spans.get_finished_spans():
        attributes = span.attributes or {}
        print(
            f"{span.name}: {attributes.get('gen_ai.provider.name')}, "
            f"{attributes.get('gen_ai.usage.input_tokens')} in / "
            f"{attributes.get('gen_ai.usage.output_tokens')} out, "
            f"finish {attributes.get('gen_ai.response.finish_reasons')}"
        )
    data = metrics.get_metrics_data()
    names = sorted(
        {m.name for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics}
        if data
        else set()
    )
    print("metrics:", ", ".join(names))


if __name__ == "__main__":
    main()
