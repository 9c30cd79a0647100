"""Write a synthetic V2 contacts feed of a given size (for bench_atom.py; never committed).

Entries are contact summaries as `GET /ws/customers/{user}/contacts` returned them, with
varied names (some non-ASCII, some with escaped '&'), so the parser does representative work.

    python benchmarks/atom_feed.py OUT.xml --size-mb 50
"""
import argparse
import random

HEAD = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>http://api.constantcontact.com/ws/customers/joesflowers/contacts</id>
  <title type="text">Contacts for Customer: joesflowers</title>
  <link href="contacts" />
  <link href="contacts" rel="self" />
  <author>
    <name>joesflowers</name>
  </author>
  <updated>2010-04-22T00:09:05.992Z</updated>
  <link href="/ws/customers/joesflowers/contacts?next=g24umerp-fymhqg" rel="next" />
  <link href="/ws/customers/joesflowers/contacts" rel="first" />
  <link href="/ws/customers/joesflowers/contacts" rel="current" />
"""
ENTRY = """  <entry>
    <link href="/ws/customers/joesflowers/contacts/{n}" rel="edit" />
    <id>http://api.constantcontact.com/ws/customers/joesflowers/contacts/{n}</id>
    <title type="text">Contact: {email}</title>
    <updated>2010-04-22T00:09:06.{ms:03d}Z</updated>
    <author>
      <name>Constant Contact</name>
    </author>
    <content type="application/vnd.ctct+xml">
      <Contact xmlns="http://ws.constantcontact.com/ns/1.0/" id="http://api.constantcontact.com/ws/customers/joesflowers/contacts/{n}">
        <Status>{status}</Status>
        <EmailAddress>{email}</EmailAddress>
        <EmailType>HTML</EmailType>
        <Name>{last}, {first}</Name>
        <OptInTime>2010-04-21T18:35:34.{ms:03d}Z</OptInTime>
        <OptInSource>{source}</OptInSource>
      </Contact>
    </content>
  </entry>
"""
TAIL = "</feed>\n"
FIRST = ["Jon", "Marvin", "Zoë", "José", "Ann", "Mike", "Łukasz", "Søren", "Fred", "Joan"]
LAST = ["Smith", "Doe", "Müller", "O'Brien", "Nguyễn", "Smith &amp; Sons", "Larson", "Ryan"]
STATUS = ["Active", "Active", "Active", "Unconfirmed", "Do Not Mail", "Removed"]
SOURCE = ["ACTION_BY_CUSTOMER", "ACTION_BY_CONTACT"]


def write_feed(path, size_mb, seed=2009):
    """Write the feed to `path`; returns (bytes written, entries)."""
    target = int(size_mb * 1024 * 1024)
    rng = random.Random(seed)
    written = 0
    entries = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        written += out.write(HEAD)
        batch = []
        while written < target:
            entries += 1
            first, last = rng.choice(FIRST), rng.choice(LAST)
            email = f"{first.lower()}.{entries}@example.com".encode("ascii", "ignore").decode()
            text = ENTRY.format(n=entries, email=email, first=first, last=last, ms=entries % 1000,
                                status=rng.choice(STATUS), source=rng.choice(SOURCE))
            batch.append(text)
            written += len(text.encode("utf-8"))
            if len(batch) >= 1000:
                out.write("".join(batch))
                batch = []
        out.write("".join(batch))
        out.write(TAIL)
    return written + len(TAIL), entries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--size-mb", type=float, default=50)
    args = parser.parse_args()
    size, entries = write_feed(args.out, args.size_mb)
    print(f"{args.out}: {size / 1e6:.1f} MB, {entries} entries")


if __name__ == "__main__":
    main()
