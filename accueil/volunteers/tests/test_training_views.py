import re
import sys
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from accueil.conftest import MANAGERS, assert_personas
from accueil.factories import UserFactory
from accueil.volunteers.models import QuizAttempt, TrainingCompletion

from .training_factories import (
    attach_file,
    make_lead,
    make_module,
    pass_module,
    right_answers,
    wrong_choice,
)

pytestmark = pytest.mark.django_db

# Everyone who takes training: staff, volunteers, interpreters, and a volunteer with no group.
TAKERS = {"admin", "manager", "coordinator", "volunteer", "interpreter", "outsider"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def _reset_language():
    # A request as a French-speaking person leaves French active in this thread.
    yield
    translation.activate("en")


@pytest.fixture
def module():
    return make_module("safe-calls", title="Safe calls", refresher_months=24)


def _field(question):
    return f"question_{question.pk}"


def _post_data(answers: dict) -> dict:
    return {f"question_{pk}": [str(c) for c in choices] for pk, choices in answers.items()}


# Permissions: every view, every persona.


def test_it_lets_people_who_take_training_see_the_list(personas, module):
    assert_personas(personas, reverse("training_list"), TAKERS)


def test_it_lets_people_who_take_training_read_a_module(personas, module):
    assert_personas(personas, reverse("training_module", args=[module.slug]), TAKERS)


def test_it_lets_people_who_take_training_open_the_quiz(personas, module):
    assert_personas(personas, reverse("training_quiz", args=[module.slug]), TAKERS)


def test_it_lets_people_who_take_training_submit_the_quiz(personas, module):
    assert_personas(
        personas,
        reverse("training_quiz", args=[module.slug]),
        TAKERS,
        method="post",
        data=_post_data(right_answers(module)),
        ok=(302,),
    )
    assert QuizAttempt.objects.filter(user__role="partner_referrer").count() == 0
    assert TrainingCompletion.objects.count() == len(TAKERS)


def test_it_lets_people_who_take_training_get_a_certificate(personas, module):
    # Nobody has passed anything yet: a page that says so.
    assert_personas(personas, reverse("training_certificate"), TAKERS)


def test_it_shows_the_overview_to_managers_only(personas, module):
    assert_personas(personas, reverse("training_overview"), MANAGERS)


def test_it_serves_handouts_to_people_who_take_training_only(personas, module):
    handout = attach_file(module, payload=b"Call from a quiet room.")
    url = reverse("training_file", args=[module.slug, handout.pk])
    assert_personas(personas, url, TAKERS)
    response = personas.client_for("volunteer").get(url)
    assert b"".join(response.streaming_content) == b"Call from a quiet room."
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_it_never_serves_handouts_from_a_guessable_media_url(personas, module):
    handout = attach_file(module)
    client = personas.client_for("volunteer")
    for url in (
        f"/media/{handout.file.name}",
        f"/{handout.file.name}",
        f"/private/{handout.file.name}",
        "/media/training/",
    ):
        assert client.get(url).status_code == 404, url


def test_it_does_not_serve_a_handout_through_another_module(personas, module):
    handout = attach_file(module)
    other = make_module()
    url = reverse("training_file", args=[other.slug, handout.pk])
    assert personas.client_for("volunteer").get(url).status_code == 404


def test_it_hides_unpublished_modules_from_everyone_but_managers(personas):
    draft = make_module("draft", is_published=False)
    assert_personas(personas, reverse("training_module", args=[draft.slug]), MANAGERS)
    # Managers may read a draft but nobody can pass it.
    response = personas.client_for("manager").post(
        reverse("training_quiz", args=[draft.slug]), _post_data(right_answers(draft))
    )
    assert response.status_code == 404
    html = personas.client_for("volunteer").get(reverse("training_list")).content.decode()
    assert "draft" not in html


# The list.


def test_it_shows_each_modules_status_for_the_person(personas):
    volunteer = personas.volunteer
    not_started = make_module(title="Journeys")
    passed = make_module(title="Boundaries", refresher_months=24)
    due = make_module(title="Trauma")
    started = make_module(title="Culture")
    optional = make_module(title="Extra", required_for=[])
    pass_module(volunteer, passed, due_on=timezone.localdate() + timedelta(days=700))
    pass_module(volunteer, due, days_ago=800, due_on=timezone.localdate() - timedelta(days=5))
    QuizAttempt.objects.create(user=volunteer, module=started, score=50, passed=False)

    response = personas.client_for("volunteer").get(reverse("training_list"))
    rows = {row["module"].pk: row for row in response.context["rows"]}
    assert rows[not_started.pk]["status"] == "not_started"
    assert rows[passed.pk]["status"] == "passed"
    assert rows[due.pk]["status"] == "refresher_due"
    assert rows[started.pk]["status"] == "in_progress"
    assert rows[optional.pk]["required"] is False and rows[passed.pk]["required"] is True
    html = response.content.decode()
    for text in ("Not started", "Passed on", "Refresher due", "In progress", "Required for you"):
        assert text in html
    assert reverse("training_certificate") in html
    assert html.count("<h1") == 1


def test_it_marks_lead_modules_as_required_only_for_current_leads(personas):
    leading = make_module(title="Leading a group", required_for=["group_lead"])
    client = personas.client_for("volunteer")
    rows = client.get(reverse("training_list")).context["rows"]
    assert [r["required"] for r in rows if r["module"] == leading] == [False]
    make_lead(personas.volunteer)
    rows = client.get(reverse("training_list")).context["rows"]
    assert [r["required"] for r in rows if r["module"] == leading] == [True]


def test_it_lists_modules_in_constant_queries(personas):
    client = personas.client_for("volunteer")
    make_module()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("training_list"))
    for _ in range(8):
        extra = make_module()
        pass_module(personas.volunteer, extra)
        QuizAttempt.objects.create(user=personas.volunteer, module=extra, score=100, passed=True)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("training_list"))
    assert len(response.context["rows"]) == 9
    assert len(many) == len(few)


def test_it_shows_the_overview_in_constant_queries(personas):
    client = personas.client_for("manager")
    module = make_module()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("training_overview"))
    for user in UserFactory.create_batch(12):
        for extra in [module, make_module()]:
            pass_module(user, extra)
            QuizAttempt.objects.create(user=user, module=extra, score=50, passed=False)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("training_overview"))
    assert len(response.context["rows"]) == 13
    assert response.context["rows"][0]["passed"] == 12
    assert len(many) == len(few)


# A module.


def test_it_links_the_video_as_an_ordinary_external_link(personas):
    module = make_module(video_url="https://www.youtube.com/watch?v=abc123")
    html = personas.client_for("volunteer").get(reverse("training_module", args=[module.slug]))
    html = html.content.decode()
    assert "Watch the video (opens YouTube)" in html
    assert 'href="https://www.youtube.com/watch?v=abc123" rel="noopener noreferrer"' in html
    assert "<iframe" not in html and "<embed" not in html and "target=" not in html


def test_it_shows_the_module_in_the_persons_language(personas, module):
    personas.volunteer.language = "fr"
    personas.volunteer.save()
    html = personas.client_for("volunteer").get(reverse("training_module", args=[module.slug]))
    assert "Texte Safe calls." in html.content.decode()


# The quiz.


def test_it_renders_the_quiz_as_fieldsets_with_radios_and_checkboxes(personas, module):
    html = personas.client_for("volunteer").get(reverse("training_quiz", args=[module.slug]))
    html = html.content.decode()
    assert html.count("<fieldset") == 2 and html.count("<legend") == 2
    single, multiple = module.questions.all()
    assert re.search(rf'type="radio" name="{_field(single)}"', html)
    assert re.search(rf'type="checkbox" name="{_field(multiple)}"', html)
    assert "Select all that apply." in html


def test_it_passes_and_records_a_completion(personas, module):
    client = personas.client_for("volunteer")
    response = client.post(
        reverse("training_quiz", args=[module.slug]), _post_data(right_answers(module))
    )
    assert response.status_code == 302
    assert response.url == reverse("training_module", args=[module.slug])
    completion = TrainingCompletion.objects.get(user=personas.volunteer, module=module)
    assert completion.refresher_due_on > timezone.localdate()
    html = client.get(response.url).content.decode()
    assert "You passed" in html and "100%, passed" in html


def test_it_keeps_the_answers_and_names_the_questions_to_review_when_failing(personas, module):
    single, multiple = module.questions.prefetch_related("choices")
    chosen_wrong = wrong_choice(single)
    partial = next(c for c in multiple.choices.all() if c.correct)  # only one of two right
    response = personas.client_for("volunteer").post(
        reverse("training_quiz", args=[module.slug]),
        {_field(single): str(chosen_wrong.pk), _field(multiple): [str(partial.pk)]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "You scored 0%. You need 80% to pass." in html
    assert 'href="#question-1"' in html and 'href="#question-2"' in html
    # What was ticked stays ticked…
    assert re.search(rf'value="{chosen_wrong.pk}"[^>]*checked', html)
    assert re.search(rf'value="{partial.pk}"[^>]*checked', html)
    # …and nothing else is, so the right answers are not given away.
    assert html.count("checked") == 2
    assert "correct" not in html.lower()
    assert QuizAttempt.objects.get().passed is False
    assert not TrainingCompletion.objects.exists()


def test_it_asks_for_every_answer_before_scoring(personas, module):
    single, multiple = module.questions.prefetch_related("choices")
    response = personas.client_for("volunteer").post(
        reverse("training_quiz", args=[module.slug]), {_field(single): str(wrong_choice(single).pk)}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error:" in html
    assert "Choose at least one answer to question 2." in html
    assert f'href="#id_{_field(multiple)}_0"' in html
    assert re.search(rf'value="{wrong_choice(single).pk}"[^>]*checked', html)
    assert not QuizAttempt.objects.exists()


def test_it_shows_the_last_attempts(personas, module):
    client = personas.client_for("volunteer")
    single = module.questions.first()
    wrong = _post_data(right_answers(module) | {single.pk: [wrong_choice(single).pk]})
    for _ in range(7):
        client.post(reverse("training_quiz", args=[module.slug]), wrong)
    html = client.get(reverse("training_quiz", args=[module.slug])).content.decode()
    assert html.count("50%, not passed") == 5


# The certificate.


def _passed_everything(user, *modules):
    for module in modules:
        pass_module(user, module)


def test_it_makes_a_pdf_certificate(personas, module):
    _passed_everything(personas.volunteer, module)
    response = personas.client_for("volunteer").get(reverse("training_certificate"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 2000


def test_it_writes_the_certificate_in_the_persons_language(personas, module):
    from accueil.factories import host_organisation
    from accueil.volunteers.views.training import certificate_html

    host_organisation()
    personas.volunteer.language = "fr"
    personas.volunteer.save()
    _passed_everything(personas.volunteer, module)
    html = certificate_html(personas.volunteer)
    assert '<html lang="fr"' in html
    assert "Val Volunteer" in html
    assert "Safe calls (fr)" in html
    assert "Host organisation" in html
    completed = timezone.localdate(TrainingCompletion.objects.get().completed_at)
    with translation.override("fr"):
        assert date_format(completed, "DATE_FORMAT") in html  # e.g. "25 novembre 2026"


def test_it_says_so_when_pdfs_cannot_be_made(personas, module, monkeypatch):
    _passed_everything(personas.volunteer, module)
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint -> ImportError
    response = personas.client_for("volunteer").get(reverse("training_certificate"))
    assert response.status_code == 503
    assert "Certificate not available" in response.content.decode()


def test_it_fetches_only_local_static_files_for_pdfs():
    from accueil.volunteers.pdf import BASE_URL, static_only_fetcher

    fetcher = static_only_fetcher()
    css = fetcher(BASE_URL + "static/volunteers/training/certificate.css")
    assert b"@page" in css.read()
    css.close()
    for url in (
        "https://example.org/static/volunteers/training/certificate.css",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "data:text/css,body{}",
        BASE_URL + "static/../../accueil/settings.py",
        BASE_URL + "static/%2e%2e/%2e%2e/accueil/settings.py",
        BASE_URL + "media/training/x.txt",
        BASE_URL + "static/",
    ):
        with pytest.raises(ValueError, match="Refused"):
            fetcher(url)
