"""Every single-contact, import and segment method against the emulator over real HTTP."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path
from typing import Iterator

import pytest

import yespo
from yespo.testing import Emulator

from _data import contact, contacts, email


def test_add_get_update_delete(client: yespo.Client, emulator: Emulator) -> None:
    cid = client.add_contact(contact(1, externalCustomerId="crm-1"))
    got = client.get_contact(cid)
    assert got["firstName"] == "First1"
    assert {"type": "email", "value": email(1)} in got["channels"]
    assert emulator.contact(cid)["source"] == "api"

    client.update_contact(cid, contact(1, firstName="Renamed"))
    assert client.get_contact(cid)["firstName"] == "Renamed"

    client.delete_contact(cid)
    with pytest.raises(yespo.NotFoundError) as info:
        client.get_contact(cid)
    assert info.value.status == 404 and info.value.code == -8
    assert emulator.contact(cid)["deleted"] is True


def test_update_missing_contact_is_not_found(client: yespo.Client) -> None:
    with pytest.raises(yespo.NotFoundError):
        client.update_contact(987654321, contact(2))


def test_delete_by_external_id(client: yespo.Client, emulator: Emulator) -> None:
    cid = client.add_contact(contact(3, externalCustomerId="crm-3"))
    client.delete_contact(external_customer_id="crm-3")
    with pytest.raises(yespo.NotFoundError):
        client.get_contact(cid)
    cid2 = client.add_contact(contact(4, externalCustomerId="crm-4"))
    client.delete_contact(external_customer_id="crm-4", erase=True)
    with pytest.raises(yespo.NotFoundError):
        client.get_contact(cid2)
    with pytest.raises(yespo.NotFoundError):
        client.delete_contact(external_customer_id="crm-none")


def test_delete_argument_rules(client: yespo.Client) -> None:
    with pytest.raises(yespo.ValidationError, match="exactly one"):
        client.delete_contact()
    with pytest.raises(yespo.ValidationError, match="exactly one"):
        client.delete_contact(1, external_customer_id="x")
    with pytest.raises(yespo.ValidationError, match="erase"):
        client.delete_contact(1, erase=True)


def test_subscribe_creates_unconfirmed_contact_and_event(client: yespo.Client, emulator: Emulator) -> None:
    cid = client.subscribe(contact(5), groups=["Newsletter"], form_type="footer")
    stored = emulator.contact(cid)
    assert stored["source"] == "subscriptionForm"
    assert stored["confirmed"] is False
    types = [e["type"] for e in emulator.events()]
    assert "subscribeFromApi-footer" in types


def test_single_call_argument_types(client: yespo.Client) -> None:
    with pytest.raises(yespo.ValidationError, match="contact must be a dict"):
        client.add_contact(["not", "a", "dict"])
    with pytest.raises(yespo.ValidationError, match="contact_id must be an int"):
        client.get_contact("12")  # type: ignore[arg-type]
    with pytest.raises(yespo.ValidationError, match="contact_id must be between"):
        client.get_contact(2**70)
    with pytest.raises(yespo.ValidationError, match="cannot be encoded as JSON"):
        client.add_contact({"channels": [{"type": "email", "value": b"bytes@example.com"}]})


def test_search_is_a_lazy_iterator_over_pages(client: yespo.Client, emulator: Emulator) -> None:
    rows = [contact(i, firstName="Pager") for i in range(1, 1201)]
    report = client.upsert_contacts(rows)
    assert report.accepted == 1200
    emulator.flush_imports()
    emulator.reset_stats()

    found = client.search_contacts(first_name="Pager", page_size=500)
    first = next(found)
    assert first["firstName"] == "Pager"
    assert emulator.stats()["byRoute"].get("GET /api/v1/contacts") == 1  # only one page so far
    rest = list(found)
    assert len(rest) + 1 == 1200
    assert len({c["id"] for c in rest} | {first["id"]}) == 1200
    assert emulator.stats()["byRoute"]["GET /api/v1/contacts"] == 3

    assert len(list(client.search_contacts(first_name="Pager", limit=7))) == 7
    by_email = list(client.search_contacts(email=email(42)))
    assert [c["firstName"] for c in by_email if {"type": "email", "value": email(42)} in c["channels"]] == ["Pager"]
    assert list(client.search_contacts(email="nobody@example.com")) == []


def test_import_status_and_wait(client: yespo.Client, emulator: Emulator) -> None:
    report = client.upsert_contacts(contacts(10))
    (sid,) = report.session_ids
    status = client.wait_for_import(sid, timeout=10)
    assert status.finished and not status.failed
    assert len(status.mapping) == 10 and status.mapping[email(1)] > 0
    assert client.import_status(sid).status == "FINISHED"
    with pytest.raises(yespo.NotFoundError):
        client.import_status("00000000-0000-0000-0000-000000000000")


def test_wait_for_import_times_out(client: yespo.Client, emulator: Emulator) -> None:
    emulator.config(importDelayMs=60_000)
    report = client.upsert_contacts(contacts(3))
    (sid,) = report.session_ids
    assert client.import_status(sid).status != "FINISHED"
    with pytest.raises(yespo.YespoTimeoutError):
        client.wait_for_import(sid, timeout=0.3)


def test_import_error_status(client: yespo.Client, emulator: Emulator) -> None:
    emulator.set_faults([{"method": "POST", "path": "/api/v1/contacts", "count": 1, "action": "importError"}])
    report = client.upsert_contacts(contacts(3))
    status = client.wait_for_import(report.session_ids[0], timeout=10)
    assert status.failed and status.description


@pytest.fixture
def csv_server(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "people.csv").write_text(
        "Email,First name,Last name\n" + "".join(f"{email(i)},Up{i},Load{i}\n" for i in range(1, 21))
    )

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **kw):  # type: ignore[no-untyped-def]
            super().__init__(*a, directory=str(tmp_path), **kw)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/people.csv"
    finally:
        server.shutdown()
        server.server_close()


def test_upload_from_url(client: yespo.Client, emulator: Emulator, csv_server: str) -> None:
    sid = client.upload_from_url(csv_server, group_names=["Uploaded"])
    status = client.wait_for_import(sid, timeout=20)
    assert status.finished, status
    stored = [c for c in emulator.contacts() if c.get("source") == "fileImport"]
    assert len(stored) == 20
    assert any(s.name == "Uploaded" for s in client.list_segments())


def test_segments_attach_detach(client: yespo.Client, emulator: Emulator) -> None:
    report = client.upsert_contacts(contacts(30), group_names=["VIP"], wait=True)
    assert report.accepted == 30
    (vip,) = [s for s in client.list_segments() if s.name == "VIP"]
    assert vip.type == "Static"
    assert client.list_segments(name="VIP")[0].id == vip.id
    members = list(client.segment_contacts(vip.id, page_size=7))
    assert len(members) == 30

    ids = [r.contact_id for r in report.rows_with("accepted")]
    assert all(isinstance(i, int) for i in ids)
    client.detach_from_segment(vip.id, contact_ids=[int(i) for i in ids[:10] if i is not None])
    assert len(list(client.segment_contacts(vip.id))) == 20
    client.attach_to_segment(vip.id, contact_ids=[int(i) for i in ids[:5] if i is not None])
    assert len(list(client.segment_contacts(vip.id))) == 25
    client.detach_from_segment(vip.id, all_contacts=True)
    assert list(client.segment_contacts(vip.id)) == []

    with pytest.raises(yespo.ValidationError, match="all_contacts"):
        client.detach_from_segment(vip.id)
    with pytest.raises(yespo.ValidationError, match="not both"):
        client.attach_to_segment(vip.id, contact_ids=[1], external_customer_ids=["a"])


def test_attach_by_external_id(client: yespo.Client, emulator: Emulator) -> None:
    rows = [contact(i, externalCustomerId=f"ext-{i}") for i in range(1, 6)]
    client.upsert_contacts(rows, group_names=["Ext"], wait=True)
    (seg,) = client.list_segments(name="Ext")
    client.detach_from_segment(seg.id, external_customer_ids=["ext-1", "ext-2"])
    assert len(list(client.segment_contacts(seg.id))) == 3
    client.attach_to_segment(seg.id, external_customer_ids=["ext-1"])
    assert len(list(client.segment_contacts(seg.id))) == 4


def test_unsubscribed_list(client: yespo.Client, emulator: Emulator) -> None:
    client.unsubscribe_emails([email(1), email(2)])
    client.resubscribe_emails([email(1)])
    routes = emulator.stats()["byRoute"]
    assert routes.get("POST /api/v1/emails/unsubscribed/add") == 1
    assert routes.get("POST /api/v1/emails/unsubscribed/delete") == 1
