"""List the models a server offers and look one up.

OPENAI_API_KEY=sk-... python examples/models.py
OPENAI_BASE_URL=http://localhost:11434/v1 python examples/models.py   # Ollama's models
"""

from __future__ import annotations

import byot


def main() -> None:
    with byot.Client() as client:
        models = client.models.list()["data"]
        for model in models:
            print(f"{model['id']:<30} owned by {model.get('owned_by', '?')}")
        if models:
            first = client.models.retrieve(models[0]["id"])
            print(f"retrieved {first['id']} (created {first.get('created')})")


if __name__ == "__main__":
    main()
