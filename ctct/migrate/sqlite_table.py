"""Rewriting an id column of a user's SQLite table in place.

Rows are read and updated in batches, each batch in its own write transaction (BEGIN
IMMEDIATE ... COMMIT), so every row is either wholly old or wholly new and a kill at any
moment rolls back only the batch in flight. The table records the progress itself: migrated
rows hold V3 ids, which the next run leaves alone, so a rerun continues where the last one
stopped and never converts a row twice. `batch_rows=None` does the whole table in a single
transaction (all or nothing), at the cost of holding the write lock for the whole run.
"""
import sqlite3
from pathlib import Path

from ..v3.errors import InvalidInputError

DEFAULT_BATCH_ROWS = 5000


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


class SqliteColumn:
    kind = "sqlite"

    def __init__(self, db_path, table, column, *, readonly=False, batch_rows=DEFAULT_BATCH_ROWS, timeout=30.0):
        self.path = Path(db_path)
        if not self.path.is_file():
            raise InvalidInputError(f"SQLite database not found: {self.path}")
        if batch_rows is not None and batch_rows < 1:
            raise InvalidInputError("--batch-rows must be at least 1")
        self.batch_rows = batch_rows
        try:
            if readonly:
                self.db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                          timeout=timeout, isolation_level=None)
            else:
                self.db = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
            self.db.execute("PRAGMA busy_timeout = %d" % int(timeout * 1000))
            row = self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND lower(name) = lower(?)",
                                  (table,)).fetchone()
        except sqlite3.DatabaseError as exc:
            raise InvalidInputError(f"cannot open {self.path} as SQLite: {exc}") from None
        if row is None:
            raise InvalidInputError(f"{self.path} has no table {table!r}")
        self.table = row[0]
        info = self.db.execute(f"PRAGMA table_info({_quote(self.table)})").fetchall()
        columns = {r[1].lower(): r for r in info}
        if column.lower() not in columns:
            names = ", ".join(repr(r[1]) for r in info)
            raise InvalidInputError(f"table {self.table!r} has no column {column!r} (columns: {names})")
        col = columns[column.lower()]
        self.column = col[1]
        self.key = self._row_key(info)
        if self.key == ["rowid"] and col[5] == 1 and sum(1 for r in info if r[5]) == 1 and col[2].upper() == "INTEGER":
            raise InvalidInputError(
                f"column {self.column!r} is the INTEGER PRIMARY KEY of {self.table!r} and cannot hold V3 ids "
                "(text); copy it to a TEXT column and migrate that one")
        self.location_name = "rowid" if self.key == ["rowid"] else ",".join(self.key)

    def _row_key(self, info):
        """The columns that identify a row: rowid, or a WITHOUT ROWID table's primary key."""
        try:
            self.db.execute(f"SELECT rowid FROM {_quote(self.table)} LIMIT 0")
            return ["rowid"]
        except sqlite3.OperationalError:
            pk = sorted((r[5], r[1]) for r in info if r[5])
            return [name for _, name in pk]

    def close(self):
        self.db.close()

    def _select(self, after, limit):
        keys = ", ".join("rowid" if k == "rowid" else _quote(k) for k in self.key)
        sql = f"SELECT {keys}, {_quote(self.column)} FROM {_quote(self.table)}"
        params = []
        if after is not None:
            if len(self.key) == 1:
                sql += f" WHERE {keys} > ?"
            else:
                sql += f" WHERE ({keys}) > ({', '.join('?' * len(self.key))})"
            params.extend(after)
        sql += f" ORDER BY {keys}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return self.db.execute(sql, params)

    def _location(self, key):
        return f"{self.location_name} {key[0] if len(key) == 1 else tuple(key)}"

    def values(self):
        n = len(self.key)
        try:
            for row in self._select(None, None):
                yield self._location(row[:n]), row[n]
        except sqlite3.DatabaseError as exc:
            raise InvalidInputError(f"reading {self.table!r} in {self.path} failed: {exc}") from None

    def rewrite(self, output, translate, *, on_change=None, crash=None, write=True):
        """Update the column in place (write=False: only report). Returns rows changed."""
        n = len(self.key)
        where = " AND ".join(f"{'rowid' if k == 'rowid' else _quote(k)} = ?" for k in self.key)
        update = f"UPDATE {_quote(self.table)} SET {_quote(self.column)} = ? WHERE {where}"
        changed = 0
        after = None
        while True:
            if write:
                self._begin()
            try:
                rows = self._select(after, self.batch_rows).fetchall()
                updates = []
                for row in rows:
                    old = row[n]
                    new = translate(old) if old is not None else None
                    if new is not None and new != old:
                        updates.append((new, *row[:n]))
                        if on_change:
                            on_change(self._location(row[:n]), old, new)
                if write and updates:
                    self.db.executemany(update, updates)
                if write:
                    self.db.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                if write:
                    self._rollback()
                raise InvalidInputError(f"updating {self.table!r}.{self.column!r} in {self.path} failed "
                                        f"(nothing of this batch was written): {exc}") from None
            except BaseException:
                if write:
                    self._rollback()
                raise
            changed += len(updates)
            if write and updates and crash:
                crash.passed("sqlite-batch")
            if self.batch_rows is None or len(rows) < self.batch_rows:
                return changed
            after = rows[-1][:n]

    def _begin(self):
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise InvalidInputError(f"cannot write {self.path}: {exc}") from None

    def _rollback(self):
        try:
            self.db.execute("ROLLBACK")
        except sqlite3.Error:
            pass
