from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from accueil.core.models import AuditEntry
from accueil.volunteers.models import QuizAttempt, TrainingCompletion, TrainingModule
from accueil.volunteers.services.training import (
    add_months,
    grade,
    quiz_submit,
    sanitize_html,
)

from .training_factories import make_module, right_answers, wrong_choice

pytestmark = pytest.mark.django_db


def _questions(module):
    return list(module.questions.prefetch_related("choices"))


def test_it_scores_a_single_choice_question(personas):
    module = make_module(quiz=[("single", (False, True, False))])
    (question,) = _questions(module)
    right = [c.pk for c in question.choices.all() if c.correct]
    assert grade(_questions(module), {question.pk: right}, 80).score == 100
    assert grade(_questions(module), {question.pk: [wrong_choice(question).pk]}, 80).score == 0
    # Two ticks on a one-answer question, even if one is right, is wrong.
    both = [*right, wrong_choice(question).pk]
    assert grade(_questions(module), {question.pk: both}, 80).to_review == [question.pk]


def test_it_counts_a_multiple_choice_question_only_when_fully_right(personas):
    module = make_module(quiz=[("multiple", (True, True, False, False))])
    (question,) = _questions(module)
    first, second, third, _fourth = [c.pk for c in question.choices.all()]
    assert grade(_questions(module), {question.pk: [first, second]}, 80).passed
    partial = grade(_questions(module), {question.pk: [first]}, 80)
    assert (partial.score, partial.passed, partial.to_review) == (0, False, [question.pk])
    extra = grade(_questions(module), {str(question.pk): [first, second, third]}, 80)
    assert not extra.passed


def test_it_scores_the_percent_of_questions_answered_right_and_rounds_down():
    module = make_module(quiz=[("single", (True, False))] * 3)
    questions = _questions(module)
    answers = right_answers(module)
    answers[questions[0].pk] = [wrong_choice(questions[0]).pk]
    result = grade(questions, answers, 80)
    assert (result.correct, result.total, result.score, result.passed) == (2, 3, 66, False)
    assert grade(questions, answers, 66).passed


def test_it_treats_unanswered_questions_as_wrong():
    module = make_module(quiz=[("single", (True, False))] * 4)
    questions = _questions(module)
    answers = right_answers(module)
    del answers[questions[3].pk]
    result = grade(questions, answers, 80)
    assert (result.score, result.passed, result.to_review) == (75, False, [questions[3].pk])


def test_it_records_a_pass_with_a_completion_and_an_audit_entry(personas):
    module = make_module()
    attempt = quiz_submit(user=personas.volunteer, module=module, answers=right_answers(module))
    assert (attempt.score, attempt.passed) == (100, True)
    completion = TrainingCompletion.objects.get(user=personas.volunteer, module=module)
    assert completion.refresher_due_on is None
    entry = AuditEntry.objects.get(code="training.completed", actor=personas.volunteer)
    assert entry.additional_data == {"score": 100}
    with translation.override("en"):
        assert "passed the training module" in entry.sentence


def test_it_records_a_failed_attempt_without_a_completion(personas):
    module = make_module()
    question = _questions(module)[0]
    answers = right_answers(module) | {question.pk: [wrong_choice(question).pk]}
    attempt = quiz_submit(user=personas.volunteer, module=module, answers=answers)
    assert (attempt.score, attempt.passed) == (50, False)
    assert attempt.answers[str(question.pk)] == [wrong_choice(question).pk]
    assert not TrainingCompletion.objects.exists()
    assert AuditEntry.objects.filter(code="training.quiz_failed", actor=personas.volunteer).exists()


def test_it_allows_retries_and_keeps_one_completion_refreshed(personas):
    module = make_module(refresher_months=24)
    question = _questions(module)[0]
    wrong = right_answers(module) | {question.pk: [wrong_choice(question).pk]}
    quiz_submit(user=personas.volunteer, module=module, answers=wrong)
    quiz_submit(user=personas.volunteer, module=module, answers=wrong)
    quiz_submit(user=personas.volunteer, module=module, answers=right_answers(module))
    first = TrainingCompletion.objects.get(user=personas.volunteer, module=module)
    TrainingCompletion.objects.filter(pk=first.pk).update(
        completed_at=timezone.now() - timedelta(days=800),
        refresher_due_on=timezone.localdate() - timedelta(days=70),
    )
    quiz_submit(user=personas.volunteer, module=module, answers=right_answers(module))
    assert QuizAttempt.objects.filter(user=personas.volunteer, module=module).count() == 4
    refreshed = TrainingCompletion.objects.get(user=personas.volunteer, module=module)
    assert refreshed.pk == first.pk
    assert refreshed.refresher_due_on == add_months(timezone.localdate(), 24)
    assert refreshed.is_current()


def test_it_sets_the_refresher_date_from_the_day_of_the_pass(personas):
    module = make_module(refresher_months=24)
    quiz_submit(user=personas.volunteer, module=module, answers=right_answers(module))
    completion = TrainingCompletion.objects.get()
    today = timezone.localdate()
    assert completion.refresher_due_on == add_months(today, 24)
    assert completion.is_current(on=completion.refresher_due_on)
    assert not completion.is_current(on=completion.refresher_due_on + timedelta(days=1))


def test_it_adds_months_without_overflowing_short_months():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 2, 28), 24) == date(2028, 2, 28)
    assert add_months(date(2027, 2, 28), 12) == date(2028, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)
    assert add_months(date(2024, 2, 29), 24) == date(2026, 2, 28)


def test_it_refuses_quizzes_to_partners_and_unpublished_modules(personas):
    module = make_module()
    with pytest.raises(PermissionDenied):
        quiz_submit(user=personas.partner_a, module=module, answers=right_answers(module))
    draft = make_module(is_published=False)
    with pytest.raises(PermissionDenied):
        quiz_submit(user=personas.volunteer, module=draft, answers=right_answers(draft))
    assert not QuizAttempt.objects.exists()


def test_it_completes_a_module_without_questions_when_confirmed(personas):
    module = make_module(quiz=())
    attempt = quiz_submit(user=personas.volunteer, module=module, answers={})
    assert attempt.passed and attempt.score == 100


def test_it_ignores_answers_to_questions_of_other_modules(personas):
    module, other = make_module(), make_module()
    answers = right_answers(module) | right_answers(other)
    attempt = quiz_submit(user=personas.volunteer, module=module, answers=answers)
    assert set(attempt.answers) == {str(pk) for pk in right_answers(module)}


def test_it_sanitizes_html_to_the_allowed_tags():
    dirty = (
        '<h1>Title</h1><p onclick="steal()" style="color:red" lang="fr">Hello '
        '<a href="javascript:alert(1)">bad</a> <a href="https://example.org" target="_blank">'
        'good</a></p><script>alert("x")</script><iframe src="https://example.org"></iframe>'
        '<img src="x" onerror="alert(1)"><h2>Kept</h2>'
    )
    clean = sanitize_html(dirty)
    for banned in (
        "<h1",
        "onclick",
        "style=",
        "javascript:",
        "<script",
        "alert(",
        "<iframe",
        "<img",
    ):
        assert banned not in clean
    assert '<a href="https://example.org" rel="noopener noreferrer">good</a>' in clean
    assert '<p lang="fr">' in clean
    assert "<h2>Kept</h2>" in clean
    assert sanitize_html(clean) == clean


def test_it_sanitizes_module_bodies_on_every_save():
    module = TrainingModule(
        slug="dirty",
        content={"en": {"title": "T", "body": '<p onclick="x()">Hi</p><script>bad()</script>'}},
    )
    module.save()
    module.refresh_from_db()
    assert module.content["en"]["body"] == "<p>Hi</p>"
    module.content["fr"] = {"title": "T", "body": "<p>Salut<script>bad()</script></p>"}
    module.save()
    module.refresh_from_db()
    assert module.content["fr"]["body"] == "<p>Salut</p>"
