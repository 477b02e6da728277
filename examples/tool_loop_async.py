"""The tool loop on the Responses API with an AsyncClient: async tools run concurrently.

OPENAI_API_KEY=sk-... python examples/tool_loop_async.py
"""

from __future__ import annotations

import asyncio
import os

import byot

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


async def get_exchange_rate(base: str, quote: str) -> float:
    """How many units of `quote` one unit of `base` buys.

    Args:
        base: A currency code, e.g. EUR.
        quote: A currency code, e.g. JPY.
    """
    rates = {("EUR", "JPY"): 161.5}  # a real one awaits a service
    return rates.get((base.upper(), quote.upper()), 161.5)


async def main() -> None:
    toolbox = byot.Toolbox(get_exchange_rate)
    body = {"model": MODEL, "input": "How many yen for 20 euros?", "tool_choice": "required"}
    async with byot.AsyncClient() as client:
        run = await toolbox.arun_responses(client, body)
    for item in run.transcript:
        if item.get("type") == "function_call":
            print(f"called {item['name']}({item['arguments']})")
        if item.get("type") == "function_call_output":
            print(f"  -> {item['output']}")
    print(f"{run.response['status']} after {run.turns} turns")


if __name__ == "__main__":
    asyncio.run(main())
