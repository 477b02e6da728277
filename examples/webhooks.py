"""Verify a webhook and decode its event, with no network and no web framework.

OpenAI signs each webhook delivery with the endpoint's secret (`whsec_...`, shown when the
endpoint is created). A handler passes the raw body and the headers to
`byot.webhooks.unwrap`, which refuses anything unsigned, altered or stale and returns the
event: a dict by default, here a dataclass.

This example plays both sides: it signs a sample event with `byot.webhooks.sign` (the helper
for testing one's own handlers), hands it to the handler, then hands it an altered copy.

    python examples/webhooks.py

In a real server the secret comes from `OPENAI_WEBHOOK_SECRET`, so `secret=` is left out.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import byot

if TYPE_CHECKING:
    from collections.abc import Mapping

# A made-up secret for this example; a real one comes from the webhook endpoint's settings.
SECRET = "whsec_" + base64.b64encode(b"an example secret of 32 bytes!!!").decode()

SAMPLE = (
    b'{"id": "evt_685343a1381c819085d44c354e1b330e", "object": "event", '
    b'"created_at": 1750287018, "type": "response.completed", '
    b'"data": {"id": "resp_abc123"}}'
)


@dataclass(frozen=True)
class Event:
    """The fields of a webhook event this handler uses; the others are ignored."""

    id: str
    type: str
    data: dict[str, Any]


def handle(body: bytes, headers: Mapping[str, str]) -> int:
    """A webhook endpoint's logic: the HTTP status to answer with."""
    try:
        event = byot.webhooks.unwrap(body, headers, secret=SECRET, response_type=Event)
    except byot.errors.InvalidWebhookSignatureError as exc:
        print(f"refused: {exc}")
        return 400
    print(f"{event.type}: {event.data['id']}")
    return 200


def main() -> None:
    webhook_id = "wh_685342e6c53c8190a1be43f081506c52"
    timestamp = int(time.time())
    headers = {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": byot.webhooks.sign(
            SAMPLE, secret=SECRET, webhook_id=webhook_id, timestamp=timestamp
        ),
    }
    genuine = handle(SAMPLE, headers)
    altered = handle(SAMPLE.replace(b"resp_abc123", b"resp_evil"), headers)
    if (genuine, altered) != (200, 400):
        raise SystemExit(f"unexpected statuses {genuine} and {altered}")


if __name__ == "__main__":
    main()
