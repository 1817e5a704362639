"""Bulk orders and events from Python: typed dataclasses and dicts, a CSV of item lines, the
later write of an order winning, events with their keys, and contact options refused."""

from __future__ import annotations

from pathlib import Path

import pytest

import yespo
from yespo import Event, EventParam, Order, OrderItem
from yespo.testing import Emulator


def order(n: int, status: str = "DELIVERED") -> Order:
    return Order(external_order_id=f"o-{n}", external_customer_id=f"c-{n}", total_cost=10.5, status=status,
                 date="2025-01-01T00:00:00", currency="UAH", email=f"Buyer{n}@Example.com",
                 items=[OrderItem(external_item_id="i-1", name="Mug", quantity=1, cost=10.5)])


def test_typed_orders_land_and_the_later_write_wins(client: yespo.Client, emulator: Emulator) -> None:
    rows = [order(n, "INITIALIZED") for n in range(1200)] + [order(n) for n in range(1200)]
    rows.append({"externalOrderId": "bad"})  # dicts too; this one lacks what an order needs
    report = client.upsert_orders(rows)
    assert report.accepted == 2400
    assert report.invalid == 1
    assert "externalCustomerId is missing" in (report.invalid_rows[0].reason or "")
    stored = emulator.admin("GET", "orders")
    assert len(stored) == 1200
    assert all(o["status"] == "DELIVERED" for o in stored)
    # The listing's order is the emulator's (writes of parallel requests land in any order).
    by_id = {o["externalOrderId"]: o for o in stored}
    assert by_id["o-0"]["email"] == "buyer0@example.com"


def test_orders_csv_groups_item_lines(client: yespo.Client, emulator: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "externalOrderId,externalCustomerId,status,date,currency,totalCost,phone,item.externalItemId,item.name\n"
        "p-1,c1,DELIVERED,2025-01-01,UAH,3,+380501112233,i1,Mug\n"
        "p-1,c1,DELIVERED,2025-01-01,UAH,3,+380501112233,i2,Cup\n"
        "p-2,c2,DELIVERED,2025-01-01,UAH,4,,i3,Pen\n")
    report = client.upsert_orders_file(path)
    assert (report.rows, report.accepted, report.invalid) == (2, 1, 1)
    assert report.invalid_rows[0].reason == "row 2 (CSV line 4): an order needs an email or a phone"
    stored = emulator.admin("GET", "orders?externalOrderId=p-1")
    assert len(stored[0]["order"]["items"]) == 2


def test_events_arrive_with_their_keys(client: yespo.Client, emulator: Emulator) -> None:
    events = [Event(event_type_key="viewed", key_value=f"k{n}", params=[EventParam("n", str(n))]) for n in range(50)]
    events.append(Event(event_type_key="viewed"))  # no key: invalid before sending
    report = client.upsert_events(events)
    assert (report.accepted, report.invalid) == (50, 1)
    keys = {e["key"] for e in emulator.admin("GET", "events?type=viewed")}
    assert keys == {f"k{n}" for n in range(50)}


def test_contact_options_do_not_exist_for_orders(client: yespo.Client) -> None:
    with pytest.raises(TypeError):
        client.upsert_orders([order(1)], group_names=["x"])  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        client.upsert_contacts([{"channels": [{"type": "email", "value": "a@b.co"}]}], kind="orders")  # type: ignore[call-arg]
