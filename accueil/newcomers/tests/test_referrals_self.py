"""The public self-referral form: only when a program switches it on."""

import pytest
from django.core.cache import cache

from accueil.factories import ProgramFactory, RegionFactory
from accueil.newcomers.models import Household, ReferralSource
from accueil.newcomers.tests.factories import ProgramIntakeFactory
from accueil.newcomers.tests.test_referrals import form_data

pytestmark = pytest.mark.django_db

SELF = "/refer/self/"
CHECK = "/refer/self/check/"
SENT = "/refer/self/sent/"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()  # the rate limit counts per address; tests share 127.0.0.1
    yield
    cache.clear()


@pytest.fixture
def region(db):
    return RegionFactory(name="Toronto")


@pytest.fixture
def program(region):
    program = ProgramFactory(name="Welcome Groups", short_name="Welcome Groups")
    program.regions.add(region)
    return program


@pytest.fixture
def open_program(program):
    ProgramIntakeFactory(program=program, self_referral_enabled=True)
    return program


def self_data(program, region, **overrides):
    data = form_data(program, region, **overrides)
    for name in ("consent_obtained_by", "consent_date", "consent_method", "consent_language"):
        data.pop(name)
    data.setdefault("website", "")
    return data


def test_it_does_not_exist_unless_a_program_switches_it_on(personas, program):
    for url in (SELF, CHECK, SENT):
        assert personas.client_for("anonymous").get(url).status_code == 404
    ProgramIntakeFactory(program=program, self_referral_enabled=False)
    assert personas.client_for("anonymous").get(SELF).status_code == 404


def test_a_newcomer_refers_themselves(client, open_program, region):
    page = client.get(SELF).content.decode()
    assert "Ask for a Welcome Group" in page
    assert "GAR" not in page  # no program jargon on a newcomer page
    assert "Who obtained the consent" not in page
    response = client.post(SELF, self_data(open_program, region))
    assert response["Location"] == CHECK
    assert "Check your answers" in client.get(CHECK).content.decode()
    response = client.post(CHECK)
    assert response["Location"] == SENT
    household = Household.objects.get()
    assert household.source == ReferralSource.SELF
    assert household.referring_organisation is None
    assert household.referred_by is None
    consent = household.consents.get()
    assert consent.method == "written" and consent.language == "en"
    assert "We received your request" in client.get(SENT).content.decode()


def test_partners_and_staff_are_sent_to_their_own_form(personas, open_program):
    for name in ("partner_a", "coordinator"):
        assert personas.client_for(name).get(SELF)["Location"] == "/refer/"


def test_a_filled_honeypot_is_silently_discarded(client, open_program, region):
    response = client.post(SELF, self_data(open_program, region, website="http://spam.example"))
    assert response["Location"] == SENT
    assert not Household.objects.exists()


def test_the_honeypot_is_hidden_from_people(client, open_program):
    page = client.get(SELF).content.decode()
    assert '<div class="visually-hidden" aria-hidden="true">' in page
    assert 'tabindex="-1"' in page


def test_submissions_are_rate_limited_per_address(client, open_program, region, settings):
    from accueil.newcomers.views import referrals

    for n in range(referrals.SELF_REFERRALS_PER_HOUR):
        client.post(SELF, self_data(open_program, region, phone=f"416 555 01{n:02d}"))
        assert client.post(CHECK).status_code == 302
    client.post(SELF, self_data(open_program, region, phone="416 555 0199"))
    assert client.post(CHECK).status_code == 429
    assert Household.objects.count() == referrals.SELF_REFERRALS_PER_HOUR


def test_bad_input_keeps_what_was_typed(client, open_program, region):
    response = client.post(SELF, self_data(open_program, region, arrival_date="2026-02-30"))
    page = response.content.decode()
    assert "Enter a real date" in page
    assert 'value="Amina Haddad"' in page
