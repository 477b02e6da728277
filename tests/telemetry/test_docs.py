"""Every Python snippet of docs/observability.md runs, in order, in one namespace."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "observability.md"
SNIPPETS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_the_snippets_run_in_order(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.INFO, logger="byot")
    logger = logging.getLogger("byot")
    handlers, level = list(logger.handlers), logger.level
    monkeypatch.setenv("BYOT_LOG", "")  # the last snippet sets it: monkeypatch puts it back
    namespace: dict[str, object] = {}
    try:
        for number, snippet in enumerate(SNIPPETS, 1):
            exec(compile(snippet, f"{DOC.name} snippet {number}", "exec"), namespace)  # noqa: S102
    finally:
        logger.handlers[:] = handlers
        logger.setLevel(level)
    assert capsys.readouterr().out.splitlines() == [
        "chat gpt-4o-mini",
        "10",
        "gen_ai.client.operation.duration",
        "gen_ai.client.token.usage",
    ]
    assert [r.getMessage() for r in caplog.records if r.name == "byot"][:2] == [
        "request: GET http://mock/v1/models",
        "response: 200 (request_id=req_byot_mock_1)",
    ]
    assert len(SNIPPETS) == 3
