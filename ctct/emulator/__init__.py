"""A stateful V3 emulator on loopback: `with Emulator(seed="demo") as emu: ...`."""
from .core import Emulator, RecordedRequest

__all__ = ["Emulator", "RecordedRequest"]
