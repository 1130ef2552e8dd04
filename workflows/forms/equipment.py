"""Forms of the equipment processes."""

from __future__ import annotations
