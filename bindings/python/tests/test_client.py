"""Client construction, settings, lifecycle, and the key never showing."""

from __future__ import annotations

import pickle

import pytest

import yespo
from yespo.testing import Emulator


def test_key_from_environment(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YESPO_API_KEY", "test-key")
    with yespo.Client(base_url=emulator.url) as client:
        assert client.add_contact({"channels": [{"type": "email", "value": "env@example.com"}]}) > 0


def test_missing_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("YESPO_API_KEY", raising=False)
    with pytest.raises(yespo.AuthenticationError, match="YESPO_API_KEY"):
        yespo.Client()
    with pytest.raises(yespo.AuthenticationError):
        yespo.Client(api_key="   ")


def test_repr_never_shows_the_key(emulator: Emulator) -> None:
    with yespo.Client(api_key="test-key", base_url=emulator.url, concurrency=3) as client:
        text = repr(client) + str(client)
        assert "test-key" not in text
        assert emulator.url in text and "concurrency=3" in text
        assert "test-key" not in repr(vars(client))


def test_context_manager_closes(emulator: Emulator) -> None:
    with emulator.client() as client:
        assert not client.closed
    assert client.closed
    with pytest.raises(yespo.StateError, match="closed"):
        client.get_contact(1)
    client.close()  # idempotent


def test_bad_settings_fail_clearly() -> None:
    with pytest.raises(yespo.ValidationError, match="concurrency must be between 1 and 256"):
        yespo.Client(api_key="k", concurrency=0)
    with pytest.raises(yespo.ValidationError, match="concurrency must be an int"):
        yespo.Client(api_key="k", concurrency="8")  # type: ignore[arg-type]
    with pytest.raises(yespo.ValidationError, match="timeout must be a number of seconds"):
        yespo.Client(api_key="k", timeout="10")  # type: ignore[arg-type]
    with pytest.raises(yespo.ValidationError, match="base_url"):
        yespo.Client(api_key="k", base_url=5)  # type: ignore[arg-type]
    with pytest.raises(yespo.ValidationError, match="NUL"):
        yespo.Client(api_key="k\x00x")


def test_core_rejects_bad_base_url() -> None:
    with pytest.raises(yespo.YespoError) as info:
        yespo.Client(api_key="k", base_url="not a url at all")
    assert "k" != info.value.message


def test_configure_and_stats(client: yespo.Client) -> None:
    client.configure(concurrency=2, timeout=30)
    client.add_contact({"channels": [{"type": "email", "value": "s@example.com"}]})
    stats = client.stats()
    assert stats["requests"] >= 1
    with pytest.raises(yespo.ValidationError, match="unknown client option"):
        client.configure(speed=11)


def test_client_cannot_be_pickled(client: yespo.Client) -> None:
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(client)
