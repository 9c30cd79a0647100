"""`ctct migrate-ids`: rewrite stored V2 ids as V3 ids; `ctct xref-export` / `xref-import`:
keep the mapping outside the cache."""
import argparse
import os
import sys

KINDS = ("contacts", "lists", "campaigns")

MIGRATE_EPILOG = """\
INPUT is CSV (the --column, default "id") or JSON Lines (the --column key), told apart by
extension or content. Cells may hold V2 numbers, legacy URIs, or V3 ids (left alone). OUTPUT
gets the same rows, in order, with V3 ids in the column; ids V3 does not know are listed in
OUTPUT.unmapped.csv. --sqlite DB --table T --column C rewrites a table's column in place, in
transactions. Every answered xref batch is kept in the cache, so a rerun (after a kill, too)
only asks for what was never answered.

exit status: 0 done; 1 some ids unmapped (nothing written without --allow-unmapped);
2 bad arguments or input; 3 API, network or cache failure (rerun to continue).
"""


def register(subparsers):
    p = subparsers.add_parser(
        "migrate-ids", help="rewrite stored V2 contact/list/campaign ids as V3 ids",
        description="Rewrite V2 ids stored in a CSV, JSON Lines file or SQLite table as V3 ids, "
                    "through V3's xref endpoints, with a persistent cache.",
        epilog=MIGRATE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("kind", choices=KINDS, help="what the ids name")
    p.add_argument("input", nargs="?", metavar="INPUT", help="CSV or JSON Lines file")
    p.add_argument("-o", "--output", metavar="OUTPUT", help="where to write the migrated copy (may be INPUT)")
    p.add_argument("--column", metavar="NAME", help='the id column or key (default "id")')
    p.add_argument("--format", choices=("csv", "jsonl"), help="input format (default: by extension or content)")
    p.add_argument("--sqlite", metavar="DB", help="rewrite a column of this SQLite database in place")
    p.add_argument("--table", metavar="T", help="the table, with --sqlite")
    p.add_argument("--batch-rows", type=int, default=None, metavar="N",
                   help="rows per transaction with --sqlite (default 5000)")
    p.add_argument("--single-transaction", action="store_true",
                   help="with --sqlite: rewrite the whole column in one transaction (all or nothing)")
    p.add_argument("--cache", metavar="PATH",
                   help="the xref cache (SQLite; default env CTCT_CACHE, else the user cache dir)")
    p.add_argument("--base-url", metavar="URL", help="V3 API root (default env CTCT_BASE_URL, else api.cc.email)")
    p.add_argument("--token", metavar="TOKEN", help="V3 access token (default env CTCT_ACCESS_TOKEN, else `ctct login`)")
    p.add_argument("--account", metavar="NAME",
                   help="name the account for the cache (default: asked once per token from /account/summary)")
    p.add_argument("--rate-limit", type=float, default=4.0, metavar="PER_SECOND",
                   help="client-side requests per second (default 4, V3's limit)")
    p.add_argument("--allow-unmapped", action="store_true",
                   help="write the output even when some ids stay unmapped (they keep their value)")
    p.add_argument("--recheck-unmapped", action="store_true",
                   help="ask V3 again about ids it did not know last time")
    p.add_argument("--report", metavar="PATH", help="the unmapped-id report (default OUTPUT.unmapped.csv)")
    p.add_argument("--dry-run", action="store_true",
                   help="list the changes on stdout and write nothing (answers still fill the cache)")
    p.set_defaults(func=run_migrate)

    e = subparsers.add_parser("xref-export", help="write the cached V2 -> V3 mapping to CSV or JSON",
                              description="Write every cached V2 -> V3 id pair (of all accounts, or one) to a file, "
                                          "to keep it after Constant Contact removes the xref endpoints.")
    e.add_argument("output", metavar="OUTPUT", help="a .csv or .json file")
    e.add_argument("--cache", metavar="PATH", help="the xref cache (default as for migrate-ids)")
    e.add_argument("--kind", choices=KINDS, help="only this kind")
    e.add_argument("--account", metavar="KEY", help="only this account (as the file's account column shows it)")
    e.add_argument("--format", choices=("csv", "json"), help="default: by extension")
    e.add_argument("--mapped-only", action="store_true", help="leave out ids V3 did not know")
    e.set_defaults(func=run_export)

    i = subparsers.add_parser("xref-import", help="load a mapping written by xref-export into the cache",
                              description="Load a V2 -> V3 mapping (CSV or JSON, as xref-export writes) into the "
                                          "cache; migrate-ids and the legacy API then resolve from it.")
    i.add_argument("input", metavar="INPUT", help="a .csv or .json file")
    i.add_argument("--cache", metavar="PATH", help="the xref cache (default as for migrate-ids)")
    i.add_argument("--format", choices=("csv", "json"), help="default: by extension")
    i.set_defaults(func=run_import)


def _say(message):
    print(f"ctct migrate-ids: {message}", file=sys.stderr, flush=True)


def _open_target(args):
    from ..migrate import SqliteColumn, open_input
    from ..v3.errors import InvalidInputError

    column = args.column or "id"
    if args.sqlite:
        if args.input or args.output:
            raise InvalidInputError("--sqlite rewrites in place: give no INPUT or -o")
        if not args.table:
            raise InvalidInputError("--sqlite needs --table")
        if args.single_transaction and args.batch_rows:
            raise InvalidInputError("--single-transaction and --batch-rows exclude each other")
        batch = None if args.single_transaction else (args.batch_rows or 5000)
        target = SqliteColumn(args.sqlite, args.table, column, readonly=args.dry_run, batch_rows=batch)
        return target, None
    if not args.input or not args.output:
        raise InvalidInputError("give INPUT and -o OUTPUT (or --sqlite DB --table T --column C)")
    if args.table or args.batch_rows or args.single_transaction:
        raise InvalidInputError("--table, --batch-rows and --single-transaction go with --sqlite")
    return open_input(args.input, column, args.format), args.output


def _client(args):
    from ..v3 import V3Client
    from ..v3.auth import StaticTokenAuth
    from ..v3.credentials import find_auth

    auth = StaticTokenAuth(args.token) if args.token else find_auth()
    rate = args.rate_limit if args.rate_limit and args.rate_limit > 0 else None
    return V3Client(args.base_url, auth=auth, rate_limit=rate)


def _progress_factory(kind):
    if not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return lambda total: tqdm(total=total, unit="id", desc=f"xref {kind}", file=sys.stderr, leave=False)


def _change_printer():
    def on_change(location, old, new):
        from ..migrate.values import display

        sys.stdout.write(f"{location}\t{display(old)}\t{new}\n")

    return on_change


def run_migrate(args):
    from ..migrate import EXIT_FAILED, EXIT_USAGE, migrate
    from ..migrate.crash import CrashPoints
    from ..v3.errors import CTCTError, InvalidInputError
    from ..xref import XrefResolver
    from ..xref_cache import SqliteXrefCache, XrefCacheError

    target = client = cache = None
    try:
        target, output = _open_target(args)
        cache = SqliteXrefCache(args.cache) if args.cache else SqliteXrefCache()
        client = _client(args)
        resolver = XrefResolver(client, cache=cache, account=args.account)
        summary, code = migrate(
            target, resolver, args.kind, output=output, report_path=args.report or _sqlite_report(args),
            allow_unmapped=args.allow_unmapped, dry_run=args.dry_run, recheck_unmapped=args.recheck_unmapped,
            progress=_progress_factory(args.kind), on_change=_change_printer() if args.dry_run else None,
            crash=CrashPoints() or None, log=_say)
    except InvalidInputError as err:
        _say(f"error: {err.message}")
        return EXIT_USAGE
    except XrefCacheError as err:
        _say(f"error: {err.message}")
        return EXIT_FAILED
    except CTCTError as err:
        where = f" (answered batches are kept in {cache.path}: rerun to continue)" if cache is not None else ""
        _say(f"error: {err}{where}")
        return EXIT_FAILED
    except UnicodeDecodeError:
        _say("error: the input is not UTF-8 text (save it as UTF-8 and run again)")
        return EXIT_USAGE
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_FAILED
    except OSError as err:
        _say(f"error: {err.strerror or err}: {getattr(err, 'filename', '') or ''}")
        return EXIT_FAILED
    finally:
        for resource in (target, client, cache):
            close = getattr(resource, "close", None)
            if close:
                close()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    print(summary.line(), file=sys.stderr)
    print(summary.details(), file=sys.stderr)
    if summary.report:
        print(f"  unmapped ids: {summary.report}", file=sys.stderr)
    if summary.written and output:
        print(f"  output: {output}", file=sys.stderr)
    sys.stderr.flush()
    return code


def _sqlite_report(args):
    """The sqlite mode's report lives next to the database, named after the table."""
    if not args.sqlite:
        return None
    return f"{args.sqlite}.{args.table}.unmapped.csv"


def _silence_stdout():
    # Output went to a closed pipe (`| head`): point stdout at devnull so exit is quiet.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _open_cache(path):
    from ..xref_cache import SqliteXrefCache

    return SqliteXrefCache(path) if path else SqliteXrefCache()


def run_export(args):
    from ..v3.errors import CTCTError
    from ..xref_mapping import export_mapping

    try:
        with _open_cache(args.cache) as cache:
            count = export_mapping(cache, args.output, format=args.format, account=args.account, kind=args.kind,
                                   include_unmapped=not args.mapped_only)
    except CTCTError as err:
        print(f"ctct xref-export: error: {err.message}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"ctct xref-export: error: {err}", file=sys.stderr)
        return 3
    print(f"ctct xref-export: {count} xref(s) written to {args.output}", file=sys.stderr)
    return 0


def run_import(args):
    from ..v3.errors import CTCTError
    from ..xref_mapping import import_mapping

    try:
        with _open_cache(args.cache) as cache:
            count = import_mapping(cache, args.input, format=args.format)
            path = cache.path
    except CTCTError as err:
        print(f"ctct xref-import: error: {err.message}", file=sys.stderr)
        return 2
    print(f"ctct xref-import: {count} xref(s) loaded into {path}", file=sys.stderr)
    return 0
