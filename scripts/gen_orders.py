#!/usr/bin/env python3
"""Deterministic sample orders, as a shop exports them: one CSV row per order item, the order's
columns repeated on each of its rows (issue 13's bench and tests).

    gen_orders.py --orders N [--items 3] [--seed S] [--bad-every K] [--repeat-every R]
                  [--format csv|ndjson] [--out FILE] [--manifest FILE]

Order i (1-based, the number yespo reports for it) is deliberately bad when K > 0 and i % K == 0;
the bad kinds rotate: an unknown status, no email and no phone, a non-numeric totalCost, an item
without a name. With R > 0, order i % R == 0 reuses the externalOrderId of order i - R // 2 (a
later version of an earlier order: the later one must win). Every good order has its own
customer email. The same arguments always produce the same bytes.
--manifest writes {"orders", "valid", "invalid", "badOrders": [...], "repeats": N, "lines", "distinct"}.
"""
import argparse
import csv
import json
import random
import sys

STATUSES = ["INITIALIZED", "IN_PROGRESS", "DELIVERED", "CANCELLED", "ABANDONED_SHOPPING_CART"]
BAD_KINDS = ["badStatus", "noChannel", "badTotal", "itemWithoutName"]
CATEGORIES = ["Kitchen", "Garden", "Books", "Toys", "Shoes"]
ORDER_COLUMNS = ["externalOrderId", "externalCustomerId", "status", "date", "currency", "totalCost",
                 "email", "phone", "firstName", "lastName"]
ITEM_COLUMNS = ["item.externalItemId", "item.name", "item.category", "item.quantity", "item.cost"]


def order(i, rng, args):
    """Order i as a dict in the API's shape, and its bad kind (or None)."""
    oid = i
    if args.repeat_every and i % args.repeat_every == 0 and i > args.repeat_every // 2:
        oid = i - args.repeat_every // 2
    items = []
    for k in range(args.items):
        q = 1 + rng.randrange(3)
        items.append({"externalItemId": f"sku-{rng.randrange(5000)}", "name": f"Item {k + 1} of {oid}",
                      "category": CATEGORIES[rng.randrange(len(CATEGORIES))], "quantity": q,
                      "cost": round(1 + rng.random() * 99, 2)})
    o = {"externalOrderId": f"ord-{oid}-s{args.seed}", "externalCustomerId": f"cust-{oid}",
         "status": STATUSES[rng.randrange(len(STATUSES))], "date": f"2026-11-{1 + i % 28:02d}T10:{i % 60:02d}:00",
         "currency": "UAH", "totalCost": round(sum(it["quantity"] * it["cost"] for it in items), 2),
         "email": f"buyer.{oid}.s{args.seed}@shop.example", "phone": "", "firstName": "Nina", "lastName": f"K{i}",
         "items": items}
    bad = None
    if args.bad_every and i % args.bad_every == 0:
        bad = BAD_KINDS[(i // args.bad_every - 1) % len(BAD_KINDS)]
        if bad == "badStatus":
            o["status"] = "SHIPPED"
        elif bad == "noChannel":
            o["email"] = ""
        elif bad == "badTotal":
            o["totalCost"] = "lots"
        elif bad == "itemWithoutName" and items:
            items[-1]["name"] = ""
    return o, bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", type=int, required=True)
    ap.add_argument("--items", type=int, default=3)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--bad-every", type=int, default=0)
    ap.add_argument("--repeat-every", type=int, default=0)
    ap.add_argument("--format", choices=["csv", "ndjson"], default="csv")
    ap.add_argument("--out")
    ap.add_argument("--manifest")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    out = open(args.out, "w", newline="", encoding="utf-8") if args.out else sys.stdout
    writer = csv.writer(out, lineterminator="\n") if args.format == "csv" else None
    if writer:
        writer.writerow(ORDER_COLUMNS + ITEM_COLUMNS)
    bad_orders, lines, ids = [], 0, set()
    repeats = 0
    for i in range(1, args.orders + 1):
        o, bad = order(i, rng, args)
        if o["externalOrderId"] in ids:
            repeats += 1
        ids.add(o["externalOrderId"])
        if bad:
            bad_orders.append(i)
        if writer:
            head = [o[c] for c in ORDER_COLUMNS]
            for it in o["items"]:
                writer.writerow(head + [it["externalItemId"], it["name"], it["category"], it["quantity"], it["cost"]])
                lines += 1
        else:
            o = {k: v for k, v in o.items() if v != ""}
            out.write(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n")
            lines += 1
    if args.out:
        out.close()
    if args.manifest:
        with open(args.manifest, "w") as m:
            json.dump({"orders": args.orders, "valid": args.orders - len(bad_orders), "invalid": len(bad_orders),
                       "badOrders": bad_orders, "repeats": repeats, "lines": lines, "distinct": len(ids)}, m)


if __name__ == "__main__":
    main()
