"""The Python binding through nginx: verified with ca_file or the environment (SSL_CERT_FILE,
CURL_CA_BUNDLE), every request HTTP/2; a wrong CA raises at the call, not only in the report."""
import pytest
import yespo

from conftest import KEY, stored


def contacts(tag, n):
    return [{"firstName": f"P{i}", "channels": [{"type": "email", "value": f"{tag}-{i}@example.com"}]}
            for i in range(1, n + 1)]


@pytest.fixture(autouse=True)
def no_ca_env(monkeypatch):
    for var in ("CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(var, raising=False)


def test_upsert_with_ca_file(emu, front):
    mark = front.mark()
    with yespo.Client(api_key=KEY, base_url=front.api_url, ca_file=front.ca_file, chunk_size=500) as client:
        report = client.upsert_contacts(contacts("pyca", 2000))
    assert report.accepted == 2000 and report.fatal is None
    assert len(stored(emu, "pyca")) == 2000
    logged = front.requests_since(mark)
    assert len(logged) == 4 and {r[0] for r in logged} == {"HTTP/2.0"}


@pytest.mark.parametrize("var", ["SSL_CERT_FILE", "CURL_CA_BUNDLE"])
def test_ca_from_the_environment(emu, front, monkeypatch, var):
    monkeypatch.setenv(var, str(front.ca_file))
    with yespo.Client(api_key=KEY, base_url=front.api_url) as client:
        report = client.upsert_contacts(contacts(var.lower(), 30))
        assert report.accepted == 30
        emu.flush_imports()
        assert len(list(client.search_contacts(email=f"{var.lower()}-1@example.com"))) == 1


def test_wrong_ca_raises_at_the_call(emu, front, tmp_path):
    with yespo.Client(api_key=KEY, base_url=front.api_url, ca_file=front.wrong_ca) as client:
        with pytest.raises(yespo.TransportError) as caught:
            client.upsert_contacts(contacts("pywrong", 100))
        assert "certificate is not trusted" in str(caught.value)
        assert caught.value.report.not_sent == 100
        f = tmp_path / "c.csv"
        f.write_text("Email\nfile@example.com\n")
        with pytest.raises(yespo.TransportError):
            client.upsert_file(f)
        with pytest.raises(yespo.TransportError):
            list(client.search_contacts(email="x@example.com"))
    assert stored(emu, "pywrong") == []
