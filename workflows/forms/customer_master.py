"""Forms of the customer master processes."""

from __future__ import annotations
