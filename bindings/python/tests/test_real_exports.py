"""upsert_file with files as spreadsheets export them: ';' + BOM + CRLF (delimiter sniffed), CRM
header spellings, UTF-16 with a BOM, windows-1251 via encoding=; the resolved mapping is in the
report's summary under "files"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import yespo
from yespo.testing import Emulator


def by_email(emulator: Emulator) -> dict[str, dict[str, Any]]:
    emulator.flush_imports()
    return {ch["value"]: c for c in emulator.contacts() for ch in c.get("channels", []) if ch["type"] == "email"}


def test_european_excel_export(client: yespo.Client, emulator: Emulator, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes("\ufeffFirst name;Last name;E-mail address;Mobile\r\nAnna;Müller;anna@example.de;+49 30 1234567\r\n"
                     .encode("utf-8"))
    report = client.upsert_file(path)
    assert report.accepted == 1
    files = report.summary()["files"]
    assert files[0]["delimiter"] == ";" and files[0]["encoding"] == "utf-8 (BOM)"
    assert [c["field"] for c in files[0]["columns"]] == ["firstName", "lastName", "email", "sms"]
    assert by_email(emulator)["anna@example.de"]["lastName"] == "Müller"


def test_utf16_and_windows_1251(client: yespo.Client, emulator: Emulator, tmp_path: Path) -> None:
    u16 = tmp_path / "unicode.txt"
    u16.write_bytes(b"\xff\xfe" + "Email\tFirst name\r\nzoe@example.no\tZoë\r\n".encode("utf-16-le"))
    assert client.upsert_file(u16, format="csv").accepted == 1
    cp = tmp_path / "cp1251.csv"
    cp.write_bytes("Email;Имя;Фамилия\r\nolena@example.ua;Олена;Коваль\r\n".encode("cp1251"))
    report = client.upsert_file(cp, encoding="windows-1251")
    assert report.accepted == 1 and report.summary()["files"][0]["encoding"] == "windows-1251"
    got = by_email(emulator)
    assert got["zoe@example.no"]["firstName"] == "Zoë"
    assert (got["olena@example.ua"]["firstName"], got["olena@example.ua"]["lastName"]) == ("Олена", "Коваль")
    with pytest.raises(yespo.ValidationError, match="encoding"):
        client.upsert_file(cp, encoding="ebcdic")
