"""Which CA bundle a wheel with its own libcurl should verify servers with.

The manylinux wheel (``make wheel``) carries libcurl from the build machine (Debian), compiled to
look for ``/etc/ssl/certs/ca-certificates.crt``. Where that file does not exist (Fedora, RHEL,
openSUSE, Alpine, ...) every HTTPS request would fail verification. So, only for such a wheel,
only when that file is missing, and only when neither ``ca_file=`` nor ``CURL_CA_BUNDLE`` /
``SSL_CERT_FILE`` says otherwise, the client is given this system's bundle: the one Python's own
``ssl`` module uses, else the first of the usual places that exists. With the system's libcurl
(an sdist install, or ``pip install ./bindings/python``) nothing changes.
"""

from __future__ import annotations

import os
import ssl
from pathlib import Path
from typing import Optional

CURL_BUILT_IN = "/etc/ssl/certs/ca-certificates.crt"
SYSTEM_BUNDLES = (
    "/etc/pki/tls/certs/ca-bundle.crt",                    # Fedora, RHEL, CentOS, Amazon Linux
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",   # the same, newer layout
    "/etc/ssl/ca-bundle.pem",                              # openSUSE, SLES
    "/etc/ssl/cert.pem",                                   # Alpine, Arch
)


def has_own_libcurl() -> bool:
    """True for the auditwheel-repaired wheel: libcurl sits in ``yespo.libs`` beside the package."""
    libs = Path(__file__).resolve().parent.parent / "yespo.libs"
    return libs.is_dir() and any(p.name.startswith("libcurl") for p in libs.iterdir())


def default_ca_file(own_libcurl: Optional[bool] = None) -> Optional[str]:
    """The CA bundle to set when the caller gave none, or None to keep libcurl's own choice."""
    if own_libcurl is None:
        own_libcurl = has_own_libcurl()
    if not own_libcurl or os.path.isfile(CURL_BUILT_IN):
        return None
    if os.environ.get("CURL_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE"):
        return None
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, paths.openssl_cafile, *SYSTEM_BUNDLES):
        if candidate and os.path.isfile(candidate):
            return candidate
    return None
