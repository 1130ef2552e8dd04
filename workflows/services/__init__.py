"""Service tasks the CRM processes call, registered by name (one module per area)."""

from __future__ import annotations

from engine import ServiceRegistry

from .. import audience
from ..history import READ_MODELS
from ..key_figures import summary
from . import complaints, credit, customer_master, equipment, orders

AREAS = (credit, orders, equipment, customer_master, complaints)


def build_registry() -> ServiceRegistry:
    """Return the registry of every service task the CRM processes may call."""
    registry = ServiceRegistry()
    for area in AREAS:
        area.register(registry)
    for model in READ_MODELS:
        registry.add_read_model(model)
    audience.register(registry)
    registry.summarise_with(summary)
    return registry
