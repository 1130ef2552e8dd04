"""Forms of the orders processes."""

from __future__ import annotations
