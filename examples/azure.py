"""A chat completion on Azure OpenAI (the classic API: deployments and an api-version).

`byot.AzureConfig()` reads its settings from the environment, as the official SDK does:

    AZURE_OPENAI_ENDPOINT=https://my-resource.openai.azure.com \
    AZURE_OPENAI_API_KEY=... \
    OPENAI_API_VERSION=2024-10-21 \
    AZURE_OPENAI_DEPLOYMENT=gpt-4o-mini \
    python examples/azure.py

The request goes to `{endpoint}/openai/deployments/{deployment}/chat/completions` with
`?api-version=...` and the key in the `api-key` header. Without the settings the program
exits with a message saying what is missing.
"""

from __future__ import annotations

import os
import sys

import byot


def main() -> None:
    if not os.environ.get("AZURE_OPENAI_ENDPOINT"):
        sys.exit("azure.py: set AZURE_OPENAI_ENDPOINT (and AZURE_OPENAI_API_KEY) to run it")
    deployment = os.environ.get("AZURE_OPENAI_DEPLOYMENT", "gpt-4o-mini")
    try:
        config = byot.AzureConfig(deployment=deployment)
    except byot.errors.ConfigError as error:
        sys.exit(f"azure.py: {error}")
    with byot.Client(config=config) as client:
        chat = client.request(
            "POST",
            "/chat/completions",
            body={"messages": [{"role": "user", "content": "Say hello in one short sentence."}]},
        )
    print(chat["choices"][0]["message"]["content"])


if __name__ == "__main__":
    main()
