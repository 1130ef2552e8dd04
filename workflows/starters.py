"""Who asks for each CRM process: the matrix says who works its tasks, not who asks.

A process listed here is started by these roles only (and by an admin); one listed
with no roles is started by another process, never by hand. A process not listed is
started by the R roles of its matrix's first row (raci.visibility.may_start).
"""

from __future__ import annotations

STARTERS: dict[str, tuple[str, ...]] = {
    "credit_limit_change": ("bd",),
    "complaint": ("bd", "call_agent", "cs_agent"),
    "equipment_request": ("bd",),
    "customer_onboarding": ("bd",),
    "customer_data_change": ("bd", "call_agent", "cs_agent"),
    "order_cleaning": ("bd", "call_agent", "cs_agent"),
    "emergency_order": ("bd", "call_agent"),
    "order_release": (),  # started by order_cleaning, never by hand
}
