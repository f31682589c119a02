import time

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _age_session(client, seconds):
    session = client.session
    session["last_seen"] = int(time.time()) - seconds
    session.save()


def test_it_signs_out_after_the_idle_period(personas, settings):
    client = personas.client_for("coordinator")
    client.get(reverse("home"))
    _age_session(client, settings.SESSION_IDLE_SECONDS + 5)
    response = client.get(reverse("people_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert client.get(reverse("home")).status_code == 302


def test_it_keeps_an_active_session(personas, settings):
    client = personas.client_for("coordinator")
    client.get(reverse("home"))
    _age_session(client, settings.SESSION_IDLE_SECONDS - 60)
    assert client.get(reverse("people_list")).status_code == 200


def test_it_lets_a_person_stay_signed_in(personas, settings):
    client = personas.client_for("coordinator")
    client.get(reverse("home"))
    _age_session(client, settings.SESSION_IDLE_SECONDS - 30)
    response = client.post(reverse("session_keepalive"))
    assert response.status_code == 204
    assert client.session["last_seen"] >= int(time.time()) - 2


def test_it_tells_the_page_when_to_warn(personas, settings):
    html = personas.client_for("coordinator").get(reverse("home")).content.decode()
    assert f'data-idle-seconds="{settings.SESSION_IDLE_SECONDS}"' in html
    assert 'id="idle-dialog"' in html


def test_it_refuses_keepalive_without_a_session(client):
    assert client.post(reverse("session_keepalive")).status_code == 302


def test_it_needs_post_for_keepalive(personas):
    assert personas.client_for("volunteer").get(reverse("session_keepalive")).status_code == 405


def test_it_sends_htmx_requests_to_sign_in_as_a_full_page(personas, settings):
    client = personas.client_for("coordinator")
    client.get(reverse("home"))
    _age_session(client, settings.SESSION_IDLE_SECONDS + 5)
    response = client.get(reverse("people_list"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("account_login") + "?next=%2Fpeople%2F")
