"""`ctct atom2json FILE...` and `ctct json2atom KIND FILE`: convert V2 Atom archives.

atom2json prints, for one file, {"file", "kind", "next", "items", "warnings"}; for several, a
JSON array of those; with --lines, one JSON item per line, streamed (for big feeds).
Warnings also go to stderr. json2atom reads a JSON list of items, a single item, or an
atom2json object, and prints the Atom document. "-" names standard input.
"""
import json
import sys

KIND_HELP = "payload kind (default: told from the payload)"


def register(subparsers):
    to_json = subparsers.add_parser("atom2json", help="read V2 Atom payloads, print legacy dicts as JSON")
    to_json.add_argument("files", nargs="+", metavar="FILE", help='Atom files ("-" for stdin)')
    to_json.add_argument("--kind", help=KIND_HELP)
    to_json.add_argument("--lines", action="store_true", help="stream: one JSON item per line")
    to_json.add_argument("--indent", type=int, default=2, help="JSON indent (default 2; 0 for compact)")
    to_json.set_defaults(func=run_atom2json)

    to_atom = subparsers.add_parser("json2atom", help="write legacy dicts (JSON) as a V2 Atom payload")
    to_atom.add_argument("kind", metavar="KIND", help="payload kind: contacts, contact, campaigns, ...")
    to_atom.add_argument("file", metavar="FILE", help='JSON file ("-" for stdin)')
    to_atom.add_argument("--next", help='rel="next" link of a feed (default: the JSON\'s "next")')
    to_atom.add_argument("-o", "--output", help="write here instead of stdout")
    to_atom.set_defaults(func=run_json2atom)


def _fail(command, where, error):
    print(f"ctct {command}: {where}: {error}", file=sys.stderr)


def _read_bytes(name):
    if name == "-":
        return sys.stdin.buffer.read()
    with open(name, "rb") as handle:
        return handle.read()


def run_atom2json(args):
    from .. import atom

    status = 0
    results = []
    indent = args.indent or None
    for name in args.files:
        try:
            if args.lines:
                source = sys.stdin.buffer if name == "-" else name
                for item in atom.iterparse(source, args.kind, source_name=name):
                    sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
                continue
            parsed = atom.parse(_read_bytes(name), args.kind, source_name=name)
        except (atom.AtomError, OSError) as error:
            _fail("atom2json", name, error)
            status = 1
            continue
        results.append({"file": name, **parsed.as_dict()})
    if not args.lines and results:
        document = results[0] if len(args.files) == 1 else results
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=indent) + "\n")
    return status


def run_json2atom(args):
    from .. import atom

    try:
        document = json.loads(_read_bytes(args.file).decode("utf-8"))
    except OSError as error:
        _fail("json2atom", args.file, error)
        return 1
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        _fail("json2atom", args.file, f"not JSON: {error}")
        return 2
    next_link = args.next
    if isinstance(document, dict) and "items" in document:
        if document.get("kind") not in (None, args.kind):
            _fail("json2atom", args.file, f"the JSON holds {document['kind']} items, not {args.kind}")
            return 2
        next_link = next_link or document.get("next")
        items = document["items"]
    else:
        items = document
    try:
        data = atom.render(args.kind, items, next=next_link)
    except atom.AtomError as error:
        _fail("json2atom", args.file, error)
        return 1
    if args.output:
        with open(args.output, "wb") as handle:
            handle.write(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0
