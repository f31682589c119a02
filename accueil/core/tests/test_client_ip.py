import pytest
from django.test import RequestFactory

from accueil.core.client_ip import client_ip


@pytest.mark.parametrize(
    ("proxy_count", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.9"),  # no proxy: the header is a client's claim, ignored
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # our proxy appended the real address
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.9"),  # fewer entries than proxies: fall back to the socket
    ],
)
def test_it_trusts_forwarded_addresses_only_from_our_proxies(
    settings, proxy_count, forwarded, expected
):
    settings.PROXY_COUNT = proxy_count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_it_records_the_real_client_address_in_the_audit_trail(personas, settings):
    from django.test import Client
    from django.urls import reverse

    from accueil.core.models import AuditEntry

    client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    client.force_login(personas.volunteer)
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).latest("timestamp")
    assert entry.remote_addr == "127.0.0.1"
