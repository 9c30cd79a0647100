"""Emulated V3 area: xrefs (to be written)."""
