"""Structured outputs from the Responses API into msgspec Structs.

`client.responses.parse` puts the schema in `text.format`; msgspec's own schema for the Struct
(constraints from `msgspec.Meta` included) is made strict and the answer decoded with msgspec.

    pip install msgspec
    OPENAI_API_KEY=sk-... python examples/structured_outputs_msgspec.py
"""

from __future__ import annotations

import os
from typing import Annotated

import msgspec

import byot

MODEL = os.environ.get("OPENAI_MODEL", "gpt-4o-mini")


class Ingredient(msgspec.Struct):
    """One ingredient."""

    name: str
    grams: Annotated[int, msgspec.Meta(ge=0, description="Weight in grams")]


class Recipe(msgspec.Struct):
    """A recipe."""

    title: str
    ingredients: list[Ingredient]
    minutes: int | None = None


def main() -> None:
    with byot.Client() as client:
        result = client.responses.parse(
            {"model": MODEL, "input": "A simple pancake recipe, please."}, Recipe
        )
    recipe = result.parsed
    print(f"{recipe.title}: " + ", ".join(f"{i.grams} g {i.name}" for i in recipe.ingredients))
    print(f"response {result.response['id']} ({result.response['status']})")


if __name__ == "__main__":
    main()
