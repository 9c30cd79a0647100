"""Emulated V3 area: emails (to be written)."""
