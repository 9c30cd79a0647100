"""CSV and JSON Lines inputs: read the id column, write the migrated copy.

The copy has the input's rows in the same order with the same columns; only the id column
changes. It is written to a temporary file next to OUTPUT, flushed to disk, then renamed over
OUTPUT in one step, so OUTPUT is always either absent, the old file, or complete: a kill at any
moment can never leave it half-written or with a row twice.
"""
import csv
import io
import json
import os
from pathlib import Path

from .._durable import fsync_directory
from ..v3.errors import InvalidInputError

CSV, JSONL = "csv", "jsonl"
_EXTENSIONS = {".csv": CSV, ".tsv": CSV, ".txt": CSV, ".jsonl": JSONL, ".ndjson": JSONL, ".json": JSONL}
_DELIMITERS = (",", "\t", ";", "|")
_BUFFER = 1 << 20  # bytes per read/write call: the files are read whole, twice, and written whole


def detect_format(path):
    """CSV or JSONL, from the extension, else from the first non-blank character."""
    fmt = _EXTENSIONS.get(Path(path).suffix.lower())
    with open(path, "r", encoding="utf-8-sig", errors="replace") as fh:
        head = fh.read(4096).lstrip()
    if head.startswith("["):
        raise InvalidInputError(f"{path} holds a JSON array; migrate-ids reads JSON Lines (one object per line)")
    if fmt:
        return fmt
    return JSONL if head.startswith("{") else CSV


def open_input(path, column, fmt=None):
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"input file not found: {path}")
    fmt = fmt or detect_format(path)
    return (CsvFile if fmt == CSV else JsonLinesFile)(path, column)


class _AtomicOutput:
    """A text file written beside `target` and renamed over it on commit."""

    def __init__(self, target, crash, encoding):
        self.target = Path(target)
        self.tmp = self.target.with_name(f".{self.target.name}.ctct-partial")
        self.crash = crash
        self.fh = open(self.tmp, "w", encoding=encoding, newline="", buffering=_BUFFER)

    def commit(self):
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()
        if self.crash:
            self.crash.passed("before-rename")
        os.replace(self.tmp, self.target)
        fsync_directory(self.target.parent)

    def abort(self):
        if not self.fh.closed:
            self.fh.close()
        try:
            self.tmp.unlink()
        except OSError:
            pass


class CsvFile:
    """A CSV file whose `column` (a header name) holds ids. The delimiter (, tab ; |) and the
    line ending are taken from the header line and kept; a UTF-8 BOM is kept too."""

    kind = CSV

    def __init__(self, path, column):
        self.path = Path(path)
        with open(self.path, "r", encoding="utf-8", newline="") as fh:
            first = fh.readline()
        self.bom = first.startswith("\ufeff")
        header_line = first.lstrip("\ufeff")
        if not header_line.strip():
            raise InvalidInputError(f"{self.path} has no header line (the first line names the columns)")
        self.lineterminator = "\r\n" if header_line.endswith("\r\n") else "\n"
        counts = {d: header_line.count(d) for d in _DELIMITERS}
        best = max(_DELIMITERS, key=lambda d: counts[d])
        self.delimiter = best if counts[best] else ","
        header = next(csv.reader([header_line], delimiter=self.delimiter))
        self.header = header
        self.index = _column_index(header, column, self.path)
        self.column = header[self.index]

    def _reader(self, fh):
        reader = csv.reader(fh, delimiter=self.delimiter)
        next(reader, None)  # the header
        return reader

    def values(self):
        """(location, value) for each data row; a row too short for the column gives None."""
        index = self.index
        with open(self.path, "r", encoding="utf-8-sig", newline="", buffering=_BUFFER) as fh:
            for number, row in enumerate(self._reader(fh), start=1):
                yield f"row {number}", (row[index] if index < len(row) else None)

    def rewrite(self, output, translate, *, on_change=None, crash=None):
        """Write the migrated copy to `output` (None: only report changes). Returns the number
        of rows changed."""
        out = _AtomicOutput(output, crash, "utf-8-sig" if self.bom else "utf-8") if output is not None else None
        changed = 0
        index = self.index
        try:
            writer = csv.writer(out.fh, delimiter=self.delimiter, lineterminator=self.lineterminator) if out else None
            if writer:
                writer.writerow(self.header)
            write = writer.writerow if writer else None
            with open(self.path, "r", encoding="utf-8-sig", newline="", buffering=_BUFFER) as fh:
                for number, row in enumerate(self._reader(fh), start=1):
                    if index < len(row):
                        old = row[index]
                        new = translate(old)
                        if new is not None and new != old:
                            row[index] = new
                            changed += 1
                            if on_change:
                                on_change(f"row {number}", old, new)
                    if write:
                        write(row)
                        if crash:
                            crash.passed("output-rows")
            if out:
                out.commit()
        except BaseException:
            if out:
                out.abort()
            raise
        return changed


def _column_index(header, column, path):
    if column in header:
        return header.index(column)
    folded = [i for i, name in enumerate(header) if name.strip().lower() == column.strip().lower()]
    if len(folded) == 1:
        return folded[0]
    raise InvalidInputError(f"{path} has no column {column!r} (columns: {', '.join(map(repr, header))}); "
                            "choose one with --column")


class JsonLinesFile:
    """A JSON Lines file: one object per line, the id under the key `column`. Lines that do not
    change are copied byte for byte; changed lines are re-serialised with their keys in order."""

    kind = JSONL

    def __init__(self, path, column):
        self.path = Path(path)
        self.column = column

    def _lines(self):
        with open(self.path, "r", encoding="utf-8-sig", newline="", buffering=_BUFFER) as fh:
            for number, line in enumerate(fh, start=1):
                body = line.rstrip("\r\n")
                if not body.strip():
                    yield number, line, None
                    continue
                try:
                    obj = json.loads(body)
                except ValueError as exc:
                    raise InvalidInputError(f"{self.path}:{number}: not valid JSON ({exc.msg})") from None
                if not isinstance(obj, dict):
                    raise InvalidInputError(f"{self.path}:{number}: each line must be a JSON object")
                yield number, line, obj

    def values(self):
        for number, _, obj in self._lines():
            if obj is not None:
                yield f"line {number}", obj.get(self.column)

    def rewrite(self, output, translate, *, on_change=None, crash=None):
        out = _AtomicOutput(output, crash, "utf-8") if output is not None else None
        changed = 0
        try:
            for number, line, obj in self._lines():
                old = obj.get(self.column) if obj is not None else None
                new = translate(old) if old is not None else None
                if new is not None and new != old:
                    obj[self.column] = new
                    ending = line[len(line.rstrip("\r\n")):]
                    line = json.dumps(obj, ensure_ascii=False) + ending
                    changed += 1
                    if on_change:
                        on_change(f"line {number}", old, new)
                if out:
                    out.fh.write(line)
                    if crash and obj is not None:
                        crash.passed("output-rows")
            if out:
                out.commit()
        except BaseException:
            if out:
                out.abort()
            raise
        return changed


def write_text_atomically(path, text):
    path = Path(path)
    tmp = path.with_name(f".{path.name}.ctct-partial")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_directory(path.parent)


def csv_text(rows, header):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
