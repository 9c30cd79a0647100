"""Durability helpers shared by every writer that renames a finished temp file into place."""
import os


def fsync_directory(directory):
    """Make a rename inside `directory` durable. Best effort: not every platform can open a
    directory (Windows cannot), and the rename itself is atomic either way."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(str(directory), flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
