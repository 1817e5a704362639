"""Functions run in spawned worker processes (importable by name in the child)."""

from __future__ import annotations

import yespo

from _data import contacts


def upsert_range(url: str, start: int, n: int) -> tuple[int, int]:
    with yespo.Client(api_key="test-key", base_url=url, retry_base=0.01, rate_limit=0) as client:
        report = client.upsert_contacts(contacts(n, start=start))
        return report.rows, report.accepted


def get_missing(url: str) -> None:
    with yespo.Client(api_key="test-key", base_url=url) as client:
        client.get_contact(123456789)
