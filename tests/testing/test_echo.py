"""The mock answers the request it got, as a server would: ids, model, counts, images, pages."""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

import pytest

import byot
from byot.testing import SpecMock
from byot.testing._echo import TINY_PNG, echo, embedding_vector
from tests.testing.helpers import OPERATIONS, lenient_errors


def client() -> byot.Client:
    return byot.Client(base_url="http://mock/v1", api_key="sk-test", transport=SpecMock())


def test_a_retrieve_answers_with_the_id_asked_for() -> None:
    with client() as c:
        model = c.models.retrieve("my-model")
        job = c.fine_tuning.jobs.cancel("ftjob-mine")
        deleted = c.files.delete("file-mine")
        vs_file = c.vector_stores.files.retrieve("vs_mine", "file-mine")
    assert model["id"] == "my-model"
    assert job["id"] == "ftjob-mine"  # an action on the object: /cancel
    assert deleted["id"] == "file-mine"
    assert (vs_file["id"], vs_file["vector_store_id"]) == ("file-mine", "vs_mine")


def test_a_collection_under_an_id_keeps_its_own_ids() -> None:
    with client() as c:
        run = c.beta.threads.runs.create("thread_mine", {"assistant_id": "asst_1"})
    assert run["thread_id"] == "thread_mine"
    assert run["id"] != "thread_mine"  # a new run, not the thread


def test_the_request_s_model_is_echoed() -> None:
    chat = {"model": "llama3.2", "messages": [{"role": "user", "content": "Hi"}]}
    with client() as c:
        whole = c.chat.completions.create(chat)
        with c.chat.completions.create_stream(chat) as stream:
            models = {chunk["model"] for chunk in stream}
        response = c.responses.create({"model": "mine", "input": "x"})
    assert whole["model"] == "llama3.2"
    assert models == {"llama3.2"}
    assert response["model"] == "mine"


@pytest.mark.parametrize(
    ("given", "count"),
    [("one text", 1), (["a", "b", "c"], 3), ([1, 2, 3], 1), ([[1, 2], [3]], 2)],
)
def test_one_embedding_per_input(given: Any, count: int) -> None:
    with client() as c:
        result = c.embeddings.create({"model": "text-embedding-3-small", "input": given})
    assert [item["index"] for item in result["data"]] == list(range(count))
    assert {len(item["embedding"]) for item in result["data"]} == {1536}
    assert result["model"] == "text-embedding-3-small"
    assert lenient_errors(result, "#/$defs/CreateEmbeddingResponse") == []


def test_embeddings_honour_dimensions_and_base64() -> None:
    body: dict[str, Any] = {"model": "text-embedding-3-large", "input": ["cat", "cat", "dog"]}
    with client() as c:
        large = c.embeddings.create({**body, "input": "cat"})
        floats = c.embeddings.create({**body, "dimensions": 8})
        packed = c.embeddings.create({**body, "dimensions": 8, "encoding_format": "base64"})
    assert len(large["data"][0]["embedding"]) == 3072
    vectors = [item["embedding"] for item in floats["data"]]
    assert vectors[0] == vectors[1] == embedding_vector("cat", 8)  # the same text, the same vector
    assert vectors[0] != vectors[2]
    assert sum(v * v for v in vectors[2]) == pytest.approx(1)
    unpacked = [
        list(struct.unpack("<8f", base64.b64decode(item["embedding"]))) for item in packed["data"]
    ]
    assert unpacked == [pytest.approx(vector) for vector in vectors]


def test_b64_json_images_are_real_pngs() -> None:
    with client() as c:
        made = c.images.generate({"model": "gpt-image-1", "prompt": "otter", "n": 2})
        linked = c.images.generate({"model": "dall-e-3", "prompt": "otter"})
        asked = c.images.generate(
            {"model": "dall-e-2", "prompt": "otter", "response_format": "b64_json"}
        )
    pictures = [base64.b64decode(item["b64_json"]) for item in made["data"] + asked["data"]]
    assert pictures == [TINY_PNG] * 3
    assert [set(item) for item in linked["data"]] == [{"url"}]
    # A PNG a decoder accepts: signature, then chunks whose CRCs hold, ending in IEND.
    assert TINY_PNG.startswith(b"\x89PNG\r\n\x1a\n")
    at, kinds = 8, []
    while at < len(TINY_PNG):
        (size,) = struct.unpack(">I", TINY_PNG[at : at + 4])
        kind, data = TINY_PNG[at + 4 : at + 8], TINY_PNG[at + 8 : at + 8 + size]
        assert struct.unpack(">I", TINY_PNG[at + 8 + size : at + 12 + size])[0] == zlib.crc32(
            kind + data
        )
        kinds.append(kind)
        at += 12 + size
    assert kinds == [b"IHDR", b"IDAT", b"IEND"]
    assert zlib.decompress(TINY_PNG[8 + 8 + 13 + 4 + 8 : -12 - 4]) == b"\x00\xff\xff\xff\xff"


def test_lists_serve_the_page_asked_for() -> None:
    with client() as c:
        whole = c.files.list()
        ids = [item["id"] for item in whole["data"]]
        first = c.files.list(limit=1)
        second = c.files.list(limit=1, after=ids[0])
        unknown = c.files.list(after="file-nowhere")
        walked = [item["id"] for item in c.files.list_items(limit=1)]
    assert len(ids) == 2
    assert whole["has_more"] is False
    assert (first["data"][0]["id"], first["has_more"], first["last_id"]) == (ids[0], True, ids[0])
    assert (second["data"][0]["id"], second["has_more"], second["first_id"]) == (
        ids[1],
        False,
        ids[1],
    )
    assert unknown["data"] == []
    assert (unknown["has_more"], unknown["first_id"], unknown["last_id"]) == (False, None, None)
    assert walked == ids


def test_token_pages_carry_the_mock_s_own_cursor() -> None:
    info = OPERATIONS["usage-completions"]
    pagination = info["pagination"]
    document = {"object": "page", "data": [{"n": 1}, {"n": 2}, {"n": 3}], "has_more": True}
    pages = [echo("usage-completions", info, {}, {"limit": "2"}, None, document)]
    pages.append(echo("usage-completions", info, {}, {"limit": "2", "page": "2"}, None, document))
    junk = echo("usage-completions", info, {}, {"page": "junk"}, None, document)
    assert [(p["data"], p["has_more"], p[pagination["next"]]) for p in pages] == [
        ([{"n": 1}, {"n": 2}], True, "2"),
        ([{"n": 3}], False, None),
    ]
    assert (junk["data"], junk["has_more"]) == ([], False)


def test_what_is_not_an_object_is_left_as_it_is() -> None:
    info = OPERATIONS["listFiles"]
    assert echo("listFiles", info, {}, {}, None, [1]) == [1]
    odd = {"data": "not a list", "model": "x"}
    assert echo("listFiles", info, {}, {}, "not a dict", odd) == odd
