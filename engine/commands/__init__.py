"""The engine's commands, grouped by what they act on; ProcessEngine combines them."""
