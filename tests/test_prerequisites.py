"""A test whose prerequisite is missing skips on a developer's machine and fails under CI=true."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import unavailable
from tests.schemas import ROOT

# A test marked `needs_spec`; it never opens the spec itself when the mark stops it.
SPEC_TEST = "tests/schemas/test_gen_schemas.py::test_writes_the_committed_files"


@pytest.mark.parametrize("ci", ["", "false", "0"])
def test_skips_outside_ci(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.skip.Exception, match=r"^steady is not installed$"):
        unavailable("steady is not installed")


@pytest.mark.parametrize("ci", ["true", "TRUE", "1"])
def test_fails_under_ci(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match=r"^steady is not installed \(CI=true: "):
        unavailable("steady is not installed")


def _run_spec_test(ci: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CI": ci, "BYOT_SPEC": str(ROOT / "no-such-spec.json")}
    return subprocess.run(  # noqa: S603 - our own interpreter and test
        [sys.executable, "-m", "pytest", "-q", "-rfEs", "-p", "no:cacheprovider", SPEC_TEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("ci", "status", "outcome"), [("", 0, "1 skipped"), ("true", 1, "1 error")]
)
def test_a_marked_test_without_the_spec(ci: str, status: int, outcome: str) -> None:
    result = _run_spec_test(ci)

    assert result.returncode == status, result.stdout
    assert outcome in result.stdout.splitlines()[-1]
    assert "the pinned OpenAPI spec is missing at" in result.stdout
    assert "no-such-spec.json (set BYOT_SPEC)" in result.stdout
