"""tools/gen_resources.py: hand-written base classes (`MIXINS`) and the one-line facades.

`MIXINS` is empty until a namespace needs one, so the generator is run here on the chat
operations with a table of the test's own: the generated namespace must inherit the base class,
which reaches the client as `self._client` next to the generated methods.
"""

from __future__ import annotations

import asyncio
import importlib.util
import re
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

import byot
from byot.resources._endpoints import ENDPOINTS

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://api.test/v1"
TABLE = {"chat.completions": ("byot._test_mixins", "Extra", "AsyncExtra")}


def load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("gen_resources", ROOT / "tools/gen_resources.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = load_generator()
OPERATIONS = orjson.loads(GEN.OPERATIONS.read_bytes())["operations"]
CHAT = [
    GEN.Method(op_id, op)
    for op_id, op in sorted(OPERATIONS.items())
    if op["path"].startswith("/chat/completions")
]


class Extra:
    """A hand-written base class: one method of its own, over the client's dispatcher."""

    _client: Any

    def model_of(self, completion_id: str) -> str:
        answer = self._client._call(
            ENDPOINTS["getChatCompletion"],
            None,
            {"completion_id": completion_id},
            {},
            None,
            None,
            None,
            False,
            {},
        )
        return str(answer["model"])


class AsyncExtra:
    """The same for the async namespace."""

    _client: Any

    async def model_of(self, completion_id: str) -> str:
        answer = await self._client._call(
            ENDPOINTS["getChatCompletion"],
            None,
            {"completion_id": completion_id},
            {},
            None,
            None,
            None,
            False,
            {},
        )
        return str(answer["model"])


def respond(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"model": "m-" + request.url.path.rsplit("/", 1)[-1]})


def compiled(source: str, monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    mixins = types.ModuleType("byot._test_mixins")
    mixins.Extra = Extra  # type: ignore[attr-defined]
    mixins.AsyncExtra = AsyncExtra  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "byot._test_mixins", mixins)
    module = types.ModuleType("generated_chat")
    exec(compile(source, "generated_chat.py", "exec"), module.__dict__)  # noqa: S102
    return module


def test_a_mixin_is_a_base_class_of_its_sync_namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    source = GEN.facade(CHAT, is_async=False, mixins=TABLE)
    assert "\nfrom byot._test_mixins import Extra\n" in source
    assert "\nclass ChatCompletions(Extra):\n" in source
    module = compiled(source, monkeypatch)

    client = byot.Client(base_url=BASE, api_key="k", transport=httpx.MockTransport(respond))
    completions = module.Chat(client).completions
    assert isinstance(completions, Extra)
    assert completions.model_of("abc") == "m-abc"  # the mixin's own method
    assert completions.retrieve("xyz") == {"model": "m-xyz"}  # the generated ones stay


def test_a_mixin_is_a_base_class_of_its_async_namespace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = GEN.facade(CHAT, is_async=True, mixins=TABLE)
    assert "\nclass AsyncChatCompletions(AsyncExtra):\n" in source
    module = compiled(source, monkeypatch)

    async def main() -> tuple[str, Any]:
        transport = httpx.MockTransport(respond)
        async with byot.AsyncClient(base_url=BASE, api_key="k", transport=transport) as client:
            completions = module.AsyncChat(client).completions
            return await completions.model_of("abc"), await completions.retrieve("xyz")

    assert asyncio.run(main()) == ("m-abc", {"model": "m-xyz"})


def test_without_mixins_the_namespaces_have_no_base_class() -> None:
    source = GEN.facade(CHAT, is_async=False, mixins={})
    assert "\nclass ChatCompletions:\n" in source
    assert "byot._test_mixins" not in source


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"chat.complete": ("m", "A", "B")}, "no namespace 'chat.complete'"),
        ({"chat": ("m", "A", "B"), "chat.completions": ("n", "A", "C")}, "used twice"),
        ({"chat": ("m", "ChatCompletions", "B")}, "used twice"),
    ],
)
def test_a_wrong_mixin_table_stops_the_generator(
    table: dict[str, tuple[str, str, str]], message: str
) -> None:
    with pytest.raises(SystemExit, match=message):
        GEN.facade(CHAT, is_async=False, mixins=table)


def test_the_generated_files_pass_ruff_check_as_written() -> None:
    # They are left out of `ruff format` (one line per signature and per dispatch call), so
    # the generator itself must write what `ruff check` accepts, mixin imports included.
    source = GEN.facade(CHAT, is_async=True, mixins=TABLE)
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--stdin-filename", "byot/resources/_async.py"],
        input=source,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stdout
    dispatch = [line for line in source.splitlines() if "self._client._" in line]
    assert dispatch
    dispatch_call = r"self\._client\._(call|events|chunks|pages|items)\(.*, options\)"
    one_line = rf"\s+return (await {dispatch_call}|{dispatch_call}|AsyncOpening\({dispatch_call}\))"
    assert [line for line in dispatch if not re.fullmatch(one_line, line)] == []


def test_the_dispatcher_protocols_exist_for_type_checkers_only() -> None:
    # The facades name them in annotations only; at run time the module is empty, so importing
    # it costs nothing. tests/typing/api.py checks that both clients satisfy them.
    from byot.resources import _dispatch

    assert not hasattr(_dispatch, "Dispatcher")
    assert not hasattr(_dispatch, "AsyncDispatcher")
