"""The fault suite's fixtures: its real-socket server and `Faults`, its clients of both kinds."""

from __future__ import annotations

from tests.faults.conftest import faults, server

__all__ = ["faults", "server"]
