"""Service tasks the CRM processes call, registered by name."""

from __future__ import annotations

from engine import ServiceRegistry


def build_registry() -> ServiceRegistry:
    """Return the registry of every service task the CRM processes may call."""
    return ServiceRegistry()
