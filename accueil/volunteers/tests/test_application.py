"""The public volunteer application at /apply/: from the start page to a signed-in volunteer."""

import json
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from accueil.accounts.models import Role, User
from accueil.core.models import AuditEntry
from accueil.factories import ProgramFactory, RegionFactory, host_organisation
from accueil.messaging.models import OutboxMessage
from accueil.volunteers.forms_application import validate_answers
from accueil.volunteers.models import (
    ApplicationDraft,
    Reference,
    Volunteer,
    VolunteerLanguage,
    VolunteerStatus,
    WelcomeGroup,
)
from accueil.volunteers.services import application as services

pytestmark = pytest.mark.django_db

PASSWORD = "lantern orchard river 42"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()  # the rate limit counts per address; tests share 127.0.0.1
    yield
    cache.clear()


@pytest.fixture
def program(db):
    host_organisation()
    toronto = RegionFactory(name="Toronto")
    RegionFactory(name="Peel")
    program = ProgramFactory(name="Welcome Groups for claimants", short_name="Claimants")
    program.regions.set([toronto])
    return program


@pytest.fixture
def group(program):
    return WelcomeGroup.objects.create(
        name="Parkdale neighbours", program=program, region=program.regions.get()
    )


def about(program, **overrides):
    data = {
        "full_name": "Nadia Haddad",
        "preferred_name": "Nadia",
        "email": "Nadia.Haddad@Example.org",
        "phone": "416 555 0123",
        "program": str(program.pk),
        "region": str(program.regions.get().pk),
        "website": "",
    }
    data.update(overrides)
    return data


def answers(program, group=None):
    """Valid posts for every page after the first, in order."""
    return {
        "gender": {"gender": "woman"},
        "languages": {
            "language_1": "French",
            "level_1": "fluent",
            "language_2": "arabic",
            "level_2": "native",
            "language_3": "",
            "level_3": "",
        },
        "skills": {"skills": ["socializing", "employment"]},
        "availability": {"availability": ["mon_evening", "sat_morning"]},
        "location": {"postal_prefix": "m5v 2t6", "in_person": "yes", "heard_from": "A friend"},
        "group": {"invite_code": group.invite_code.lower() if group else ""},
        "motivation": {"motivation": "I arrived here myself and want to help."},
        "references": {
            "ref1_name": "Samira Nouri",
            "ref1_email": "samira@example.org",
            "ref1_relation": "Manager",
            "ref2_name": "Paul Tremblay",
            "ref2_email": "paul@example.org",
            "ref2_relation": "Neighbour",
        },
        "consent": {"consent": "on"},
    }


def step_url(step: str) -> str:
    return reverse("apply_step", args=[step])


def fill_in(client, program, group=None, *, until=None):
    """Answer every page (or the pages before ``until``) as one browser."""
    response = client.post(step_url("about"), about(program))
    assert response.status_code == 302, response.content.decode()[:2000]
    for step, data in answers(program, group).items():
        if step == until:
            return
        response = client.post(step_url(step), data)
        assert response.status_code == 302, (step, response.content.decode()[:3000])


def link_in(message: OutboxMessage, path: str) -> str:
    return re.search(rf"https?://\S+({re.escape(path)}\S+)", message.body_text).group(1)


def test_it_takes_an_applicant_from_the_start_page_to_a_signed_in_volunteer(program, group):
    client = Client()
    assert client.get(reverse("apply_start")).status_code == 200
    page = client.get(step_url("about"))
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]

    response = client.post(step_url("about"), about(program))
    assert response.url == step_url("gender")
    draft = ApplicationDraft.objects.get()
    assert draft.email == "nadia.haddad@example.org"
    resume = OutboxMessage.objects.get(template="application_resume")
    assert resume.to_address == "nadia.haddad@example.org"
    assert "/apply/resume/" in resume.body_text

    for step, data in answers(program, group).items():
        response = client.post(step_url(step), data)
        assert response.status_code == 302, (step, response.content.decode()[:2000])
    assert response.url == reverse("apply_check")

    check = client.get(reverse("apply_check"))
    assert check.status_code == 200
    page = check.content.decode()
    for shown in ("Nadia Haddad", "French", "Arabic", "Monday evening", "M5V", group.invite_code):
        assert shown in page
    assert page.count(">Change<") >= 10

    response = client.post(reverse("apply_check"))
    assert response.url == reverse("apply_sent")
    assert "nadia.haddad@example.org" in client.get(response.url).content.decode()

    user = User.objects.get(email="nadia.haddad@example.org")
    assert user.role == Role.VOLUNTEER
    assert user.organisation == host_organisation()
    assert user.language == "en"
    assert not user.has_usable_password()
    assert not EmailAddress.objects.get(user=user).verified
    volunteer = Volunteer.objects.get(user=user)
    assert volunteer.status == VolunteerStatus.APPLIED
    assert volunteer.program == program
    assert volunteer.region.name == "Toronto"
    assert volunteer.phone == "416 555 0123"
    assert volunteer.gender == "woman"
    assert volunteer.skills == ["socializing", "employment"]
    assert volunteer.availability == ["mon_evening", "sat_morning"]
    assert volunteer.postal_prefix == "M5V"  # a whole postal code is cut to its first 3
    assert volunteer.in_person is True
    assert volunteer.heard_from == "A friend"
    assert volunteer.consent_version == services.CONSENT_VERSION
    assert volunteer.consented_at is not None
    assert set(VolunteerLanguage.objects.values_list("code", "level")) == {
        ("fr", "fluent"),
        ("ar", "native"),
    }
    references = list(Reference.objects.filter(volunteer=volunteer))
    assert [r.email for r in references] == ["samira@example.org", "paul@example.org"]
    assert all(r.token_hash is None and r.requested_at is None for r in references)
    draft.refresh_from_db()
    assert draft.submitted_at is not None
    assert json.loads(draft.data) == {"invite_code": group.invite_code}
    assert services.pending_invite_code(volunteer) == group.invite_code
    # Friends applying together: the person is in the group straight away.
    assert group.memberships.filter(user=user, left_at__isnull=True, role="member").exists()
    entry = AuditEntry.objects.get(code="volunteer.applied")
    assert entry.actor == user
    assert entry.additional_data == {
        "program": program.pk,
        "invite_code": group.invite_code,
        "group": group.pk,
    }
    # The session no longer holds the draft: a second submission is impossible.
    assert client.get(reverse("apply_check")).url == reverse("apply_start")

    # The email: confirm the address and choose a password, in one link.
    mail = OutboxMessage.objects.get(template="activate")
    assert mail.to_address == "nadia.haddad@example.org"
    assert mail.recipient == user
    link = link_in(mail, "/apply/account/")
    browser = Client()
    assert browser.get(link).status_code == 200
    response = browser.post(link, {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert EmailAddress.objects.get(user=user).verified
    assert AuditEntry.objects.filter(code="volunteer.account_activated", actor=user).exists()
    assert browser.get(reverse("home")).wsgi_request.user == user  # signed in
    # The link works once.
    assert Client().get(link).status_code == 404

    # …and the password signs in through the ordinary sign-in page.
    fresh = Client()
    response = fresh.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert fresh.get(reverse("home")).wsgi_request.user == user


def test_it_lets_an_applicant_who_lost_the_link_choose_a_password_the_usual_way(program):
    """No dead end: "forgot password" sets one, and signing in then asks to confirm the email."""
    client = Client()
    fill_in(client, program)
    client.post(reverse("apply_check"))
    response = Client().post(
        reverse("account_reset_password"), {"email": "nadia.haddad@example.org"}
    )
    assert response.status_code == 302
    reset = OutboxMessage.objects.filter(template="password_reset_key").get()
    link = link_in(reset, "/accounts/password/reset/key/")
    browser = Client()
    form_url = browser.get(link).url
    browser.post(form_url, {"password1": PASSWORD, "password2": PASSWORD})
    assert User.objects.get(email="nadia.haddad@example.org").check_password(PASSWORD)
    response = browser.post(
        reverse("account_login"), {"login": "nadia.haddad@example.org", "password": PASSWORD}
    )
    assert response.url == reverse("account_email_verification_sent")
    assert OutboxMessage.objects.filter(template="email_confirmation").exists()


def test_it_keeps_the_answers_when_going_back(program):
    client = Client()
    fill_in(client, program, until="skills")
    page = client.get(step_url("about")).content.decode()
    assert 'value="Nadia Haddad"' in page
    page = client.get(step_url("languages")).content.decode()
    assert 'value="French"' in page
    assert 'value="Arabic"' in page
    page = client.get(step_url("gender")).content.decode()
    assert re.search(r'value="woman"[^>]*checked', page)
    # The Back link on each page goes to the page before.
    assert f'href="{step_url("gender")}"' in client.get(step_url("languages")).content.decode()


def test_it_returns_to_the_check_page_after_a_change(program, group):
    client = Client()
    fill_in(client, program, group)
    page = client.get(step_url("motivation") + "?change=1").content.decode()
    assert f'href="{reverse("apply_check")}"' in page  # Back goes to the answers
    response = client.post(
        step_url("motivation") + "?change=1", {"motivation": "To share my city."}
    )
    assert response.url == reverse("apply_check")
    assert "To share my city." in client.get(reverse("apply_check")).content.decode()


INVALID = [
    # (step, what was typed, a message the page must show, a value it must keep)
    ("about", {"email": "not-an-email"}, "Enter an email address like", "not-an-email"),
    ("about", {"full_name": ""}, "Enter your full name.", "416 555 0123"),
    ("about", {"phone": "call me"}, "Enter a phone number like", "call me"),
    ("about", {"region": "__peel__"}, "does not run in Peel", "Nadia Haddad"),
    ("languages", {"language_2": "Klingonese"}, "We do not know the language", "Klingonese"),
    ("languages", {"level_1": ""}, "Choose how well you speak French", "French"),
    ("languages", {"language_2": "français"}, "You already added French", "français"),
    ("languages", {"language_1": "", "language_2": ""}, "Add at least one language", None),
    ("skills", {"skills": []}, "Choose at least one way", None),
    ("availability", {"availability": []}, "Choose at least one time", None),
    ("location", {"postal_prefix": "D4X"}, "first 3 characters of a Canadian", "D4X"),
    ("location", {"in_person": ""}, "Choose yes or no.", "A friend"),
    ("group", {"invite_code": "NOPE1234"}, "We cannot find a group", "NOPE1234"),
    ("motivation", {"motivation": ""}, "Tell us in a few words", None),
    ("references", {"ref2_email": "samira@example.org"}, "different email address", "Paul"),
    ("references", {"ref1_email": "nadia.haddad@example.org"}, "not your own", "Samira"),
    ("references", {"ref2_name": ""}, "Enter the name of person 2", "paul@example.org"),
    ("consent", {"consent": ""}, "Tick the box to agree", None),
]


@pytest.mark.parametrize(("step", "change", "message", "kept"), INVALID)
def test_it_explains_bad_input_and_keeps_what_was_typed(program, step, change, message, kept):
    client = Client()
    if step != "about":
        fill_in(client, program, until=step)
    data = about(program) if step == "about" else dict(answers(program)[step])
    if change.get("region") == "__peel__":
        from accueil.accounts.models import Region

        peel = Region.objects.get(name="Peel")
        ProgramFactory(name="Other program").regions.add(peel)  # Peel is offered, elsewhere
        change = {"region": str(peel.pk)}
    data.update(change)
    response = client.post(step_url(step), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error:" in page
    assert 'class="error-summary"' in page
    assert message in page
    if kept:
        assert kept in page
    # The summary links to a field on the page.
    anchors = re.findall(r'<div class="error-summary".*?</div>', page, re.S)[0]
    for anchor in re.findall(r'href="#([^"]+)"', anchors):
        assert f'id="{anchor}"' in page


def test_it_resumes_from_the_emailed_link_in_another_browser(program):
    fill_in(Client(), program, until="skills")
    message = OutboxMessage.objects.get(template="application_resume")
    link = link_in(message, "/apply/resume/")
    other = Client()
    response = other.get(link)
    assert response.status_code == 302
    assert response.url == step_url("skills")  # where they left off
    assert 'value="Nadia Haddad"' in other.get(step_url("about")).content.decode()


def test_it_resumes_in_the_same_browser_without_the_link(program):
    client = Client()
    fill_in(client, program, until="location")
    page = client.get(reverse("apply_start")).content.decode()
    assert "Continue your application" in page
    assert f'href="{step_url("location")}"' in page


def test_it_shows_another_browser_nothing_of_a_draft_without_the_link(program):
    client = Client()
    fill_in(client, program)
    stranger = Client()
    assert stranger.get(step_url("gender")).url == reverse("apply_start")
    assert stranger.get(reverse("apply_check")).url == reverse("apply_start")
    assert "Nadia" not in stranger.get(step_url("about")).content.decode()
    assert stranger.get(reverse("apply_resume", args=["not-the-token"])).status_code == 404
    draft = ApplicationDraft.objects.get()
    assert stranger.get(reverse("apply_resume", args=[draft.token_hash])).status_code == 404


def test_it_refuses_a_resume_link_after_submission(program):
    client = Client()
    fill_in(client, program)
    link = link_in(OutboxMessage.objects.get(template="application_resume"), "/apply/resume/")
    client.post(reverse("apply_check"))
    assert Client().get(link).status_code == 404


def test_it_catches_an_email_that_already_has_an_account(program, personas):
    for email in ("volunteer@example.org", "COORDINATOR@example.org"):
        response = Client().post(step_url("about"), about(program, email=email))
        assert response.status_code == 200
        page = response.content.decode()
        assert "There is already an account with this email address." in page
        assert reverse("account_login") in page
        assert reverse("account_reset_password") in page
        # Nothing else: not the person's name, role or anything about them.
        assert "Val Volunteer" not in page and "Cora" not in page
    assert not ApplicationDraft.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_it_catches_a_volunteer_who_applied_already(program):
    client = Client()
    fill_in(client, program)
    client.post(reverse("apply_check"))
    response = Client().post(step_url("about"), about(program))
    assert "There is already an account with this email address." in response.content.decode()


def test_it_sends_a_fresh_link_when_an_application_is_in_progress(program):
    first = Client()
    fill_in(first, program, until="location")
    old_link = link_in(OutboxMessage.objects.get(), "/apply/resume/")

    someone = Client()
    response = someone.post(step_url("about"), about(program, full_name="Somebody Else"))
    assert response.url == reverse("apply_link_sent")
    assert "Check your email" in someone.get(response.url).content.decode()
    # Nothing of the existing answers reaches that browser.
    assert someone.get(step_url("gender")).url == reverse("apply_start")
    assert ApplicationDraft.objects.count() == 1
    assert "Somebody" not in ApplicationDraft.objects.get().data
    # The fresh link goes to the address; the old one stops working.
    fresh = OutboxMessage.objects.filter(template="application_resume").latest("pk")
    assert fresh.to_address == "nadia.haddad@example.org"
    assert Client().get(old_link).status_code == 404
    assert Client().get(link_in(fresh, "/apply/resume/")).status_code == 302
    # The first browser carries on undisturbed.
    assert first.get(step_url("location")).status_code == 200


def test_it_sends_a_new_link_when_the_email_is_corrected(program):
    client = Client()
    fill_in(client, program, until="gender")
    response = client.post(step_url("about"), about(program, email="nadia@example.net"))
    assert response.status_code == 302
    assert ApplicationDraft.objects.get().email == "nadia@example.net"
    latest = OutboxMessage.objects.filter(template="application_resume").latest("pk")
    assert latest.to_address == "nadia@example.net"


def test_it_silently_discards_a_filled_honeypot(program):
    client = Client()
    response = client.post(step_url("about"), about(program, website="http://spam.example"))
    assert response.status_code == 302
    assert response.url == reverse("apply_link_sent")
    assert not ApplicationDraft.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_it_hides_the_honeypot_from_people(program):
    page = Client().get(step_url("about")).content.decode()
    hidden = re.search(r'<div class="visually-hidden" aria-hidden="true">(.*?)</div>', page, re.S)
    assert hidden and "Leave this empty" in hidden.group(1)
    assert re.search(r'<input[^>]*name="website"[^>]*>', hidden.group(1))
    field = re.search(r'<input[^>]*name="website"[^>]*>', page).group(0)
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field


def test_it_limits_how_many_applications_an_address_starts(program):
    for n in range(services_limit()):
        response = Client().post(step_url("about"), about(program, email=f"person{n}@example.org"))
        assert response.status_code == 302
    response = Client().post(step_url("about"), about(program, email="one-more@example.org"))
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not ApplicationDraft.objects.filter(email="one-more@example.org").exists()
    # Another address is not affected.
    response = Client(REMOTE_ADDR="192.0.2.7").post(
        step_url("about"), about(program, email="elsewhere@example.org")
    )
    assert response.status_code == 302


def services_limit() -> int:
    from accueil.volunteers.views.application import STARTS_PER_HOUR

    return STARTS_PER_HOUR


def test_it_writes_to_a_french_applicant_in_french(program, group):
    client = Client()
    client.cookies["accueil_language"] = "fr"
    fill_in(client, program, group)
    assert client.post(reverse("apply_check")).status_code == 302
    draft = ApplicationDraft.objects.get()
    assert draft.language == "fr"
    resume = OutboxMessage.objects.get(template="application_resume")
    assert resume.language == "fr"
    with translation.override("fr"):
        assert resume.subject == gettext("Continue your volunteer application")
        # Rendered in French: the date is written the French way ("24 décembre 2026").
        assert formats.date_format(draft.expires_at, "DATE_FORMAT") in resume.body_text
        expected_subject = gettext("Confirm your email and choose a password")
    user = User.objects.get(email="nadia.haddad@example.org")
    assert user.language == "fr"
    activation = OutboxMessage.objects.get(template="activate")
    assert activation.language == "fr"
    assert activation.subject.endswith(expected_subject)


def test_it_is_open_to_everyone_without_an_account(program):
    anonymous = Client()
    for url in (reverse("apply_start"), step_url("about")):
        assert anonymous.get(url).status_code == 200


@pytest.mark.parametrize(
    "persona", ["admin", "manager", "coordinator", "volunteer", "interpreter", "partner_a"]
)
def test_it_tells_a_signed_in_person_they_already_have_an_account(program, personas, persona):
    client = personas.client_for(persona)
    for url in (reverse("apply_start"), step_url("about"), reverse("apply_check")):
        response = client.get(url)
        assert response.status_code == 200
        assert "You already have an account" in response.content.decode()
    response = client.post(step_url("about"), about(program))
    assert "You already have an account" in response.content.decode()
    assert not ApplicationDraft.objects.exists()


def test_it_asks_again_when_a_saved_answer_stopped_being_valid(program, group):
    client = Client()
    fill_in(client, program, group)
    group.is_active = False
    group.save()
    response = client.get(reverse("apply_check"))
    assert response.status_code == 302
    assert response.url.startswith(step_url("group"))
    page = client.get(response.url).content.decode()
    assert "We cannot find a group" in page
    assert not Volunteer.objects.exists()


def test_it_asks_for_consent_again_after_the_notice_changed(program, monkeypatch):
    client = Client()
    fill_in(client, program)
    monkeypatch.setattr(services, "CONSENT_VERSION", "2099-01")
    from accueil.volunteers import forms_application

    monkeypatch.setattr(forms_application, "CONSENT_VERSION", "2099-01")
    response = client.get(reverse("apply_check"))
    assert response.url.startswith(step_url("consent"))


def test_it_offers_a_keyboard_friendly_language_picker_without_script(program):
    client = Client()
    fill_in(client, program, until="languages")
    page = client.get(step_url("languages")).content.decode()
    assert '<datalist id="language-options">' in page
    assert page.count('list="language-options"') == 6
    assert "<script" not in page.split("<main", 1)[1]
    # Common languages first.
    options = re.findall(r'<option value="([^"]+)">', page)
    assert options[:4] == ["English", "French", "Arabic", "Spanish"]
    assert "Dari" in options and "Tigrinya" in options


def test_it_names_every_availability_checkbox(program):
    client = Client()
    fill_in(client, program, until="availability")
    page = client.get(step_url("availability")).content.decode()
    assert page.count('type="checkbox"') == 21
    assert '<th scope="col">Morning</th>' in page
    assert '<th scope="row">Monday</th>' in page
    cell = re.search(r'<label class="slot" for="id_availability_0">(.*?)</label>', page, re.S)
    assert 'id="id_availability_0"' in cell.group(1)
    assert "Monday morning" in cell.group(1)


def test_it_does_not_join_a_group_of_another_program(program):
    other = ProgramFactory(name="Another program")
    other.regions.set([program.regions.get()])
    foreign = WelcomeGroup.objects.create(
        name="Elsewhere", program=other, region=program.regions.get()
    )
    client = Client()
    fill_in(client, program, until="group")
    response = client.post(step_url("group"), {"invite_code": foreign.invite_code})
    assert "another program" in response.content.decode()


def test_it_keeps_the_invite_code_in_the_audit_trail_too(program, group):
    client = Client()
    fill_in(client, program, group)
    client.post(reverse("apply_check"))
    volunteer = Volunteer.objects.get()
    ApplicationDraft.objects.all().delete()  # purged by retention, say
    assert services.pending_invite_code(volunteer) == group.invite_code


def test_it_has_no_invite_code_for_someone_applying_alone(program):
    client = Client()
    fill_in(client, program)
    client.post(reverse("apply_check"))
    volunteer = Volunteer.objects.get()
    assert services.pending_invite_code(volunteer) == ""
    assert json.loads(ApplicationDraft.objects.get().data) == {}


def test_it_starts_afresh_when_an_old_draft_expired(program):
    fill_in(Client(), program, until="skills")
    ApplicationDraft.objects.update(expires_at=timezone.now() - timedelta(days=1))
    client = Client()
    response = client.post(step_url("about"), about(program, full_name="Nadia H."))
    assert response.url == step_url("gender")
    draft = ApplicationDraft.objects.get()
    assert services.draft_answers(draft).keys() == {"about"}  # the old answers are gone


def test_it_sends_an_application_only_once(program):
    client = Client()
    fill_in(client, program)
    draft = ApplicationDraft.objects.get()
    application, _forms, missing = validate_answers(services.draft_answers(draft))
    assert missing is None
    services.application_submit(draft=draft, answers=application)
    with pytest.raises(ValidationError):
        services.application_submit(draft=draft, answers=application)
    assert Volunteer.objects.count() == 1


def test_it_says_so_when_no_program_takes_volunteers(program):
    program.is_active = False
    program.save()
    page = Client().get(reverse("apply_start")).content.decode()
    assert "We are not taking new volunteers" in page
    assert Client().get(step_url("about")).url == reverse("apply_start")


def test_it_explains_a_password_that_does_not_fit_and_keeps_the_link_working(program):
    client = Client()
    fill_in(client, program)
    client.post(reverse("apply_check"))
    link = link_in(OutboxMessage.objects.get(template="activate"), "/apply/account/")
    browser = Client()
    response = browser.post(link, {"password1": PASSWORD, "password2": "something else"})
    assert response.status_code == 200
    assert "The two passwords are not the same." in response.content.decode()
    response = browser.post(link, {"password1": "short", "password2": "short"})
    assert "<title>Error:" in response.content.decode()
    assert not EmailAddress.objects.get(email="nadia.haddad@example.org").verified
    assert browser.post(link, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 302


def test_it_refuses_a_tampered_or_foreign_account_link(program, personas):
    assert Client().get(reverse("apply_activate", args=["not:a:key"])).status_code == 404
    # A valid key for someone who is not a new volunteer (staff) does not open the page.
    address = EmailAddress.objects.get(email="coordinator@example.org")
    address.verified = False
    address.save()
    assert Client().get(services.activation_link(address)).status_code == 404


def test_it_does_not_open_the_account_link_in_someone_elses_session(program, personas):
    client = Client()
    fill_in(client, program)
    client.post(reverse("apply_check"))
    link = link_in(OutboxMessage.objects.get(template="activate"), "/apply/account/")
    response = personas.client_for("volunteer").post(
        link, {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert "You already have an account" in response.content.decode()
    assert not User.objects.get(email="nadia.haddad@example.org").has_usable_password()
