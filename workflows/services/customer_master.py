"""Services of the customer master processes (see bpmn/customer_onboarding.bpmn and
bpmn/customer_data_change.bpmn); each process's services live in a module of its own."""

from __future__ import annotations

from engine import ServiceRegistry

from . import customer_data_change as data_change
from . import customer_onboarding as onboarding


def register(registry: ServiceRegistry) -> None:
    """Register this area's services."""
    for function in (
        onboarding.screen_new_customer,
        onboarding.register_prospect,
        onboarding.activate_customer,
        onboarding.withdraw_prospect,
        data_change.load_customer_for_change,
        data_change.apply_contact_changes,
        data_change.check_sensitive_change,
        data_change.apply_sensitive_change,
    ):
        registry.register(function.__name__)(function)
    registry.on_cancel("customer_onboarding")(onboarding.prospect_withdrawn)
