"""Services of the equipment processes (see bpmn/)."""

from __future__ import annotations

from engine import ServiceRegistry


def register(registry: ServiceRegistry) -> None:
    """Register this area's services."""
