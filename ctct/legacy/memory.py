"""What one legacy connection remembers between calls.

V3 keeps some facts the 2009 API exposed nowhere a later call can read them back: an
activity's legacy type, the V3 activities one legacy import was split into, the rows ctct
skipped before sending. Other facts never change once known (a campaign's primary_email
activity) and are worth one request only once. Each `LegacyContext` (one per
`CTCTConnection`) gets its own memory; it lives exactly as long as the context does.
"""
import threading
import weakref

_MEMORIES = weakref.WeakKeyDictionary()
_GUARD = threading.Lock()


class ActivityRecord:
    """An activity created through this connection.

    legacy_type: the type word the caller asked for ("SV_ADD", ...).
    parts: every V3 activity id it became, in order (the first is the id returned).
    line_offsets: for each part, the caller's line number of its first data row, so a V3
        error naming a part's row maps back to the caller's line.
    skipped: errors found before sending ({'line_number', 'email_address', 'message'}),
        reported by get_activity with V3's errors.
    emails: the caller's email addresses in order (line 2 is emails[0]).
    lines: lower-cased email address or contact id -> the caller's line number, to place
        V3 errors that name a contact but no line.
    """

    def __init__(self, legacy_type, parts, *, line_offsets=None, skipped=(), emails=(), lines=None):
        self.legacy_type = legacy_type
        self.parts = list(parts)
        self.line_offsets = list(line_offsets or [])
        self.skipped = list(skipped)
        self.emails = list(emails)
        self.lines = dict(lines or {})
        if not self.lines:
            for index, email in enumerate(self.emails):
                self.lines.setdefault(email.lower(), index + 2)

    def email_on_line(self, line):
        index = int(line) - 2
        return self.emails[index] if 0 <= index < len(self.emails) else None


class LegacyMemory:
    def __init__(self):
        self.lock = threading.Lock()
        self.primary_activity = {}  # campaign_id -> primary_email campaign_activity_id
        self.campaign_of_activity = {}  # campaign_activity_id -> campaign_id
        self.activities = {}  # first V3 activity id -> ActivityRecord
        self.part_of = {}  # any later part's V3 activity id -> first V3 activity id

    def remember_campaign(self, campaign):
        """Record a V3 EmailCampaign's activity ids (they never change)."""
        campaign_id = campaign.get("campaign_id")
        with self.lock:
            for ref in campaign.get("campaign_activities") or []:
                activity_id = ref.get("campaign_activity_id")
                if not activity_id:
                    continue
                self.campaign_of_activity[activity_id] = campaign_id
                if ref.get("role") == "primary_email":
                    self.primary_activity[campaign_id] = activity_id

    def remember_activity(self, record):
        with self.lock:
            first = record.parts[0]
            self.activities[first] = record
            for later in record.parts[1:]:
                self.part_of[later] = first

    def activity_record(self, activity_id):
        with self.lock:
            return self.activities.get(activity_id)

    def is_later_part(self, activity_id):
        with self.lock:
            return activity_id in self.part_of


def memory_for(ctx):
    """The memory of this context (created on first use)."""
    with _GUARD:
        memory = _MEMORIES.get(ctx)
        if memory is None:
            memory = _MEMORIES[ctx] = LegacyMemory()
        return memory
