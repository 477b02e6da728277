"""Static typing checks of `client.realtime.connect`: never run, only type-checked.

The caller's event type follows from `event_type=` or `decoder=`; without either, events are
`dict[str, Any]`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from typing_extensions import assert_type

from byot.realtime import AsyncRealtimeConnection, RealtimeConnection, RealtimeResponse

if TYPE_CHECKING:
    import byot


@dataclass
class Event:
    type: str


def sync_events(client: byot.Client) -> None:
    plain = client.realtime.connect(model="gpt-realtime")
    assert_type(plain, RealtimeConnection[dict[str, Any]])
    with plain as connection:
        assert_type(connection.recv(), dict[str, Any])
        for event in connection:
            assert_type(event, dict[str, Any])
        assert_type(connection.response(), RealtimeResponse)
        assert_type(connection.last_type, str | None)
    typed = client.realtime.connect(model="gpt-realtime", event_type=Event)
    with typed as connection:
        assert_type(connection.recv(), Event)
        connection.response(on_event=lambda event: assert_type(event, Event))
    decoded = client.realtime.connect(model="gpt-realtime", decoder=bytes.decode)
    assert_type(decoded, RealtimeConnection[str])


async def async_events(client: byot.AsyncClient) -> None:
    async with client.realtime.connect(model="gpt-realtime", event_type=Event) as connection:
        assert_type(connection, AsyncRealtimeConnection[Event])
        assert_type(await connection.recv(), Event)
        async for event in connection:
            assert_type(event, Event)
    async with client.realtime.connect(model="gpt-realtime") as plain:
        assert_type(await plain.recv(), dict[str, Any])
