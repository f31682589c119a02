import pytest
from django.urls import reverse
from django.utils.translation import get_language_info

from accueil.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_it_knows_tigrinya_and_dari():
    assert get_language_info("ti")["name_local"] == "ትግርኛ"
    assert get_language_info("prs")["bidi"] is True


def test_it_sets_lang_and_dir_on_every_page(client):
    html = client.get(reverse("account_login")).content.decode()
    assert '<html lang="en" dir="ltr">' in html


def test_it_renders_arabic_right_to_left(client):
    client.post(reverse("set_language"), {"language": "ar", "next": reverse("account_login")})
    html = client.get(reverse("account_login")).content.decode()
    assert '<html lang="ar" dir="rtl">' in html


def test_it_remembers_a_signed_in_persons_language(personas):
    client = personas.client_for("volunteer")
    response = client.post(reverse("set_language"), {"language": "fr", "next": reverse("home")})
    assert response.status_code == 302 and response.url == reverse("home")
    personas.volunteer.refresh_from_db()
    assert personas.volunteer.language == "fr"
    assert AuditEntry.objects.filter(
        code="account.language_changed", actor=personas.volunteer
    ).exists()
    # The choice follows the person to a new browser.
    other = personas.client_for("volunteer")
    assert '<html lang="fr"' in other.get(reverse("volunteer_home")).content.decode()


def test_it_ignores_unknown_languages_and_foreign_redirects(client):
    response = client.post(
        reverse("set_language"), {"language": "xx", "next": "https://evil.example/"}
    )
    assert response.url == "/"
    assert "accueil_language" not in response.cookies


def test_it_sends_a_strict_content_security_policy(client):
    response = client.get(reverse("account_login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_it_has_no_inline_script_or_style(personas):
    html = personas.client_for("admin").get(reverse("home")).content.decode()
    assert "<script>" not in html and " style=" not in html and "<style" not in html
    assert "/static/django_htmx/htmx-2.min.js" in html  # htmx from django-htmx, no CDN
    assert "https://" not in html.split("<body")[0]


def test_it_forbids_caching_of_signed_in_pages(personas):
    response = personas.client_for("coordinator").get(reverse("people_list"))
    assert "no-store" in response["Cache-Control"]


def test_it_offers_a_skip_link_and_landmarks(personas):
    html = personas.client_for("coordinator").get(reverse("home")).content.decode()
    assert 'href="#main"' in html
    assert '<main id="main"' in html and "<header" in html and "<nav" in html and "<footer" in html
