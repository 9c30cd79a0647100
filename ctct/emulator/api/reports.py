"""Emulated V3 area: reports (to be written)."""
