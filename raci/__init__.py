"""RACI matrices, their validation and assignment (pure Python; see issue 3)."""
