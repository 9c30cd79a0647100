"""Emulated V3 area: custom_fields (to be written)."""
