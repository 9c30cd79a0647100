"""The V2 -> V3 id migration behind `ctct migrate-ids`: input formats, in-place SQLite
rewrite, and the run that ties them to the xref resolver.

    from ctct.migrate import migrate, open_input, SqliteColumn
"""
from .files import CsvFile, JsonLinesFile, detect_format, open_input
from .run import EXIT_FAILED, EXIT_OK, EXIT_UNMAPPED, EXIT_USAGE, Summary, migrate, report_path_for
from .sqlite_table import SqliteColumn

__all__ = ["migrate", "open_input", "detect_format", "CsvFile", "JsonLinesFile", "SqliteColumn", "Summary",
           "report_path_for", "EXIT_OK", "EXIT_UNMAPPED", "EXIT_USAGE", "EXIT_FAILED"]
