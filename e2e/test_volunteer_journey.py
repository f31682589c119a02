"""The volunteer journey of issue 3, through the real pages: a newcomer to the program applies
in French with a friends' group invite code, confirms the email, passes the training quizzes; a
coordinator screens and approves them; the friends' group becomes ready to be matched.

axe-core checks every page on the way. Answers to the quizzes come from the database, as a
careful reader would find them in the modules.
"""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from accueil.accounts.models import User
from accueil.messaging.models import OutboxMessage
from accueil.volunteers.models import (
    GroupMembership,
    Question,
    StepType,
    TrainingModule,
    Volunteer,
    VolunteerStatus,
)
from accueil.volunteers.selectors_training import published_modules
from e2e import volunteer_data
from e2e.live import Site, assert_no_axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL = "elodie.gagnon@example.org"
FULL_NAME = "Élodie Gagnon"
NEW_PASSWORD = "lantern orchard maple river"


def _checked(site: Site) -> None:
    """The page has loaded and has no accessibility violation."""
    site.page.wait_for_load_state("load")
    assert_no_axe_violations(site.page)


def _submit(site: Site) -> None:
    site.page.locator("main form button[type=submit]").click()


def _expect_path(site: Site, path: str) -> None:
    expect(site.page).to_have_url(re.compile("^" + re.escape(site.url(path)) + r"(\?.*)?$"))


def _link_in_outbox(site: Site, *, template: str, to: str, path: str) -> str:
    """The link a message in the outbox carries, pointed at the live server."""
    messages = [m for m in OutboxMessage.objects.filter(template=template) if m.to_address == to]
    assert len(messages) == 1, f"expected one {template!r} message to {to}"
    match = re.search(re.escape(settings.SITE_URL + path) + r"[^/\s]+/", messages[0].body_text)
    assert match, f"the {template!r} message has no link to {path}"
    return match.group(0).replace(settings.SITE_URL, site.base_url, 1)


def _apply_in_french(site: Site, invite_code: str) -> None:
    page = site.page
    site.goto("/apply/")
    _checked(site)
    switcher = page.locator("form.language-switcher")
    switcher.locator("select").select_option("fr")
    switcher.get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    _expect_path(site, "/apply/")
    _checked(site)

    page.locator("main a.button[href='/apply/about/']").click()
    _checked(site)
    page.locator("input[name=full_name]").fill(FULL_NAME)
    page.locator("input[name=preferred_name]").fill("Élodie")
    page.locator("input[name=email]").fill(EMAIL)
    page.locator("input[name=phone]").fill("647 555 0142")
    # The only program open is chosen already.
    expect(page.locator("input[name=program]")).to_be_checked()
    page.locator("select[name=region]").select_option(label="Toronto")
    _submit(site)

    _expect_path(site, "/apply/gender/")
    _checked(site)
    page.locator("input[name=gender][value=woman]").check()
    _submit(site)

    _expect_path(site, "/apply/languages/")
    _checked(site)
    page.locator("input[name=language_1]").fill("français")
    page.locator("select[name=level_1]").select_option("native")
    page.locator("input[name=language_2]").fill("arabe")
    page.locator("select[name=level_2]").select_option("conversational")
    _submit(site)

    _expect_path(site, "/apply/skills/")
    _checked(site)
    for skill in ("language_practice", "employment", "digital_skills"):
        page.locator(f"input[name=skills][value={skill}]").check()
    _submit(site)

    _expect_path(site, "/apply/availability/")
    _checked(site)
    for slot in ("tue_evening", "sat_morning", "sat_afternoon"):
        page.locator(f"input[name=availability][value={slot}]").check()
    _submit(site)

    _expect_path(site, "/apply/location/")
    _checked(site)
    page.locator("input[name=postal_prefix]").fill("m6h")
    page.locator("input[name=in_person][value=yes]").check()
    page.locator("input[name=heard_from]").fill("Une amie du groupe")
    _submit(site)

    _expect_path(site, "/apply/group/")
    _checked(site)
    page.locator("input[name=invite_code]").fill(invite_code.lower())
    _submit(site)

    _expect_path(site, "/apply/motivation/")
    _checked(site)
    page.locator("textarea[name=motivation]").fill(
        "Je suis arrivée à Toronto il y a dix ans et une voisine m'a beaucoup aidée. "
        "Je veux aider une famille à mon tour, avec mes amies du groupe."
    )
    _submit(site)

    _expect_path(site, "/apply/references/")
    _checked(site)
    for number, (name, email, relation) in enumerate(
        [
            ("Samira Nouri", "samira@example.net", "Gestionnaire à la bibliothèque"),
            ("Paul Tremblay", "paul@example.net", "Voisin depuis 6 ans"),
        ],
        start=1,
    ):
        page.locator(f"input[name=ref{number}_name]").fill(name)
        page.locator(f"input[name=ref{number}_email]").fill(email)
        page.locator(f"input[name=ref{number}_relation]").fill(relation)
    _submit(site)

    _expect_path(site, "/apply/consent/")
    _checked(site)
    page.locator("input[name=consent]").check()
    _submit(site)

    _expect_path(site, "/apply/check/")
    _checked(site)
    expect(page.locator("main dl.summary")).to_contain_text(invite_code)
    _submit(site)
    _expect_path(site, "/apply/sent/")
    expect(page.locator("main")).to_contain_text(EMAIL)
    _checked(site)


def _pass_quiz(site: Site, module: TrainingModule) -> None:
    """From the training list: read the module, answer every question right."""
    page = site.page
    page.locator(f"main a[href='/training/{module.slug}/']").click()
    _expect_path(site, f"/training/{module.slug}/")
    _checked(site)
    page.locator(f"main a.button[href='/training/{module.slug}/quiz/']").click()
    _expect_path(site, f"/training/{module.slug}/quiz/")
    _checked(site)
    questions = Question.objects.filter(module=module).prefetch_related("choices")
    for question in questions:
        for choice in question.choices.all():
            if choice.correct:
                page.locator(f"input[name=question_{question.pk}][value='{choice.pk}']").check()
    page.locator("main form.quiz button[type=submit]").click()
    # Passed: back on the module, which says so.
    _expect_path(site, f"/training/{module.slug}/")
    expect(page.locator(".notice--success")).to_be_visible()
    expect(page.locator(".training-task__status .status--ok")).to_be_visible()
    _checked(site)
    page.locator("main a.back-link[href='/training/']").click()
    _expect_path(site, "/training/")
    _checked(site)


def _open_step(site: Site, volunteer: Volunteer, step_type: str) -> None:
    site.page.locator(f"main a[href='/volunteers/{volunteer.pk}/steps/{step_type}/']").click()
    _expect_path(site, f"/volunteers/{volunteer.pk}/steps/{step_type}/")
    _checked(site)


def _submit_action(site: Site, action: str) -> None:
    """Send one of the forms of a step page, then come back to it with a notice."""
    url = site.page.url
    site.page.locator(f"main form:has(input[name=action][value={action}]) button").click()
    expect(site.page.locator(".notice--success")).to_be_visible()
    expect(site.page).to_have_url(url)
    _checked(site)


def _back_to_volunteer(site: Site, volunteer: Volunteer) -> None:
    site.page.locator(f"main a.back-link[href='/volunteers/{volunteer.pk}/']").click()
    _expect_path(site, f"/volunteers/{volunteer.pk}/")
    _checked(site)


def _expect_task_done(site: Site, step_type: str) -> None:
    expect(site.page.locator(f"#task-{step_type}-status")).to_have_class(
        re.compile("tag--completed")
    )


def test_it_takes_a_volunteer_who_applies_in_french_into_a_ready_welcome_group(
    new_site, coordinator
):
    volunteer_data.load_modules()
    program = volunteer_data.toronto_program()
    coordinator.programs.add(program)
    # Friends who applied before: a lead and two members, approved, trained, checks valid.
    # Ready now; with Élodie in it, not ready until she is approved and trained too.
    group = volunteer_data.ready_group(program, by=coordinator)
    assert group.memberships.filter(left_at__isnull=True).count() == 3

    # The new volunteer, on their own device.
    elodie_site = new_site(bypass_csp=True)
    page = elodie_site.page
    _apply_in_french(elodie_site, group.invite_code)

    elodie = User.objects.get(email=EMAIL)
    volunteer = Volunteer.objects.get(user=elodie)
    assert elodie.language == "fr"
    assert volunteer.status == VolunteerStatus.APPLIED
    # The invite code put them in the group on submission.
    assert GroupMembership.objects.filter(group=group, user=elodie, left_at__isnull=True).exists()

    # The email: confirm the address and choose a password.
    page.goto(_link_in_outbox(elodie_site, template="activate", to=EMAIL, path="/apply/account/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    _checked(elodie_site)
    page.locator("input[name=password1]").fill(NEW_PASSWORD)
    page.locator("input[name=password2]").fill(NEW_PASSWORD)
    _submit(elodie_site)
    # Signed in by the link, at "what's next".
    _expect_path(elodie_site, "/me/")
    _checked(elodie_site)

    # Signing out and in again proves the password.
    page.locator("form[action='/accounts/logout/'] button").click()
    expect(page.locator("form[action='/accounts/logout/'] button")).to_have_count(0)
    elodie_site.sign_in(elodie, password=NEW_PASSWORD, on_each_page=assert_no_axe_violations)
    _expect_path(elodie_site, "/me/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    _checked(elodie_site)

    # What's next: the friends' group, not ready while Élodie is being screened.
    page.locator(f"main a[href='/groups/{group.pk}/']").click()
    _expect_path(elodie_site, f"/groups/{group.pk}/")
    expect(page.locator(".gate--todo")).to_contain_text(elodie.display_name)
    _checked(elodie_site)

    # Training: the quizzes of the required modules, through the real pages. The gate needs
    # every required module (all five are, for a volunteer), so after the two the acceptance
    # asks for, the other three follow the same way.
    page.locator("nav[aria-label] a[href='/training/']").click()
    _expect_path(elodie_site, "/training/")
    _checked(elodie_site)
    modules = list(published_modules())
    assert len(modules) == 5
    for module in modules:
        _pass_quiz(elodie_site, module)
    assert elodie.training_completions.count() == 5

    # The coordinator, on their computer.
    cora_site = new_site(bypass_csp=True)
    cora = cora_site.page
    cora_site.sign_in(coordinator, on_each_page=assert_no_axe_violations)
    _checked(cora_site)
    cora.get_by_role("navigation", name="Main").get_by_role("link", name="Volunteers").click()
    _expect_path(cora_site, "/volunteers/")
    _checked(cora_site)
    cora.locator("main form.filters select[name=program]").select_option(str(program.pk))
    cora.locator("main form.filters select[name=stage]").select_option("applied")
    cora.locator("main form.filters button[type=submit]").click()
    expect(cora.locator("table.pipeline tbody tr")).to_have_count(1)
    _checked(cora_site)
    cora.locator("table.pipeline").get_by_role("link", name=FULL_NAME).click()
    _expect_path(cora_site, f"/volunteers/{volunteer.pk}/")
    _checked(cora_site)
    cora.locator(f"form[action='/volunteers/{volunteer.pk}/start/'] button").click()
    expect(cora.locator(".notice--success")).to_be_visible()
    _checked(cora_site)

    # Interview: booked for two hours ago, held, suitable.
    _open_step(cora_site, volunteer, StepType.INTERVIEW)
    held_at = timezone.localtime(timezone.now() - timedelta(hours=2))
    cora.locator("input[name='schedule-when']").fill(held_at.strftime("%Y-%m-%dT%H:%M"))
    _submit_action(cora_site, "schedule")
    cora.locator("input[name='record-outcome'][value=suitable]").check()
    cora.locator("textarea[name='record-notes']").fill(
        "Warm and clear about boundaries. Speaks French and some Arabic."
    )
    _submit_action(cora_site, "record")
    expect(cora.locator("main .tag--completed")).to_be_visible()
    _back_to_volunteer(cora_site, volunteer)
    _expect_task_done(cora_site, StepType.INTERVIEW)

    # References: Samira answers the emailed form; Paul answers on the phone.
    samira_site = new_site(bypass_csp=True)
    samira_site.page.goto(
        _link_in_outbox(
            samira_site,
            template="volunteers.reference_request",
            to="samira@example.net",
            path="/volunteers/reference/",
        )
    )
    expect(samira_site.page.locator("h1")).to_contain_text(FULL_NAME)
    _checked(samira_site)
    samira = samira_site.page
    samira.locator("input[name=known_for][value='3_10']").check()
    samira.locator("input[name=capacity]").fill("I was her manager at the library.")
    samira.locator("input[name=trust][value=yes]").check()
    samira.locator("textarea[name=comments]").fill("Patient, reliable, good with children.")
    _submit(samira_site)
    expect(samira.locator("input[name=capacity]")).to_have_count(0)
    _checked(samira_site)

    _open_step(cora_site, volunteer, StepType.REFERENCES)
    paul = volunteer.references.get(name="Paul Tremblay")
    cora.locator(f"main a[href='/volunteers/{volunteer.pk}/references/{paul.pk}/phone/']").click()
    _checked(cora_site)
    cora.locator("input[name=known_for][value='3_10']").check()
    cora.locator("input[name=capacity]").fill("Neighbour; she looks after his garden.")
    cora.locator("input[name=trust][value=yes]").check()
    _submit(cora_site)
    _expect_path(cora_site, f"/volunteers/{volunteer.pk}/steps/references/")
    expect(cora.locator("main .tag--completed")).to_be_visible()
    _checked(cora_site)
    _back_to_volunteer(cora_site, volunteer)

    # Élodie signs the code of conduct and sends her police check from her own pages.
    elodie_site.goto("/me/")
    _checked(elodie_site)
    page.locator("main a[href='/volunteers/my-application/']").click()
    _expect_path(elodie_site, "/volunteers/my-application/")
    _checked(elodie_site)
    page.locator("main a[href='/volunteers/my-application/code-of-conduct/']").click()
    _checked(elodie_site)
    page.locator("input[name=agree]").check()
    page.locator("input[name=signed_name]").fill(FULL_NAME)
    _submit(elodie_site)
    _expect_path(elodie_site, "/volunteers/my-application/")
    expect(page.locator(".notice--success")).to_be_visible()
    _checked(elodie_site)
    page.locator("main a[href='/volunteers/my-application/police-check/']").click()
    _checked(elodie_site)
    page.locator("input[name=document]").set_input_files(
        {
            "name": "verification-policiere.pdf",
            "mimeType": "application/pdf",
            "buffer": volunteer_data.police_check_bytes(),
        }
    )
    _submit(elodie_site)
    _expect_path(elodie_site, "/volunteers/my-application/")
    expect(page.locator(".notice--success")).to_be_visible()
    _checked(elodie_site)

    # The coordinator checks the document and records its date.
    cora.reload()
    _open_step(cora_site, volunteer, StepType.POLICE_CHECK)
    expect(cora.locator("main a[href^='/volunteers/documents/']")).to_have_count(1)
    issued = timezone.localdate() - timedelta(days=20)
    cora.locator("input[name='record-issued_on']").fill(issued.isoformat())
    _submit_action(cora_site, "record")
    expect(cora.locator("main .tag--completed")).to_be_visible()
    _back_to_volunteer(cora_site, volunteer)

    _open_step(cora_site, volunteer, StepType.CODE_OF_CONDUCT)
    expect(cora.locator("main")).to_contain_text(FULL_NAME)
    expect(cora.locator("main .tag--completed")).to_be_visible()
    _back_to_volunteer(cora_site, volunteer)

    _open_step(cora_site, volunteer, StepType.ORIENTATION)
    yesterday = timezone.localdate() - timedelta(days=1)
    cora.locator("input[name='record-attended_on']").fill(yesterday.isoformat())
    _submit_action(cora_site, "record")
    expect(cora.locator("main .tag--completed")).to_be_visible()
    _back_to_volunteer(cora_site, volunteer)

    # The training step completed itself: every required module is passed.
    _open_step(cora_site, volunteer, StepType.TRAINING)
    expect(cora.locator("main .tag--completed")).to_be_visible()
    _back_to_volunteer(cora_site, volunteer)
    for step_type in StepType:
        _expect_task_done(cora_site, step_type)

    # Approval, confirmed by the coordinator.
    cora.locator(f"main a[href='/volunteers/{volunteer.pk}/approve/']").click()
    _expect_path(cora_site, f"/volunteers/{volunteer.pk}/approve/")
    _checked(cora_site)
    _submit(cora_site)
    _expect_path(cora_site, f"/volunteers/{volunteer.pk}/")
    expect(cora.locator(".notice--success")).to_be_visible()
    _checked(cora_site)
    volunteer.refresh_from_db()
    assert volunteer.status == VolunteerStatus.APPROVED

    # The group is ready: for the coordinator…
    cora.get_by_role("navigation", name="Main").get_by_role("link", name="Welcome Groups").click()
    _expect_path(cora_site, "/groups/")
    _checked(cora_site)
    cora.locator(f"main a[href='/groups/{group.pk}/']").click()
    _expect_path(cora_site, f"/groups/{group.pk}/")
    expect(cora.locator(".gate--ok")).to_be_visible()
    expect(cora.locator(".gate--todo")).to_have_count(0)
    _checked(cora_site)

    # …and for Élodie, in French.
    elodie_site.goto("/me/")
    expect(page.locator("main .task").last.locator(".status--ok")).to_be_visible()
    _checked(elodie_site)
    page.locator(f"main a[href='/groups/{group.pk}/']").click()
    with translation.override("fr"):
        ready = gettext("Ready to be matched")
    expect(page.locator(".gate--ok h2")).to_have_text(ready)
    expect(page.locator("main table").first).to_contain_text(elodie.display_name)
    _checked(elodie_site)

    for site in (elodie_site, cora_site, samira_site):
        assert site.page_errors == []
