"""The package as users get it: the bundled schemas found as package data, in a checkout and in
the wheel built from it, installed with a plain `pip install` (no extras) into a fresh venv.

The wheel test builds and installs (several seconds, mostly pip); it carries the `wheel` marker,
so a CI matrix runs it once (`-m "not wheel"` on the other interpreters).
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import importlib.util
import subprocess
import sys
import zipfile
from email.parser import Parser
from typing import TYPE_CHECKING

import pytest

from tests.schemas import ROOT, SCHEMAS

if TYPE_CHECKING:
    from pathlib import Path

BUNDLE = sorted(path.name for path in SCHEMAS.iterdir())

# Run by the installed interpreter, from an empty directory: the checkout is nowhere on its path.
USER_CODE = """
import sys

import byot
import byot.testing

assert "jsonschema" not in sys.modules, "import byot must not import jsonschema"
print(byot.__file__)

good = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
byot.validate(good, "CreateChatCompletionRequest")
bad = {"model": "gpt-4o-mini", "messages": [{"role": "usr", "content": "Hi"}]}
try:
    byot.validate(bad, "CreateChatCompletionRequest")
except byot.errors.SchemaValidationError as exc:
    print(exc.issues[0].path, exc.issues[0].message)

mock = byot.testing.SpecMock()
with byot.Client(api_key="sk-test", base_url="http://mock/v1", transport=mock) as client:
    completion = client.chat.completions.create(good)
print(completion["object"], mock.calls[0].operation_id)
"""


def test_the_checkout_finds_the_bundle_as_package_data() -> None:
    # An editable install imports byot from the checkout: byot/schemas links to schemas/.
    found = importlib.resources.files("byot") / "schemas" / "openai"
    assert sorted(entry.name for entry in found.iterdir()) == BUNDLE
    for name in BUNDLE:
        assert (found / name).read_bytes() == (SCHEMAS / name).read_bytes(), name


def test_the_classifiers_name_every_python_ci_tests() -> None:
    noxfile_spec = importlib.util.spec_from_file_location("noxfile", ROOT / "noxfile.py")
    assert noxfile_spec is not None
    assert noxfile_spec.loader is not None
    noxfile = importlib.util.module_from_spec(noxfile_spec)
    noxfile_spec.loader.exec_module(noxfile)
    metadata = importlib.metadata.metadata("byot-client")

    prefix = "Programming Language :: Python :: 3."
    classified = [
        c.removeprefix("Programming Language :: Python :: ")
        for c in metadata.get_all("Classifier") or []
        if c.startswith(prefix)
    ]
    assert tuple(classified) == noxfile.SUPPORTED
    assert metadata["Requires-Python"] == f">={noxfile.SUPPORTED[0]}"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build = ["wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)]
    subprocess.run([sys.executable, "-m", "pip", *build], check=True, timeout=300)  # noqa: S603
    (built,) = out.glob("*.whl")
    return built


@pytest.mark.wheel
def test_the_wheel_ships_the_bundle_and_needs_no_extra(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        for name in BUNDLE:
            assert archive.read(f"byot/schemas/openai/{name}") == (SCHEMAS / name).read_bytes()
        (metadata,) = (n for n in names if n.endswith(".dist-info/METADATA"))
        requires = Parser().parsestr(archive.read(metadata).decode()).get_all("Requires-Dist")
    assert not [name for name in names if name.startswith("schemas/")]
    assert any(r.startswith("jsonschema>=") for r in requires or [])  # not behind an extra


@pytest.mark.wheel
def test_the_installed_wheel_validates_and_mocks(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)  # noqa: S603
    python = venv / "bin" / "python"
    # The plain install users run: pip resolves the dependencies the wheel declares.
    subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", str(wheel)],
        check=True,
        timeout=600,
    )
    run = subprocess.run(  # noqa: S603 - the venv's interpreter, our own code
        [str(python), "-I", "-c", USER_CODE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )

    location, issue, answer = run.stdout.splitlines()
    assert location.startswith(str(venv))  # the installed copy, not the checkout's
    assert issue == "$.messages[0].role 'usr' is not a valid 'role'; expected one of " + (
        "['assistant', 'developer', 'function', 'system', 'tool', 'user']"
    )
    assert answer == "chat.completion createChatCompletion"
