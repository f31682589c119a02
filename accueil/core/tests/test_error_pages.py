import pytest
from django.test import Client


@pytest.mark.django_db
def test_it_shows_our_own_not_found_page(settings):
    settings.DEBUG = False
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and 'href="#main"' in html


def test_it_renders_the_server_error_page_without_a_request():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html
