"""CAP 1.2 cases no sample sends, each a small hand-made document with its expected reading written here
(issue 17: the surviving mutants of cap/parse.py and cap/rules.py)."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from pipelines.disasters.cap.parse import parse_cap
from pipelines.disasters.cap.rules import CapError

HEAD = ('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>H1</identifier><sender>s@x</sender>'
        "<sent>2025-11-17T08:00:00+07:00</sent><status>Actual</status>")
INFO = ("<info><category>Met</category><event>Flood</event><urgency>Expected</urgency>"
        "<severity>Moderate</severity><certainty>Likely</certainty>{extra}</info>")


def _doc(msg_type: str = "Alert", scope: str = "<scope>Public</scope>", middle: str = "",
         info_extra: str = "", tail: str = "") -> str:
    return (f"{HEAD}<msgType>{msg_type}</msgType>{scope}{middle}"
            f"{INFO.format(extra=info_extra)}{tail}</alert>")


def _refusal(doc: str) -> str:
    with pytest.raises(CapError) as err:
        parse_cap(doc)
    return str(err.value)


def test_a_document_given_as_text_is_read() -> None:
    # a str (not bytes) with a non-ASCII event name: encoded as UTF-8 before parsing
    a = parse_cap(_doc().replace("<event>Flood</event>", "<event>Lũ lụt</event>"))
    assert a.identifier == "H1" and a.infos[0].event == "Lũ lụt"


def test_an_empty_code_is_read_as_empty() -> None:
    assert parse_cap(_doc(middle="<code></code><code> IPAWS </code>")).codes == ["", "IPAWS"]


def test_private_scope_needs_addresses() -> None:
    assert _refusal(_doc(scope="<scope>Private</scope>")) == "alert: scope Private needs <addresses>"
    a = parse_cap(_doc(scope="<scope>Private</scope><addresses>ops@hue</addresses>"))
    assert (a.scope, a.addresses) == ("Private", "ops@hue")


@pytest.mark.parametrize("msg_type", ["Update", "Cancel", "Ack", "Error"])
def test_an_answer_without_references_is_refused(msg_type: str) -> None:
    assert _refusal(_doc(msg_type)) == f"alert: msgType {msg_type} without <references>"
    ref = "<references>s@x,H0,2025-11-17T07:00:00+07:00</references>"
    assert parse_cap(_doc(msg_type, middle=ref)).references == [("s@x", "H0", "2025-11-17T07:00:00+07:00")]


def test_description_and_resource_uri_are_kept() -> None:
    extra = ("<description>Water 3.2 m at Kim Long</description>"
             "<resource><resourceDesc>map</resourceDesc><mimeType>image/png</mimeType>"
             "<uri>http://example.invalid/m.png</uri></resource>"
             "<resource><resourceDesc>table</resourceDesc><mimeType>text/csv</mimeType></resource>")
    info = parse_cap(_doc(info_extra=extra)).infos[0]
    assert info.description == "Water 3.2 m at Kim Long"
    assert [(r.resource_desc, r.uri) for r in info.resources] == [("map", "http://example.invalid/m.png"),
                                                                  ("table", None)]
    assert parse_cap(_doc()).infos[0].description is None


def test_resources_are_numbered_from_one_in_refusals() -> None:
    bad = "<resource><resourceDesc>map</resourceDesc><mimeType>image/png</mimeType><size>big</size></resource>"
    assert _refusal(_doc(info_extra=bad)) == "alert/info[1]/resource[1]: 'big' is not a number"


def test_nothing_of_cap_after_the_signature() -> None:
    sig = '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>'
    assert parse_cap(_doc(tail=sig)).identifier == "H1"
    doc = _doc(tail=sig).replace(sig + "</alert>", sig + "<note>late</note></alert>")
    assert _refusal(doc) == "alert: element <note> after the signature"


def test_an_element_given_twice_is_named_with_its_limit() -> None:
    doc = _doc().replace("<sender>s@x</sender>", "<sender>s@x</sender><sender>t@x</sender>")
    assert _refusal(doc) == "alert: element <sender> occurs more than 1 time(s)"
    # the refusal names where it is: a second <event> inside the first info block
    doc = _doc().replace("<event>Flood</event>", "<event>Flood</event><event>Storm</event>")
    assert _refusal(doc) == "alert/info[1]: element <event> occurs more than 1 time(s)"


def test_an_out_of_order_alert_names_the_alert() -> None:
    doc = _doc().replace("<status>Actual</status>", "").replace("</msgType>", "</msgType><status>Actual</status>")
    assert _refusal(doc) == "alert: element <status> out of order (after <msgType>)"


def test_a_bad_sender_is_named() -> None:
    assert _refusal(_doc().replace("<sender>s@x</sender>", "<sender>s x</sender>")) == (
        "alert: <sender> 's x' is empty or contains spaces, commas, '<' or '&'")


def test_an_impossible_date_is_refused_with_its_text() -> None:
    doc = _doc().replace("2025-11-17T08:00:00+07:00", "2025-02-30T08:00:00+07:00")
    assert _refusal(doc).startswith("alert/sent: '2025-02-30T08:00:00+07:00' is not a valid date/time: ")


def test_times_are_utc_whatever_the_machine_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    # on a machine set to Vietnam time a conversion to "local" would give +07:00, not UTC
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    try:
        sent = parse_cap(_doc()).sent
    finally:
        monkeypatch.undo()
        time.tzset()
    assert sent == dt.datetime(2025, 11, 17, 1, tzinfo=dt.UTC)
    assert sent.utcoffset() == dt.timedelta(0)


def test_a_time_with_its_own_zone_is_written_in_that_zone() -> None:
    from pipelines.disasters.cap.rules import format_cap_datetime

    # only a naive time is taken as UTC: an aware one keeps its offset (no zone asked for)
    vn = dt.timezone(dt.timedelta(hours=7))
    assert format_cap_datetime(dt.datetime(2025, 11, 17, 8, 0, 30, 999, tzinfo=vn)) == "2025-11-17T08:00:30+07:00"
