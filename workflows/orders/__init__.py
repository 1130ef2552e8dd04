"""Orders: their records, their stock moves, and the services of the order processes.

- records.py: orders and lines in the CRM tables (create, read, status, notes);
- stock.py: reserve, allocate, free and ship stock for orders, never overcommitting;
- cleaning.py: services of order_cleaning and emergency_order (register, check, route);
- release.py: services of order_release (ATP, substitutes, shortage, credit, release).

The business rules themselves are pure modules: workflows/atp.py,
workflows/allocation.py, workflows/order_checks.py, workflows/order_pricing.py.
"""
