"""Webhook signatures: compared in constant time, fresh only, and valid across key rotation."""

from __future__ import annotations

import base64
import hmac
from typing import Any

import pytest

from byot import webhooks
from byot.errors import InvalidWebhookSignatureError

NOW = 1_750_000_000
BODY = b'{"type": "response.completed", "data": {"id": "resp_1"}}'
KEYS = [bytes([n]) * 32 for n in range(1, 4)]  # the keys of three rotations
SECRETS = ["whsec_" + base64.b64encode(key).decode() for key in KEYS]


def signature(secret: str, timestamp: int = NOW) -> str:
    return webhooks.sign(BODY, secret=secret, webhook_id="wh_1", timestamp=timestamp)


def headers(signatures: str, timestamp: int = NOW) -> dict[str, str]:
    return {
        "webhook-id": "wh_1",
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures,
    }


@pytest.mark.parametrize("position", ["first", "middle", "last", "none"])
def test_every_signature_is_compared_in_constant_time(
    monkeypatch: pytest.MonkeyPatch, position: str
) -> None:
    calls: list[tuple[Any, Any]] = []
    real = hmac.compare_digest

    def recording(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(webhooks.hmac, "compare_digest", recording)
    wrong = [signature(SECRETS[1]), signature(SECRETS[2]), "v1,AAAA"]
    good = signature(SECRETS[0])
    at = {"first": 0, "middle": 1, "last": 3}.get(position)
    entries = wrong[:]
    if at is not None:
        entries.insert(at, good)

    if at is None:
        with pytest.raises(InvalidWebhookSignatureError):
            webhooks.verify(BODY, headers(" ".join(entries)), secret=SECRETS[0], now=NOW)
    else:
        webhooks.verify(BODY, headers(" ".join(entries)), secret=SECRETS[0], now=NOW)

    # One constant-time comparison per entry wherever the match is: no early exit.
    assert len(calls) == len(entries)
    assert all(isinstance(a, bytes) and isinstance(b, bytes) for a, b in calls)


@pytest.mark.parametrize("tolerance", [0, 1, 300, 86_400])
@pytest.mark.parametrize("direction", [-1, 1], ids=["stale", "future"])
def test_timestamps_beyond_the_tolerance_are_refused(tolerance: int, direction: int) -> None:
    edge = NOW + direction * tolerance
    webhooks.verify(BODY, headers(signature(SECRETS[0], edge), edge), secret=SECRETS[0],
                    tolerance=tolerance, now=NOW)  # fmt: skip

    beyond = edge + direction
    with pytest.raises(InvalidWebhookSignatureError, match="tolerance"):
        webhooks.verify(BODY, headers(signature(SECRETS[0], beyond), beyond), secret=SECRETS[0],
                        tolerance=tolerance, now=NOW)  # fmt: skip


def test_a_delivery_signed_during_key_rotation_passes_with_any_of_its_keys() -> None:
    signed = " ".join(signature(secret) for secret in SECRETS)

    for secret in SECRETS:
        webhooks.verify(BODY, headers(signed), secret=secret, now=NOW)


def test_after_rotation_the_retired_key_no_longer_verifies() -> None:
    new_only = signature(SECRETS[2])

    webhooks.verify(BODY, headers(new_only), secret=SECRETS[2], now=NOW)
    with pytest.raises(InvalidWebhookSignatureError, match="1 v1 entry checked"):
        webhooks.verify(BODY, headers(new_only), secret=SECRETS[0], now=NOW)
