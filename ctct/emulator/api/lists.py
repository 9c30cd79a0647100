"""Emulated V3 area: lists (to be written)."""
