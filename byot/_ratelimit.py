"""What a response says about the caller's rate limits: `x-ratelimit-*` headers to `RateLimits`.

OpenAI (and Azure, Groq, Together, vLLM's router and others that copy it) send, per response:

```
x-ratelimit-limit-requests: 500        x-ratelimit-limit-tokens: 30000
x-ratelimit-remaining-requests: 499    x-ratelimit-remaining-tokens: 29977
x-ratelimit-reset-requests: 120ms      x-ratelimit-reset-tokens: 6m0s
```

and, on a 429, `retry-after` (seconds or an HTTP-date) or `retry-after-ms`. The resets are Go
durations (`1h2m3.5s`, `20ms`) or plain seconds. Parsing never raises: a value that cannot be
read is None, so a provider's odd header never breaks a call that succeeded.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from byot._retry import retry_after

if TYPE_CHECKING:
    from collections.abc import Mapping

# One Go duration part: a number and its unit ("ms" before "m", so "20ms" is not 20 minutes).
_PART = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(h|ms|m|s|us|µs|μs|ns)", re.ASCII)
_UNITS = {
    "h": 3600.0,
    "m": 60.0,
    "s": 1.0,
    "ms": 1e-3,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ns": 1e-9,
}
_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+", re.ASCII)
_INTEGER = re.compile(r"[0-9]{1,30}", re.ASCII)


def parse_duration(text: str | None) -> float | None:
    """Seconds in a reset header: a Go duration (`6m0s`, `20ms`, `1h2m3.5s`) or plain seconds.

    Returns None for anything else: empty, negative, an unknown unit, stray text.
    """
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    if _SECONDS.fullmatch(text):
        seconds = float(text)
    else:
        seconds = 0.0
        at = 0
        while at < len(text):
            part = _PART.match(text, at)
            if part is None:
                return None
            seconds += float(part[1]) * _UNITS[part[2]]
            at = part.end()
    return seconds if math.isfinite(seconds) else None


def _count(text: str | None) -> int | None:
    if text is None:
        return None
    text = text.strip()
    return int(text) if _INTEGER.fullmatch(text) else None


@dataclass(frozen=True)
class RateLimit:
    """One rate limit (requests or tokens) as a response reported it; None where it did not.

    Attributes:
        limit: The most allowed in the provider's window (`x-ratelimit-limit-*`).
        remaining: What is left of it now (`x-ratelimit-remaining-*`).
        reset: Seconds until it is fully restored (`x-ratelimit-reset-*`).
    """

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None


@dataclass(frozen=True)
class RateLimits:
    """The rate-limit state a response reported, for requests and for tokens.

    Read it from `response.rate_limits` (a `raw=True` result) or `stream.rate_limits`:

    ```python
    response = client.request("POST", "/chat/completions", body=body, raw=True)
    limits = response.rate_limits
    if limits.tokens.remaining is not None and limits.tokens.remaining < 1000:
        print(f"slow down: tokens come back in {limits.tokens.reset} s")
    ```

    Attributes:
        requests: The requests-per-window limit.
        tokens: The tokens-per-window limit.
        retry_after: Seconds the server asked to wait before the next request
            (`retry-after-ms`, else `retry-after`), usually only on a 429.
    """

    requests: RateLimit
    tokens: RateLimit
    retry_after: float | None = None


def _limit(headers: Mapping[str, str], kind: str) -> RateLimit:
    return RateLimit(
        limit=_count(headers.get(f"x-ratelimit-limit-{kind}")),
        remaining=_count(headers.get(f"x-ratelimit-remaining-{kind}")),
        reset=parse_duration(headers.get(f"x-ratelimit-reset-{kind}")),
    )


def rate_limits(headers: Mapping[str, str], now: float | None = None) -> RateLimits:
    """The rate-limit state in a response's headers.

    Args:
        headers: The response headers (httpx's, or any mapping; names in any case).
        now: The Unix time an HTTP-date `retry-after` is measured from (default: the clock).
    """
    # One pass over the headers into a small dict: nine lookups in httpx.Headers (each a scan
    # of every header) would cost twice as much.
    found = {name.lower(): value for name, value in headers.items() if name[:1] in "xXrR"}
    after = retry_after(found, now) if "retry-after" in found or "retry-after-ms" in found else None
    return RateLimits(
        requests=_limit(found, "requests"),
        tokens=_limit(found, "tokens"),
        retry_after=None if after is None else max(after, 0.0),
    )
