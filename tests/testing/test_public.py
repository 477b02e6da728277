"""`byot.testing`'s public surface, and what importing it costs."""

from __future__ import annotations

import inspect
import subprocess
import sys

import byot.testing


def test_all_is_sorted_complete_and_documented() -> None:
    names = byot.testing.__all__
    assert len(set(names)) == len(names)  # ruff (RUF022) keeps the order
    assert (byot.testing.__doc__ or "").strip()
    for name in names:
        value = getattr(byot.testing, name)
        doc = value.__doc__ if isinstance(value, type) else inspect.getdoc(value)
        assert (doc or "").strip(), name


def test_importing_it_needs_no_jsonschema_and_byot_does_not_import_it() -> None:
    code = (
        "import sys, byot; assert 'byot.testing' not in sys.modules; "
        "import byot.testing; "
        "assert not [m for m in sys.modules if m.startswith(('jsonschema', 'referencing'))]"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)  # noqa: S603
