"""Ill-formed payloads are read where their content is recoverable, each tolerance reported
once at WARNING on the "ctct" logger; unreadable ones raise one AtomError with kind and position."""
import logging

import pytest

from ctct import atom

from .conftest import ATOM_FIXTURES

JOE = "http://api.constantcontact.com/ws/customers/joesflowers"


def contacts_feed():
    return (ATOM_FIXTURES / "contacts_feed.xml").read_bytes()


def names(parsed):
    return [item["name"] for item in parsed.items]


def test_latin1_bytes_in_a_utf8_payload_are_read_as_windows_1252():
    data = contacts_feed().replace(b"Doe, Marvin", b"M\xfcller, Ren\xe9 \x93quoted\x94")
    parsed = atom.parse(data)
    assert names(parsed) == ["smith, jon", "Müller, René \u201cquoted\u201d"]
    assert any("Windows-1252" in w for w in parsed.warnings)


def test_mixed_utf8_and_latin1_keeps_the_utf8_text():
    data = contacts_feed().replace(b"smith, jon", "Jürgen".encode("utf-8")).replace(b"Doe, Marvin", b"M\xfcller")
    assert names(atom.parse(data)) == ["Jürgen", "Müller"]


def test_declared_and_bom_encodings_need_no_repair():
    latin = contacts_feed().replace(b"encoding='UTF-8'", b"encoding='ISO-8859-1'").replace(b"Doe, Marvin", b"M\xfcller")
    parsed = atom.parse(latin)
    assert names(parsed)[1] == "Müller" and parsed.warnings == []
    utf16 = contacts_feed().decode("utf-8").replace("encoding='UTF-8'", "encoding='UTF-16'").encode("utf-16")
    assert atom.parse(utf16).items == atom.parse(contacts_feed()).items


def test_undeclared_html_entities_become_their_characters():
    data = contacts_feed().replace(b"Doe, Marvin", b"Doe&nbsp;Marvin &eacute;&hellip; &amp; &bogus;")
    parsed = atom.parse(data)
    assert names(parsed)[1] == "Doe\u00a0Marvin \u00e9\u2026 & &bogus;"
    assert any("entities" in w for w in parsed.warnings)


def test_bare_ampersands_and_less_than_signs_are_escaped():
    data = contacts_feed().replace(b"Doe, Marvin", b"AT&T < 5 & co")
    parsed = atom.parse(data)
    assert names(parsed)[1] == "AT&T < 5 & co"
    assert any("'&'" in w for w in parsed.warnings) and any("'<'" in w for w in parsed.warnings)


def test_escaped_xml_inside_content_is_read_as_the_body():
    data = f"""<entry xmlns="http://www.w3.org/2005/Atom"><id>{JOE}/lists/9</id>
      <content type="application/vnd.ctct+xml">&lt;ContactList xmlns="http://ws.constantcontact.com/ns/1.0/"
        id="{JOE}/lists/9"&gt;&lt;Name&gt;Escaped&lt;/Name&gt;&lt;/ContactList&gt;</content></entry>"""
    parsed = atom.parse(data)
    assert parsed.kind == "contact_list" and parsed.items[0]["name"] == "Escaped"
    assert any("escaped XML" in w for w in parsed.warnings)


@pytest.mark.parametrize("cut", ["</entry>\n  <entry>", "<Name>Doe", "<EmailType>HT"])
def test_a_truncated_feed_keeps_its_complete_entries(cut):
    data = contacts_feed()
    data = data[:data.rindex(cut.encode()) + len(cut)]
    parsed = atom.parse(data)
    assert parsed.kind == "contacts"
    assert [item["email_address"] for item in parsed.items] == ["jon@example.com"]
    assert any("cut short" in w and "1 complete entries" in w for w in parsed.warnings)


def test_a_feed_cut_inside_its_first_entry_is_an_empty_feed_of_its_kind():
    data = contacts_feed()
    parsed = atom.parse(data[:data.index(b"<EmailType>HT")])
    assert (parsed.kind, parsed.items) == ("contacts", [])
    assert any("cut short" in w for w in parsed.warnings)


def test_a_truncated_entry_is_recovered_partially():
    data = (ATOM_FIXTURES / "contact_entry.xml").read_bytes()
    data = data[:data.index(b"<Addr1>")]
    parsed = atom.parse(data)
    item = parsed.items[0]
    assert (item["email_address"], item["work_phone"], item["addr1"]) == ("joe@example.com", "", None)
    assert any("recover mode" in w for w in parsed.warnings)


def test_each_problem_is_logged_once_per_payload(caplog):
    data = contacts_feed().replace(b"smith, jon", b"&nbsp;a").replace(b"Doe, Marvin", b"&nbsp;b")
    with caplog.at_level(logging.WARNING, logger="ctct"):
        parsed = atom.parse(data, source_name="feed.xml")
    records = [r for r in caplog.records if r.name == "ctct"]
    assert [r.getMessage() for r in records] == [f"atom: feed.xml: {w}" for w in parsed.warnings]
    assert len(records) == 1 and records[0].levelno == logging.WARNING


def test_a_well_formed_payload_logs_nothing(caplog):
    with caplog.at_level(logging.DEBUG, logger="ctct"):
        parsed = atom.parse(contacts_feed())
    assert parsed.warnings == [] and caplog.records == []


@pytest.mark.parametrize("data, kind, line", [
    (b"hello, not XML at all", None, 1),
    (b"<?xml version='1.0'?>\n<feed xmlns='http://www.w3.org/2005/Atom'>\n  <", None, 3),
    (b"\n\n<feed", "contacts", 3),
])
def test_unreadable_input_raises_one_atom_error_with_kind_and_position(data, kind, line):
    with pytest.raises(atom.AtomError) as caught:
        atom.parse(data, kind=kind)
    error = caught.value
    assert error.kind == kind and error.line == line and error.column is not None
    assert f"line {line}" in str(error)


def test_empty_input_is_an_atom_error():
    with pytest.raises(atom.AtomError, match="empty"):
        atom.parse(b"  \n")


def test_first_occurrence_of_a_field_wins_like_findtext():
    data = contacts_feed().replace(b"<Name>smith, jon</Name>", b"<Name>first</Name><Name>second</Name>")
    assert names(atom.parse(data))[0] == "first"


# --- the other V2 payload: activity form bodies ------------------------------------------------

LISTS = ["http://api.constantcontact.com/ws/customers/joesflowers/lists/1",
         "http://api.constantcontact.com/ws/customers/joesflowers/lists/2"]


def test_activity_form_bodies_give_create_activity_arguments():
    add = atom.parse_activity_form((ATOM_FIXTURES / "activities_create_form.txt").read_bytes())
    assert add == {"type": "SV_ADD", "lists": LISTS, "data": {
        "columns": ["Email Address", "First Name", "Last Name"],
        "rows": [["wstest3@example.com", "Fred", "Test"], ["wstest4@example.com", "Joan", "Test"],
                 ["wstest5@example.com", "Ann", "Test"]]}}
    clear = atom.parse_activity_form((ATOM_FIXTURES / "activities_create_form_clear_contacts.txt").read_text())
    assert clear == {"type": "CLEAR_CONTACTS_FROM_LISTS", "lists": LISTS, "data": None}
    export = atom.parse_activity_form((ATOM_FIXTURES / "activities_create_form_export_contacts.txt").read_text())
    assert export == {"type": "EXPORT_CONTACTS", "lists": LISTS[1:], "data": {
        "fileType": "CSV", "exportOptDate": "true", "exportOptSource": "true", "exportListName": "true",
        "sortBy": "DATE_DESC", "columns": ["EMAIL ADDRESS", "FIRST NAME", "LAST NAME"]}}


def test_activity_form_quoting_and_errors():
    body = "activityType=ADD_CONTACTS&data=Email+Address%2CCompany%0D%0Aa%40b.com%2C%22Smith%2C+Inc%22%0D%0A"
    assert atom.parse_activity_form(body)["data"] == {"columns": ["Email Address", "Company"],
                                                      "rows": [["a@b.com", "Smith, Inc"]]}
    with pytest.raises(atom.AtomError, match="activityType"):
        atom.parse_activity_form("lists=x")
