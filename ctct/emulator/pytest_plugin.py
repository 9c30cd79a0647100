"""pytest plugin (entry point `pytest11`): the `ctct_emulator` fixture."""
import pytest


@pytest.fixture
def ctct_emulator():
    """A started `Emulator` with an empty account, fresh for each test."""
    from ctct.emulator import Emulator

    with Emulator() as emu:
        yield emu
