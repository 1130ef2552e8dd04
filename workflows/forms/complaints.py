"""Forms of the complaints processes."""

from __future__ import annotations
