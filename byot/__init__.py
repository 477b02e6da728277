"""byot: a client for OpenAI and every OpenAI-compatible API that brings your own types.

Every call returns a plain `dict` by default, or the caller's own type (dataclass, TypedDict,
pydantic model, msgspec Struct, attrs class, or any decoder function).

```python
import byot

client = byot.Client()  # OPENAI_API_KEY from the environment
chat = client.request("POST", "/chat/completions", body={"model": "gpt-4o-mini", "messages": []})
```
"""

from typing import TYPE_CHECKING

from byot import errors
from byot._accumulate import accumulate_chat, accumulate_response
from byot._async_client import AsyncClient
from byot._client import Client
from byot._config import AzureConfig, AzureV1Config, OpenAIConfig
from byot._response import APIResponse, AsyncBinaryStream, AsyncStream, BinaryStream, Stream
from byot._retry import RetryEvent, RetryPolicy
from byot._signatures import EventHooks, RequestOptions
from byot._timeout import Timeout
from byot._validation import Validation, is_valid, register_schema, validate
from byot._version import __version__
from byot.protocols import Config

if TYPE_CHECKING:
    from byot import webhooks
    from byot._json_schema import json_schema
    from byot._limiter import RateLimiter
    from byot._ratelimit import RateLimit, RateLimits
    from byot._structured import (
        AsyncParsedStream,
        Parsed,
        ParsedStream,
        response_format,
        text_format,
    )
    from byot._telemetry import Telemetry
    from byot._toolbox import Toolbox, ToolRun
    from byot._tools import Tool, ToolCall, tool, tool_calls

# Structured outputs, tools, webhooks, telemetry and the rate limiter load on first use
# (PEP 562), so `import byot` pays nothing for them; `client.chat` loads the first when its
# namespace does.
_LAZY = {
    "webhooks": "byot.webhooks",  # the submodule itself
    "json_schema": "byot._json_schema",
    "Telemetry": "byot._telemetry",
    "RateLimiter": "byot._limiter",
    **dict.fromkeys(("RateLimit", "RateLimits"), "byot._ratelimit"),
    **dict.fromkeys(
        ("AsyncParsedStream", "Parsed", "ParsedStream", "response_format", "text_format"),
        "byot._structured",
    ),
    **dict.fromkeys(("Toolbox", "ToolRun"), "byot._toolbox"),
    **dict.fromkeys(("Tool", "ToolCall", "tool", "tool_calls"), "byot._tools"),
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'byot' has no attribute {name!r}")
    import importlib

    loaded = importlib.import_module(module)
    value = loaded if module == f"byot.{name}" else getattr(loaded, name)
    globals()[name] = value  # the next lookup finds it without this function
    return value


__all__ = [
    "APIResponse",
    "AsyncBinaryStream",
    "AsyncClient",
    "AsyncParsedStream",
    "AsyncStream",
    "AzureConfig",
    "AzureV1Config",
    "BinaryStream",
    "Client",
    "Config",
    "EventHooks",
    "OpenAIConfig",
    "Parsed",
    "ParsedStream",
    "RateLimit",
    "RateLimiter",
    "RateLimits",
    "RequestOptions",
    "RetryEvent",
    "RetryPolicy",
    "Stream",
    "Telemetry",
    "Timeout",
    "Tool",
    "ToolCall",
    "ToolRun",
    "Toolbox",
    "Validation",
    "__version__",
    "accumulate_chat",
    "accumulate_response",
    "errors",
    "is_valid",
    "json_schema",
    "register_schema",
    "response_format",
    "text_format",
    "tool",
    "tool_calls",
    "validate",
    "webhooks",
]
