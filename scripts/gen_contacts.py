#!/usr/bin/env python3
"""Deterministic sample contacts for the demo, the CLI tests and the perf harness.

    gen_contacts.py --rows N [--format csv|ndjson] [--seed S] [--bad-every K] [--out FILE]
                    [--manifest FILE] [--sms-every K] [--external-ids] [--domain example.com]

Row i (1-based, the number yespo reports) is deliberately bad when K > 0 and i % K == 0; the bad
kinds rotate: an invalid email, no channel at all, a first name over 40 characters, an invalid
phone. Every good row has a unique email, so after an upsert the server holds exactly
`valid` contacts. The same arguments always produce the same bytes.

--manifest writes {"rows", "valid", "invalid", "badRows": [...], "badKinds": {row: kind},
"format", "seed"} for tests that need to know which rows must fail.
"""
import argparse
import csv
import io
import json
import random
import sys

FIRST = ["Anna", "Bohdan", "Chloe", "Dmytro", "Emma", "Farid", "Greta", "Hiro", "Iryna", "Jonas",
         "Kateryna", "Liam", "Maria", "Nazar", "Olivia", "Pavlo", "Quinn", "Roksolana", "Sofia", "Taras"]
LAST = ["Shevchenko", "Smith", "O'Brien", "Kovalenko", "Müller", "García", "Bondarenko", "Tkachenko",
        "Nguyen", "Lysenko", "Rossi", "Melnyk", "Dubois", "Kravets", "Novak", "Boyko"]
CITIES = ["Kyiv", "Lviv", "London", "Berlin", "Warsaw", "Odesa", "Paris, 9e", "Kharkiv"]
LANGS = ["uk", "en", "de", "pl", "fr"]
BAD_KINDS = ["badEmail", "noChannel", "longName", "badPhone"]
CSV_COLUMNS = ["First name", "Last name", "Email", "Sms", "City", "Language code"]


def contact_fields(i, rng, args):
    """One row as plain fields: first, last, email, sms, city, lang, ext; and its bad kind or None."""
    first = FIRST[rng.randrange(len(FIRST))]
    last = LAST[rng.randrange(len(LAST))]
    email = f"{first.lower()}.{i}.s{args.seed}@{args.domain}"
    sms = ""
    if args.sms_every and i % args.sms_every == 0:
        sms = "380" + "".join(str(rng.randrange(10)) for _ in range(9))
    city = CITIES[rng.randrange(len(CITIES))]
    lang = LANGS[rng.randrange(len(LANGS))]
    ext = f"crm-{args.seed}-{i}" if args.external_ids else ""
    bad = None
    if args.bad_every and i % args.bad_every == 0:
        bad = BAD_KINDS[(i // args.bad_every - 1) % len(BAD_KINDS)]
        if bad == "badEmail":
            email, sms = f"not-an-email-{i}", ""
        elif bad == "noChannel":
            email, sms = "", ""
        elif bad == "longName":
            first = "X" * 41
        elif bad == "badPhone":
            email, sms = "", f"12ab{i}"
    return (first, last, email, sms, city, lang, ext), bad


def ndjson_line(fields):
    first, last, email, sms, city, lang, ext = fields
    channels = []
    if email:
        channels.append({"type": "email", "value": email})
    if sms:
        channels.append({"type": "sms", "value": sms})
    obj = {"firstName": first, "lastName": last, "channels": channels,
           "address": {"town": city}, "languageCode": lang}
    if ext:
        obj["externalCustomerId"] = ext
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, required=True, help="number of data rows")
    p.add_argument("--format", choices=["csv", "ndjson"], default="csv")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--bad-every", type=int, default=0, help="every K-th row is invalid (0 = none)")
    p.add_argument("--sms-every", type=int, default=3, help="every K-th row also has a phone (0 = none)")
    p.add_argument("--external-ids", action="store_true", help="add an External customer id to every row")
    p.add_argument("--domain", default="example.com")
    p.add_argument("--repeat-percent", type=float, default=0.0,
                   help="this share of good rows (in %%) rewrites an earlier row's contact: its email, new fields")
    p.add_argument("--out", default="-", help="output file (- = stdout)")
    p.add_argument("--manifest", help="write which rows are bad, as JSON, to this file")
    args = p.parse_args(argv)
    if args.rows < 0 or args.bad_every < 0:
        p.error("--rows and --bad-every must be >= 0")

    rng = random.Random(args.seed)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8", newline="")
    bad_rows, bad_kinds = [], {}
    # Repeats draw from their own generator, so the rows without repeats stay as they always were.
    repeat_rng = random.Random(args.seed ^ 0x5EED)
    good_emails = []
    columns = CSV_COLUMNS + (["External customer id"] if args.external_ids else [])
    try:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        if args.format == "csv":
            writer.writerow(columns)
        for i in range(1, args.rows + 1):
            fields, bad = contact_fields(i, rng, args)
            if not bad and fields[2] and args.repeat_percent > 0:
                if good_emails and repeat_rng.random() * 100 < args.repeat_percent:
                    first, last, _, _, city, lang, ext = fields
                    fields = (first, last, good_emails[repeat_rng.randrange(len(good_emails))], "", city, lang, ext)
                else:
                    good_emails.append(fields[2])
            if bad:
                bad_rows.append(i)
                bad_kinds[str(i)] = bad
            if args.format == "csv":
                writer.writerow(fields[:len(columns)])
            else:
                buf.write(ndjson_line(fields))
            if buf.tell() > 1 << 20:
                out.write(buf.getvalue())
                buf.seek(0)
                buf.truncate()
        out.write(buf.getvalue())
    finally:
        if out is not sys.stdout:
            out.close()

    manifest = {"rows": args.rows, "valid": args.rows - len(bad_rows), "invalid": len(bad_rows),
                "distinct": len(good_emails) if args.repeat_percent > 0 else args.rows - len(bad_rows),
                "badRows": bad_rows, "badKinds": bad_kinds, "format": args.format, "seed": args.seed}
    if args.manifest:
        with open(args.manifest, "w", encoding="utf-8") as f:
            json.dump(manifest, f)
    if args.out != "-":
        print(f"wrote {args.rows} rows ({len(bad_rows)} deliberately bad) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
