"""Emulated V3 area: contacts (to be written)."""
