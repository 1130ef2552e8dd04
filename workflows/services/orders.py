"""Services of the order processes: order_cleaning, order_release, emergency_order.

The services themselves live in workflows/orders/ (one module per stage).
"""

from __future__ import annotations

from engine import ServiceRegistry

from ..orders import cleaning, release, reservation

ORDER_PROCESSES = ("order_cleaning", "order_release", "emergency_order")
SERVICES = {
    # order_cleaning and emergency_order
    "order_register": cleaning.register_order,
    "order_check": cleaning.check_order,
    "order_fix": cleaning.fix_order,
    "order_send_to_release": cleaning.send_to_release,
    "order_cancel": cleaning.cancel_order,
    "order_check_blocked_customer": cleaning.check_blocked_customer,
    # order_release, stock stage
    "order_reserve_stock": reservation.reserve_stock,
    "order_apply_substitutes": reservation.apply_substitutes,
    "order_allocate_shortage": reservation.allocate_shortage,
    "order_confirm_available": reservation.confirm_available,
    # order_release, credit and release stage
    "order_check_credit": release.check_credit,
    "order_partial_release": release.partial_release,
    "order_hold": release.hold_order,
    "order_release": release.release_order,
    "order_plan_delivery": release.plan_delivery,
}


def register(registry: ServiceRegistry) -> None:
    """Register this area's services."""
    for name, function in SERVICES.items():
        registry.register(name)(function)
    for process_id in ORDER_PROCESSES:  # a cancelled instance gives back its order's stock
        registry.on_cancel(process_id)(cleaning.withdraw_order)
