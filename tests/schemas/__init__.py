"""Tests for the bundled schemas (``schemas/openai``) and their generator.

Shared helpers live here: where things are, loading the generated files once, and importing the
generator script (``tools/`` is not a package).
"""

from __future__ import annotations

import functools
import importlib.util
import json  # noqa: TID251 -- reading generated files in tests; byot's codec is not the subject
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.conftest import needs

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "tools" / "gen_schemas.py"
SCHEMAS = ROOT / "schemas" / "openai"
# The pinned spec, as the generators find it: $BYOT_SPEC, else ../shared next to the checkout.
SPEC = Path(os.environ.get("BYOT_SPEC") or ROOT.parent / "shared/spec/openai-openapi/openapi.json")
needs_spec = needs(SPEC.is_file(), f"the pinned OpenAPI spec is missing at {SPEC} (set BYOT_SPEC)")


@functools.cache
def load(name: str) -> Any:
    """One generated file, parsed once per test session."""
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


@functools.cache
def spec() -> Any:
    """The pinned OpenAPI spec the schemas were generated from."""
    return json.loads(SPEC.read_text(encoding="utf-8"))


@functools.cache
def generator() -> ModuleType:
    """``tools/gen_schemas.py`` imported as a module."""
    module_spec = importlib.util.spec_from_file_location("gen_schemas", GENERATOR)
    assert module_spec is not None
    assert module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module
