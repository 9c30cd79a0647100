"""Measure how much of damaged V2 payloads each reading strategy recovers.

Cases: the malformed and quirky captured fixtures, plus clean fixtures damaged the ways old
archives are (Latin-1 bytes in UTF-8, undeclared HTML entities, bare '&', cut short). The
truth for each case is the strict read of its undamaged (or hand-fixed) text. Strategies:
  - lxml strict:   lxml with no recovery (the legacy dicts built by ctct's reader)
  - lxml recover:  lxml's recover mode, no text repairs (same reader)
  - feedparser:    feedparser.parse(), its flattened entry keys mapped to the legacy keys
  - ctct.atom:     atom.parse(): strict, then text repairs, then recover mode
Score: legacy fields read with the true value / fields in the truth (wrong values count 0).

    python benchmarks/tolerance_atom.py     # table + benchmarks/results/atom_tolerance.json
"""
import io
import json
import logging
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import feedparser  # noqa: E402

from ctct import atom  # noqa: E402
from ctct.atom.notes import Notes  # noqa: E402
from ctct.atom.stream import FeedReading, Source  # noqa: E402

FIXTURES = REPO / "tests" / "fixtures" / "v2-atom"


def fixture(name):
    return (FIXTURES / name).read_bytes()


def cut(data, fraction):
    return data[:int(len(data) * fraction)]


# (case, damaged bytes, clean bytes, kind)
def cases():
    contacts = fixture("contacts_feed.xml")
    members = fixture("list_members_feed_large.xml")
    doc_campaign = fixture("campaign_entry_sent_urls_doc_artifacts.xml")
    doc_events = fixture("campaign_events_sends_feed_doc_artifacts.xml")
    residue = b'< a style="text-decoration: none;" onclick="return false" onmouseover="return false" ' \
              b'rel="nofollow" target="_blank" onfocus="return false">'
    yield ("fixture: trailing quote", fixture("contact_entry_trailing_quote.xml"),
           fixture("contact_entry_trailing_quote.xml").rstrip(b'"'), None)
    yield ("fixture: trailing quote, 2 lists", fixture("contact_entry_two_lists_trailing_quote.xml"),
           fixture("contact_entry_two_lists_trailing_quote.xml").rstrip(b'"'), None)
    yield ("fixture: space in xmlns", fixture("campaign_entry_custom_draft_stats.xml"),
           fixture("campaign_entry_custom_draft_stats.xml").replace(b'xmlns=" http', b'xmlns="http'), None)
    yield ("fixture: docs residue (campaign)", doc_campaign,
           doc_campaign.replace(residue, b"").replace(b"< http", b"http"), None)
    yield ("fixture: docs residue + open <title>", doc_events,
           doc_events.replace(residue, b"").replace(b"110054...\n", b"110054...</title>\n"), "campaign_events")
    yield ("fixture: no Atom namespace", fixture("contact_list_entry_no_atom_ns.xml"),
           fixture("contact_list_entry_no_atom_ns.xml"), None)
    yield ("fixture: wrapped ids", fixture("contacts_feed_paged.xml"), fixture("contacts_feed_paged.xml"), None)
    yield ("latin-1 bytes in UTF-8", contacts.replace(b"Doe, Marvin", b"M\xfcller, Ren\xe9"),
           contacts.replace(b"Doe, Marvin", "Müller, René".encode()), None)
    yield ("undeclared entities", contacts.replace(b"Doe, Marvin", b"Doe&nbsp;Marvin &eacute;"),
           contacts.replace(b"Doe, Marvin", "Doe\u00a0Marvin é".encode()), None)
    yield ("bare ampersand", contacts.replace(b"smith, jon", b"Smith & Sons"),
           contacts.replace(b"smith, jon", b"Smith &amp; Sons"), None)
    truncated = cut(members, 0.7)
    complete = truncated[:truncated.rindex(b"</entry>") + len(b"</entry>")] + b"\n</feed>\n"
    yield ("cut short at 70%", truncated, complete, None)


def truth(clean, kind):
    return atom.parse(clean, kind).items


def read_lxml(data, kind, recover):
    reading = FeedReading(Source(io.BytesIO(data)), kind, Notes(), recover=recover)
    try:
        items = list(reading.items())
    except atom.AtomError:
        return []
    if reading.error is not None and not reading.root_done and not recover:
        return items if reading.truncated else []
    return items


def read_feedparser(data, kind, keys):
    parsed = feedparser.parse(data)
    items = []
    for entry in parsed.entries:
        item = {}
        for key in keys:
            if key in ("id", "updated"):
                item[key] = entry.get(key)
            else:
                item[key] = entry.get(key.replace("_", ""))
        items.append(item)
    return items


def score(expected, got):
    total = right = 0
    for index, truth_item in enumerate(expected):
        candidate = got[index] if index < len(got) else {}
        for key, value in truth_item.items():
            total += 1
            right += candidate.get(key) == value
    return right, total


def main():
    logging.disable(logging.WARNING)
    rows = []
    totals = {}
    for name, damaged, clean, kind in cases():
        expected = truth(clean, kind)
        keys = list(expected[0]) if expected else []
        results = {
            "lxml strict": read_lxml(damaged, kind, recover=False),
            "lxml recover": read_lxml(damaged, kind, recover=True),
            "feedparser": read_feedparser(damaged, kind, keys),
        }
        try:
            results["ctct.atom"] = atom.parse(damaged, kind).items
        except atom.AtomError:
            results["ctct.atom"] = []
        row = {"case": name}
        for strategy, items in results.items():
            right, total = score(expected, items)
            row[strategy] = [right, total]
            acc = totals.setdefault(strategy, [0, 0])
            acc[0] += right
            acc[1] += total
        rows.append(row)
    strategies = list(totals)
    print(f"{'case':<40}" + "".join(f"{s:>14}" for s in strategies))
    for row in rows:
        print(f"{row['case']:<40}" + "".join(f"{row[s][0]:>8}/{row[s][1]:<5}" for s in strategies))
    print(f"{'total fields recovered':<40}" + "".join(
        f"{100 * totals[s][0] / totals[s][1]:>13.1f}%" for s in strategies))
    out = REPO / "benchmarks" / "results" / "atom_tolerance.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"cases": rows, "totals": totals}, indent=2) + "\n")
    print(f"written: {out}")


if __name__ == "__main__":
    main()
