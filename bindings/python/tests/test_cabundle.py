"""The CA bundle fallback of the manylinux wheel (its libcurl looks for Debian's bundle path)."""

from __future__ import annotations

from pathlib import Path

import pytest

from yespo import _cabundle


def test_system_libcurl_keeps_its_own_choice() -> None:
    assert _cabundle.default_ca_file(own_libcurl=False) is None


def test_own_libcurl_with_the_built_in_path_present_changes_nothing(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    present = tmp_path / "ca-certificates.crt"
    present.write_text("x")
    monkeypatch.setattr(_cabundle, "CURL_BUILT_IN", str(present))
    assert _cabundle.default_ca_file(own_libcurl=True) is None


def test_own_libcurl_without_it_finds_the_system_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = tmp_path / "ca-bundle.crt"
    bundle.write_text("x")
    monkeypatch.setattr(_cabundle, "CURL_BUILT_IN", str(tmp_path / "missing.crt"))
    monkeypatch.setattr(_cabundle, "SYSTEM_BUNDLES", (str(tmp_path / "nope.pem"), str(bundle)))
    monkeypatch.setattr(_cabundle.ssl, "get_default_verify_paths",
                        lambda: type("P", (), {"cafile": None, "openssl_cafile": str(tmp_path / "no.pem")})())
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    assert _cabundle.default_ca_file(own_libcurl=True) == str(bundle)
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))  # the environment's choice is left to the core
    assert _cabundle.default_ca_file(own_libcurl=True) is None


def test_the_installed_package_knows_whether_it_has_its_own_libcurl() -> None:
    assert isinstance(_cabundle.has_own_libcurl(), bool)
