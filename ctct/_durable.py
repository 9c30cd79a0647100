"""Durability helpers shared by every writer that renames a finished temp file into place."""
import contextlib
import os
import tempfile
from pathlib import Path


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


def replace_private_file(path, text):
    """Replace `path` with `text` in one rename, readable by its owner only (mode 0600 from
    the first byte: the files written this way hold tokens). A reader sees the old or the
    new content, never half of one, and a crash leaves the old file intact."""
    path = Path(path)
    directory = path.parent
    # mkstemp creates the file with mode 0600, so nothing is ever readable by others
    fd, tmp_name = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=str(directory))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o600)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    fsync_directory(directory)
