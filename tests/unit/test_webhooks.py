"""Webhook verification: Standard Webhooks signatures, timestamps, secrets, and decoding."""

from __future__ import annotations

import ast
import base64
import hashlib
import hmac
import pickle
import runpy
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic
import pytest

import byot
from byot import webhooks
from byot.errors import DecodeError, InvalidWebhookSignatureError

ROOT = Path(__file__).resolve().parents[2]

# The published Standard Webhooks test vector (standard-webhooks and Svix documentation).
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_PAYLOAD = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

KEY = b"byot webhook test key, 32 bytes!"
RAW_SECRET = base64.b64encode(KEY).decode()
SECRET = "whsec_" + RAW_SECRET
OTHER_SECRET = "whsec_" + base64.b64encode(b"another key entirely, 32 bytes!!").decode()
NOW = 1_750_000_000
WEBHOOK_ID = "wh_123"
EVENT: dict[str, Any] = {
    "id": "evt_1",
    "object": "event",
    "created_at": NOW,
    "type": "response.completed",
    "data": {"id": "resp_1"},
}
BODY = b'{"id": "evt_1", "object": "event", "created_at": 1750000000, '
BODY += b'"type": "response.completed", "data": {"id": "resp_1"}}'


def reference_signature(key: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The signature computed here from the spec, independently of byot."""
    signed = webhook_id.encode() + b"." + str(timestamp).encode() + b"." + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def headers_for(
    body: bytes = BODY,
    *,
    key: bytes = KEY,
    webhook_id: str = WEBHOOK_ID,
    timestamp: int = NOW,
) -> dict[str, str]:
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": "v1," + reference_signature(key, webhook_id, timestamp, body),
    }


def refused(
    body: bytes | str = BODY,
    headers: dict[str, str] | None = None,
    *,
    secret: str | None = SECRET,
    now: float = NOW,
    tolerance: float = 300,
) -> str:
    """The message of the `InvalidWebhookSignatureError` that verify raises."""
    with pytest.raises(InvalidWebhookSignatureError) as info:
        webhooks.verify(
            body,
            headers_for() if headers is None else headers,
            secret=secret,
            now=now,
            tolerance=tolerance,
        )
    return str(info.value)


# ----------------------------------------------------------------------------- signatures


def test_the_published_standard_webhooks_vector() -> None:
    assert reference_signature(
        base64.b64decode(VECTOR_SECRET.removeprefix("whsec_")),
        VECTOR_ID,
        VECTOR_TIMESTAMP,
        VECTOR_PAYLOAD,
    ) == VECTOR_SIGNATURE.removeprefix("v1,")
    headers = {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": str(VECTOR_TIMESTAMP),
        "webhook-signature": VECTOR_SIGNATURE,
    }

    webhooks.verify(VECTOR_PAYLOAD, headers, secret=VECTOR_SECRET, now=VECTOR_TIMESTAMP)
    assert (
        webhooks.sign(
            VECTOR_PAYLOAD,
            secret=VECTOR_SECRET,
            webhook_id=VECTOR_ID,
            timestamp=VECTOR_TIMESTAMP,
        )
        == VECTOR_SIGNATURE
    )


def test_a_valid_signature_passes() -> None:
    assert webhooks.verify(BODY, headers_for(), secret=SECRET, now=NOW) is None


def test_sign_matches_the_reference() -> None:
    signature = webhooks.sign(BODY, secret=SECRET, webhook_id=WEBHOOK_ID, timestamp=NOW)

    assert signature == "v1," + reference_signature(KEY, WEBHOOK_ID, NOW, BODY)
    assert webhooks.sign(BODY.decode(), secret=SECRET, webhook_id=WEBHOOK_ID, timestamp=NOW) == (
        signature
    )


def test_str_and_bytes_payloads_verify_alike() -> None:
    text = '{"type": "caf\u00e9"}'
    headers = headers_for(text.encode())

    webhooks.verify(text, headers, secret=SECRET, now=NOW)
    webhooks.verify(text.encode(), headers, secret=SECRET, now=NOW)
    assert "matches" in refused(text.encode("latin-1"), headers)


def test_a_body_that_is_not_utf8_is_signed_as_its_bytes() -> None:
    body = b"\xff\xfe not utf-8"
    webhooks.verify(body, headers_for(body), secret=SECRET, now=NOW)


def test_a_tampered_body_is_refused() -> None:
    message = refused(BODY.replace(b"resp_1", b"resp_2"))

    assert message == (
        "no signature in the webhook-signature header matches the payload (1 v1 entry "
        "checked): the secret is not this endpoint's, or the body or headers were changed "
        "after signing"
    )


def test_a_wrong_secret_is_refused() -> None:
    assert "matches" in refused(secret=OTHER_SECRET)


def test_a_wrong_id_is_refused() -> None:
    headers = {**headers_for(), "webhook-id": "wh_other"}
    assert "matches" in refused(headers=headers)


def test_a_changed_timestamp_is_refused() -> None:
    headers = {**headers_for(), "webhook-timestamp": str(NOW + 1)}
    assert "matches" in refused(headers=headers)


def test_any_matching_signature_passes_during_key_rotation() -> None:
    old = reference_signature(b"the previous key", WEBHOOK_ID, NOW, BODY)
    new = reference_signature(KEY, WEBHOOK_ID, NOW, BODY)
    headers = {**headers_for(), "webhook-signature": f"v1,{old} v1,{new}"}

    webhooks.verify(BODY, headers, secret=SECRET, now=NOW)
    headers["webhook-signature"] = f"v1,{new}  v1,{old}"
    webhooks.verify(BODY, headers, secret=SECRET, now=NOW)


def test_no_match_among_several_signatures_counts_them() -> None:
    headers = {**headers_for(), "webhook-signature": "v1,AAAA v1,BBBB"}
    assert "(2 v1 entries checked)" in refused(headers=headers)


@pytest.mark.parametrize(
    "entry",
    [
        "v2,{sig}",  # a future scheme with the right bytes is still not v1
        "{sig}",  # no version at all
        "v1{sig}",  # no comma
        "V1,{sig}",  # versions are case-sensitive
        "v1a,{sig}",
        "v1,",
        "v1,{sig},extra",
        "v1,\u00e9{sig}",  # not ASCII: no match, and no crash in compare_digest
    ],
)
def test_entries_that_are_not_v1_are_ignored(entry: str) -> None:
    sig = reference_signature(KEY, WEBHOOK_ID, NOW, BODY)
    headers = {**headers_for(), "webhook-signature": f"{entry.format(sig=sig)} v1,{sig}"}

    webhooks.verify(BODY, headers, secret=SECRET, now=NOW)  # the good entry still counts
    headers["webhook-signature"] = entry.format(sig=sig)
    assert refused(headers=headers)


def test_a_header_with_no_v1_entry_says_so() -> None:
    headers = {**headers_for(), "webhook-signature": "v2,abc v0,def"}
    assert refused(headers=headers) == (
        "the webhook-signature header holds no v1 signature (entries must look like v1,<base64>)"
    )


# ----------------------------------------------------------------------------- headers


@pytest.mark.parametrize("name", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_named(name: str) -> None:
    headers = headers_for()
    del headers[name]

    assert refused(headers=headers) == f"the {name} header is missing or empty"


@pytest.mark.parametrize("value", ["", "   "])
@pytest.mark.parametrize("name", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_an_empty_header_is_named(name: str, value: str) -> None:
    headers = {**headers_for(), name: value}
    assert refused(headers=headers) == f"the {name} header is missing or empty"


def test_header_names_are_case_insensitive() -> None:
    headers = {key.title(): value for key, value in headers_for().items()}
    assert "Webhook-Signature" in headers

    webhooks.verify(BODY, headers, secret=SECRET, now=NOW)
    webhooks.verify(BODY, {k.upper(): v for k, v in headers.items()}, secret=SECRET, now=NOW)


def test_a_case_insensitive_mapping_is_used_as_is() -> None:
    import httpx

    headers = httpx.Headers({key.title(): value for key, value in headers_for().items()})
    webhooks.verify(BODY, headers, secret=SECRET, now=NOW)


@pytest.mark.parametrize("value", ["17500O0000", "-1750000000", "1750000000.5", " 1750000000"])
def test_a_malformed_timestamp_is_refused(value: str) -> None:
    headers = {**headers_for(), "webhook-timestamp": value}
    assert refused(headers=headers) == (
        "the webhook-timestamp header is not a whole number of seconds since the epoch"
    )


def test_non_ascii_digits_are_not_a_timestamp() -> None:
    headers = {**headers_for(), "webhook-timestamp": "\u0661\u0662"}  # Arabic-Indic 1 2
    assert "not a whole number" in refused(headers=headers)


# ----------------------------------------------------------------------------- timestamps


def test_a_timestamp_exactly_tolerance_old_or_new_passes() -> None:
    headers = headers_for()
    webhooks.verify(BODY, headers, secret=SECRET, now=NOW + 300)
    webhooks.verify(BODY, headers, secret=SECRET, now=NOW - 300)
    webhooks.verify(BODY, headers, secret=SECRET, now=NOW + 10, tolerance=10)


def test_an_expired_timestamp_is_refused() -> None:
    assert refused(now=NOW + 301) == (
        "the webhook-timestamp is too old: 301 s ago, 1 s beyond the 300 s tolerance"
    )
    assert refused(now=NOW + 300.25) == (
        "the webhook-timestamp is too old: 300.250 s ago, 0.250 s beyond the 300 s tolerance"
    )


def test_a_future_timestamp_is_refused() -> None:
    assert refused(now=NOW - 400) == (
        "the webhook-timestamp is too new: 400 s ahead, 100 s beyond the 300 s tolerance "
        "(is this machine's clock behind?)"
    )


def test_tolerance_is_configurable() -> None:
    assert "1.5 s" not in refused(now=NOW + 2, tolerance=1.5)
    assert refused(now=NOW + 2, tolerance=1.5).endswith("0.500 s beyond the 1.500 s tolerance")
    webhooks.verify(BODY, headers_for(), secret=SECRET, now=NOW + 3600, tolerance=3600)


def test_now_defaults_to_the_clock() -> None:
    import time

    timestamp = int(time.time())
    webhooks.verify(BODY, headers_for(timestamp=timestamp), secret=SECRET)
    assert "too old" in refused(headers=headers_for(timestamp=timestamp - 1000), now=time.time())
    with pytest.raises(InvalidWebhookSignatureError, match="too old"):
        webhooks.verify(BODY, headers_for(timestamp=timestamp - 1000), secret=SECRET)


@pytest.mark.parametrize("tolerance", [-1, float("nan")])
def test_a_negative_or_nan_tolerance_is_a_value_error(tolerance: float) -> None:
    with pytest.raises(ValueError, match="tolerance must be") as info:
        webhooks.verify(BODY, headers_for(), secret=SECRET, now=NOW, tolerance=tolerance)
    assert not isinstance(info.value, InvalidWebhookSignatureError)


# ----------------------------------------------------------------------------- secrets


def test_a_secret_without_the_prefix_is_base64_too() -> None:
    webhooks.verify(BODY, headers_for(), secret=RAW_SECRET, now=NOW)
    assert webhooks.sign(BODY, secret=RAW_SECRET, webhook_id=WEBHOOK_ID, timestamp=NOW) == (
        webhooks.sign(BODY, secret=SECRET, webhook_id=WEBHOOK_ID, timestamp=NOW)
    )


def test_surrounding_whitespace_in_the_secret_is_ignored() -> None:
    webhooks.verify(BODY, headers_for(), secret=f"  {SECRET}\n", now=NOW)


MALFORMED_SECRETS = [
    "whsec_not base64!",
    "whsec_abc",  # bad padding
    "whsec_",  # nothing after the prefix
    "   ",
    "whsec_\u00e9t\u00e9",  # not ASCII
    "sk-proj-abcdefghijklmnop",  # an API key pasted by mistake
]


@pytest.mark.parametrize("secret", MALFORMED_SECRETS)
def test_a_malformed_secret_is_refused(secret: str) -> None:
    assert refused(secret=secret) == (
        "the webhook secret is malformed: after the optional whsec_ prefix it must be "
        "non-empty base64 (copy it again from the webhook endpoint's settings)"
    )


@pytest.mark.parametrize("secret", MALFORMED_SECRETS)
def test_sign_refuses_a_malformed_secret(secret: str) -> None:
    with pytest.raises(InvalidWebhookSignatureError, match="malformed"):
        webhooks.sign(BODY, secret=secret, webhook_id=WEBHOOK_ID, timestamp=NOW)


@pytest.mark.parametrize("secret", [None, ""])
def test_no_secret_configured(secret: str | None) -> None:
    assert refused(secret=secret) == (
        "no webhook secret configured: pass secret= or set OPENAI_WEBHOOK_SECRET"
    )


def test_the_secret_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", SECRET)

    webhooks.verify(BODY, headers_for(), now=NOW)
    assert "matches" in refused(secret=OTHER_SECRET)  # an explicit secret wins


def test_an_empty_environment_secret_is_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", "")
    assert "no webhook secret configured" in refused(secret=None)


def test_a_missing_secret_is_reported_before_the_headers() -> None:
    assert "no webhook secret" in refused(headers={}, secret=None)


def every_failure(secret: str) -> list[BaseException]:
    """One exception of each kind verify and unwrap raise, all with `secret` in play."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    good = headers_for(key=key)
    cases: list[tuple[bytes, dict[str, str], str, float]] = [
        (BODY + b" ", good, secret, NOW),
        (BODY, {**good, "webhook-id": ""}, secret, NOW),
        (BODY, {**good, "webhook-timestamp": "x"}, secret, NOW),
        (BODY, good, secret, NOW + 999),
        (BODY, good, secret, NOW - 999),
        (BODY, {**good, "webhook-signature": "v9,x"}, secret, NOW),
        (BODY, good, secret + "!", NOW),
        (BODY, good, secret[:-1], NOW),
    ]
    found: list[BaseException] = []
    for body, headers, used, now in cases:
        with pytest.raises(InvalidWebhookSignatureError) as info:
            webhooks.unwrap(body, headers, secret=used, now=now)
        found.append(info.value)
    with pytest.raises(DecodeError) as decode:
        webhooks.unwrap(b"[", headers_for(b"[", key=key), secret=secret, now=NOW)
    found.append(decode.value)
    return found


def test_the_secret_never_appears_in_an_error() -> None:
    errors = every_failure(SECRET)

    assert len(errors) == 9
    for error in errors:
        for text in (str(error), repr(error), repr(error.__dict__), repr(error.args)):
            assert SECRET not in text
            assert RAW_SECRET not in text
            assert RAW_SECRET[:12] not in text
        chained = error.__cause__ or error.__context__
        assert chained is None or RAW_SECRET not in repr(chained)
        assert RAW_SECRET.encode() not in pickle.dumps(error)


def test_errors_are_value_errors_and_pickle() -> None:
    error = every_failure(SECRET)[0]

    assert isinstance(error, ValueError)
    assert isinstance(error, byot.errors.BYOTError)
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert type(copy) is InvalidWebhookSignatureError
    assert str(copy) == str(error)


# ----------------------------------------------------------------------------- unwrap


@dataclass(frozen=True)
class Data:
    id: str


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    data: Data


class EventModel(pydantic.BaseModel):
    id: str
    type: str
    created_at: int


def test_unwrap_returns_a_dict_by_default() -> None:
    event = webhooks.unwrap(BODY, headers_for(), secret=SECRET, now=NOW)

    assert event == EVENT
    assert type(event) is dict


def test_unwrap_accepts_a_str_payload() -> None:
    event = webhooks.unwrap(BODY.decode(), headers_for(), secret=SECRET, now=NOW)
    assert event["type"] == "response.completed"


def test_unwrap_into_a_dataclass() -> None:
    event = webhooks.unwrap(BODY, headers_for(), secret=SECRET, now=NOW, response_type=Event)
    assert event == Event(id="evt_1", type="response.completed", data=Data(id="resp_1"))


def test_unwrap_into_a_pydantic_model() -> None:
    event = webhooks.unwrap(BODY, headers_for(), secret=SECRET, now=NOW, response_type=EventModel)
    assert event == EventModel(id="evt_1", type="response.completed", created_at=NOW)


def test_unwrap_with_a_decoder() -> None:
    assert webhooks.unwrap(BODY, headers_for(), secret=SECRET, now=NOW, decoder=len) == len(BODY)


def test_unwrap_reads_the_secret_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_WEBHOOK_SECRET", SECRET)
    assert webhooks.unwrap(BODY, headers_for(), now=NOW) == EVENT


def test_unwrap_verifies_before_decoding() -> None:
    calls: list[bytes] = []

    def decoder(raw: bytes) -> bytes:
        calls.append(raw)
        return raw

    with pytest.raises(InvalidWebhookSignatureError, match="too old"):
        webhooks.unwrap(BODY, headers_for(), secret=SECRET, now=NOW + 301, decoder=decoder)
    with pytest.raises(InvalidWebhookSignatureError, match="matches"):
        webhooks.unwrap(BODY, headers_for(), secret=OTHER_SECRET, now=NOW, decoder=decoder)
    assert calls == []


def test_unwrap_refuses_both_response_type_and_decoder() -> None:
    with pytest.raises(TypeError, match="not both"):
        webhooks.unwrap(
            BODY,
            headers_for(),
            secret=SECRET,
            now=NOW,
            response_type=Event,
            decoder=len,
        )


def test_invalid_json_after_a_valid_signature_is_a_decode_error() -> None:
    body = b'{"id": "evt_1", "type": '

    with pytest.raises(DecodeError) as info:
        webhooks.unwrap(body, headers_for(body), secret=SECRET, now=NOW)
    assert info.value.raw == body
    assert info.value.target is dict
    assert "JSONDecodeError" in str(info.value)


def test_a_json_value_that_is_not_an_object_is_a_decode_error() -> None:
    body = b"[1, 2]"
    with pytest.raises(DecodeError, match="expected a JSON object, got an array") as info:
        webhooks.unwrap(body, headers_for(body), secret=SECRET, now=NOW)
    assert info.value.raw == body


def test_a_decode_error_names_the_type_and_path() -> None:
    body = b'{"id": "evt_1", "type": "x", "data": {"id": 5}}'

    with pytest.raises(DecodeError) as info:
        webhooks.unwrap(body, headers_for(body), secret=SECRET, now=NOW, response_type=Event)
    assert info.value.path == "$.data.id"
    assert info.value.target is Event

    with pytest.raises(DecodeError) as model:
        webhooks.unwrap(body, headers_for(body), secret=SECRET, now=NOW, response_type=EventModel)
    assert model.value.path == "$.created_at"
    assert isinstance(model.value.__cause__, pydantic.ValidationError)


def test_a_decode_error_mentions_a_content_type_that_is_not_json() -> None:
    body = b"plain text"
    headers = {**headers_for(body), "Content-Type": "text/plain"}

    with pytest.raises(DecodeError, match=r"\(content-type text/plain\)"):
        webhooks.unwrap(body, headers, secret=SECRET, now=NOW)


# ----------------------------------------------------------------------------- the module


def test_the_module_is_public_and_documented() -> None:
    assert byot.webhooks is webhooks
    assert webhooks.__all__ == ["sign", "unwrap", "verify"]
    assert "InvalidWebhookSignatureError" in byot.errors.__all__
    assert "InvalidWebhookSignatureError" in (byot.errors.__doc__ or "")
    for name in webhooks.__all__:
        doc = getattr(webhooks, name).__doc__ or ""
        assert "Args:" in doc, name
        assert "Example:" in doc, name


def test_the_module_imports_nothing_byot_does_not_already_load() -> None:
    """Only the standard library and byot itself: an HMAC module needs no HTTP client."""
    tree = ast.parse((ROOT / "byot" / "webhooks.py").read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])

    assert imported - set(sys.stdlib_module_names) == {"byot"}


def test_the_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(ROOT / "examples" / "webhooks.py"), run_name="__main__")

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "response.completed: resp_abc123"
    assert out[1].startswith("refused: no signature in the webhook-signature header matches")
    assert len(out) == 2
