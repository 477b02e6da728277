"""Bring your own type: attrs classes, built recursively like dataclasses.

pip install attrs
OPENAI_API_KEY=sk-... python examples/types_attrs.py
"""

from __future__ import annotations

import os

import attrs

import byot


@attrs.frozen
class Model:
    """One model the server offers."""

    id: str
    owned_by: str = "unknown"


@attrs.frozen
class ModelList:
    """The answer of `GET /models`."""

    data: list[Model]


def main() -> None:
    with byot.Client() as client:
        models = client.models.list(response_type=ModelList)
    for model in models.data:
        print(f"{model.id} ({model.owned_by})")
    wanted = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")
    print(f"{wanted} available: {any(model.id == wanted for model in models.data)}")


if __name__ == "__main__":
    main()
