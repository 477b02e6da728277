"""CI's sessions (`.ci/run` runs them all): the gate on the main Python, the suite on the others.

* `gate`: `scripts/check` in the project's `.venv` (the main Python): ruff, every generator's
  `--check`, mypy, pyright, and the whole suite with 100 % coverage, the fuzzers' heavy `ci`
  profile and the wheel test.
* `tests-3.X`: every other supported CPython found on the machine, each in a venv of its own
  with the `dev` extra (which must install there), runs the suite: the fuzzers at their quick
  `dev` profile, no wheel build. A version that is not installed is reported as skipped.

Two sessions run at a time (the gate alongside the other versions, one after another), so the
whole run takes about as long as the gate. `nox -s tests-3.12` runs one session; arguments after
`--` go to pytest.
"""

from __future__ import annotations

import sys

import nox

# Every CPython the package supports and CI tests; the wheel's classifiers list the same ones
# (tests/test_wheel.py checks).
SUPPORTED = ("3.10", "3.11", "3.12", "3.13")
MAIN = f"{sys.version_info.major}.{sys.version_info.minor}"  # nox runs in the project's .venv

nox.options.default_venv_backend = "uv|venv"  # uv installs the dev extra in seconds
nox.options.error_on_missing_interpreters = False  # "every version found on the machine"
nox.options.parallel = 2


@nox.session(venv_backend="none", allow_parallel=True)
def gate(session: nox.Session) -> None:
    """Every check on the main Python, in the project's `.venv`: `scripts/check`."""
    session.run("scripts/check", *session.posargs, external=True)


@nox.session(python=[v for v in SUPPORTED if v != MAIN], allow_parallel=True)
def tests(session: nox.Session) -> None:
    """The test suite on one more CPython, in its own venv."""
    session.install("-e", ".[dev]")
    session.run(
        *("python", "-m", "pytest", "-q", "-p", "no:cacheprovider"),
        *("-m", "not live and not soak and not wheel"),
        *session.posargs,
        env={"HYPOTHESIS_PROFILE": "dev"},
    )
