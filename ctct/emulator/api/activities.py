"""Emulated V3 area: activities (to be written)."""
