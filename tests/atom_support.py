"""Synthetic V2 contact feeds of any length, produced on demand (nothing large is stored)."""
import io

FEED_HEAD = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>http://api.constantcontact.com/ws/customers/joesflowers/contacts</id>
  <title type="text">Contacts for Customer: joesflowers</title>
  <link href="contacts" />
  <link href="contacts" rel="self" />
  <author><name>joesflowers</name></author>
  <updated>2010-04-22T00:09:05.992Z</updated>
  <link href="/ws/customers/joesflowers/contacts?next=page2" rel="next" />
"""
ENTRY = """  <entry>
    <link href="/ws/customers/joesflowers/contacts/{n}" rel="edit" />
    <id>http://api.constantcontact.com/ws/customers/joesflowers/contacts/{n}</id>
    <title type="text">Contact: user{n}@example.com</title>
    <updated>2010-04-22T00:09:06.017Z</updated>
    <author><name>Constant Contact</name></author>
    <content type="application/vnd.ctct+xml">
      <Contact xmlns="http://ws.constantcontact.com/ns/1.0/" id="http://api.constantcontact.com/ws/customers/joesflowers/contacts/{n}">
        <Status>Active</Status>
        <EmailAddress>user{n}@example.com</EmailAddress>
        <EmailType>HTML</EmailType>
        <Name>Smith, User {n}</Name>
        <OptInTime>2010-04-21T18:35:34.066Z</OptInTime>
        <OptInSource>ACTION_BY_CUSTOMER</OptInSource>
      </Contact>
    </content>
  </entry>
"""
FEED_TAIL = b"</feed>\n"


def entry(n):
    return ENTRY.format(n=n).encode("utf-8")


class FeedStream(io.RawIOBase):
    """A readable binary stream of a contacts feed with `count` entries."""

    def __init__(self, count):
        self._chunks = self._generate(count)
        self._buffer = b""
        self.served = 0

    @staticmethod
    def _generate(count):
        yield FEED_HEAD
        batch = []
        for n in range(1, count + 1):
            batch.append(entry(n))
            if len(batch) == 200:
                yield b"".join(batch)
                batch = []
        if batch:
            yield b"".join(batch)
        yield FEED_TAIL

    def readable(self):
        return True

    def read(self, size=-1):
        size = 65536 if size is None or size < 0 else size
        while len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        self.served += len(out)
        return out


def feed_bytes(count):
    stream = FeedStream(count)
    return b"".join(iter(lambda: stream.read(1 << 20), b""))
