"""Turns a CSV row with Yespo's import column names into a contact dict in the API's shape.

Shared by the Python contenders so each converts rows the same, competent way a user would."""
from __future__ import annotations

from typing import Any, Dict

_ADDRESS = {"Address": "address", "Region": "region", "City": "town", "Postcode": "postcode"}
_PLAIN = {"First name": "firstName", "Last name": "lastName", "Language code": "languageCode",
          "Timezone": "timeZone", "External customer id": "externalCustomerId"}


def row_to_contact(row: Dict[str, str]) -> Dict[str, Any]:
    contact: Dict[str, Any] = {}
    channels = []
    if row.get("Email"):
        channels.append({"type": "email", "value": row["Email"]})
    if row.get("Sms"):
        channels.append({"type": "sms", "value": row["Sms"]})
    contact["channels"] = channels
    for column, key in _PLAIN.items():
        if row.get(column):
            contact[key] = row[column]
    address = {key: row[col] for col, key in _ADDRESS.items() if row.get(col)}
    if address:
        contact["address"] = address
    if row.get("Contact id"):
        contact["id"] = int(row["Contact id"])
    return contact
