"""The pytest plugin: its fixtures, `assert_valid`, and tracebacks without tenacity's frames.

The end-to-end tests run pytest in a subprocess on a test file as a user writes it, with the
plugin loaded from byot's `pytest11` entry point; the hook is also driven in process, on a
real failure, so that what it prunes is checked frame by frame.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest

import byot
from byot.testing import NO_WAIT, Reply, Router, SpecMock, assert_valid
from byot.testing import pytest_plugin as plugin

if TYPE_CHECKING:
    from pathlib import Path

BAD_CHAT = {"model": 5, "messages": [{"role": "usr", "content": "x"}], "temperature": "hot"}


def run_pytest(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run pytest on one test file, as a user's project would (only the entry point loads byot)."""
    (tmp_path / "test_user.py").write_text(textwrap.dedent(source))
    return subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args, "test_user.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_fixtures_in_a_user_s_test_run(tmp_path: Path) -> None:
    done = run_pytest(
        tmp_path,
        """
        import asyncio

        import byot
        from byot.testing import Reply, SpecMock


        def test_spec_answers(byot_client, byot_mock):
            chat = byot_client.chat.completions.create(
                {"model": "m", "messages": [{"role": "user", "content": "Hi"}]}
            )
            assert chat["model"] == "m"
            assert byot_mock.calls[0].operation_id == "createChatCompletion"
            assert isinstance(byot_mock, SpecMock)


        def test_routes_first(byot_router, byot_client, byot_async_client):
            byot_router.get("/models", json={"object": "list", "data": []})
            assert byot_client.models.list()["data"] == []
            assert isinstance(byot_async_client, byot.AsyncClient)
            listed = asyncio.run(byot_async_client.models.list())
            assert listed["data"] == []
            assert byot_client.models.retrieve("x")["id"] == "x"  # no route: the spec


        def test_retries_do_not_sleep(byot_router, byot_client):
            byot_router.get("/models", responses=[Reply(503), Reply(json={"data": []})])
            assert byot_client.models.list(raw=True).retries_taken == 1
        """,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


def test_a_retried_failure_s_traceback_skips_tenacity(tmp_path: Path) -> None:
    source = """
        def test_fails(byot_router, byot_client):
            byot_router.get("/models", status=500, json={"error": {"message": "down"}})
            byot_client.models.list()  # the line the report must point at
        """
    done = run_pytest(tmp_path, source)
    full = run_pytest(tmp_path, source, "--full-trace")

    assert done.returncode == 1
    assert "byot.errors.InternalServerError" in done.stdout
    assert "byot_client.models.list()  # the line the report must point at" in done.stdout
    for hidden in ("tenacity", "concurrent/futures"):
        assert hidden not in done.stdout
        assert hidden in full.stdout  # what the plugin took out


def test_assert_valid_fails_at_the_caller_with_one_issue_per_line(tmp_path: Path) -> None:
    done = run_pytest(
        tmp_path,
        f"""
        from byot.testing import assert_valid


        def test_body():
            assert_valid({BAD_CHAT!r}, "CreateChatCompletionRequest")
        """,
    )
    assert done.returncode == 1
    assert "_assertions.py" not in done.stdout  # the frame inside byot is hidden
    assert 'assert_valid({"model": 5' in done.stdout or "assert_valid({'model': 5" in done.stdout
    head = "E       AssertionError: the value does not fit CreateChatCompletionRequest (3 issues):"
    assert head in done.stdout
    assert "\nE         $.model: 5 is not valid" in done.stdout
    assert "\nE         $.temperature: 'hot' is not of type" in done.stdout


def test_assert_valid() -> None:
    assert_valid({"model": "gpt-4o-mini", "input": "Hi"}, "CreateResponse")
    with pytest.raises(AssertionError) as caught:
        assert_valid(BAD_CHAT, "createChatCompletion", direction="request")
    head, *lines = str(caught.value).split("\n")
    assert head == "the value does not fit createChatCompletion (3 issues):"
    assert sorted(line.split(":")[0] for line in lines) == [
        "  $.messages[0].role",
        "  $.model",
        "  $.temperature",
    ]
    with pytest.raises(AssertionError, match=r"\(1 issue\):\n  \$\.temperature: 'x' is not"):
        assert_valid({"temperature": "x"}, "CreateResponse")
    with pytest.raises(ValueError, match="NoSuchSchema"):
        assert_valid({}, "NoSuchSchema")


def _retried_failure() -> None:
    router = Router()
    router.get("/models", responses=[Reply(503), Reply(502), Reply(500)])
    with byot.Client(
        base_url="http://m/v1", api_key="k", transport=SpecMock(routes=router), retry=NO_WAIT
    ) as client:
        try:
            client.models.list()
        except byot.errors.InternalServerError as error:
            raise RuntimeError("the models are down") from error


def _files(tb: Any) -> list[str]:
    found: list[str] = []
    while tb is not None:
        found.append(tb.tb_frame.f_code.co_filename)
        tb = tb.tb_next
    return found


def _hidden(files: list[str]) -> list[str]:
    return [f for f in files if "tenacity" in f or "concurrent" in f]


@pytest.mark.parametrize("full_trace", [False, True])
def test_the_hook_prunes_the_whole_chain_unless_asked_not_to(full_trace: bool) -> None:
    call = pytest.CallInfo.from_call(_retried_failure, "call")
    assert call.excinfo is not None
    cause = call.excinfo.value.__cause__
    assert cause is not None
    assert _hidden(_files(cause.__traceback__))  # the retried error came through tenacity
    item = SimpleNamespace(config=SimpleNamespace(getoption=lambda *_: full_trace))

    hook = plugin.pytest_runtest_makereport(item, call)  # type: ignore[arg-type]
    next(hook)
    with pytest.raises(StopIteration):
        next(hook)

    files = _files(cause.__traceback__)
    assert bool(_hidden(files)) is full_trace
    assert files[-1].endswith(("_status.py", "_prepared.py"))  # where byot raised it
    assert bool(_hidden([str(e.path) for e in call.excinfo.traceback])) is False
    assert __file__ in _files(call.excinfo.value.__traceback__)


def test_a_traceback_of_hidden_frames_only_is_left_as_it_is() -> None:
    code = compile("raise KeyError('x')", "/x/concurrent/futures/_base.py", "exec")
    with pytest.raises(KeyError) as caught:
        exec(code, {})  # noqa: S102 - a frame whose file is concurrent.futures'
    tb = caught.value.__traceback__
    assert tb is not None
    assert tb.tb_next is not None
    hidden_only = tb.tb_next
    assert plugin._pruned(hidden_only) is None
    error = KeyError("y").with_traceback(hidden_only)
    plugin._prune_chain(error)
    assert error.__traceback__ is hidden_only
