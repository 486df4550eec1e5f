"""Every response carries a request id, kept from the caller or made (factor XI)."""

import re

import pytest

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


def test_request_id_is_made_when_missing(client):
    """A response to a request without an id carries a new one."""
    response = client.get("/healthz")
    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


def test_request_id_is_kept_when_valid(client):
    """A well-formed incoming X-Request-ID is echoed unchanged."""
    incoming = "req-42.a:b@c+d=e/f_G"
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] == incoming


@pytest.mark.parametrize(
    "incoming", ["has spaces", "x" * 129, "semi;colon", "naïve", ""]
)
def test_request_id_is_replaced_when_invalid(client, incoming):
    """A malformed or oversized X-Request-ID is replaced by a new one."""
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert GENERATED_ID.fullmatch(response["X-Request-ID"])
