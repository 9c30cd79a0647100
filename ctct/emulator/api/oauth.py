"""Emulated V3 area: oauth (to be written)."""
