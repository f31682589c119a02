"""Online training: sanitizing module text, scoring quizzes, recording completions.

Reads (what is required of whom, who is missing what) live in ``selectors_training``.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import nh3
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accueil.core import audit

from ..models import Question, QuizAttempt, TrainingCompletion, TrainingModule

audit.register(
    {
        "training.completed": gettext_lazy(
            "{actor} passed the training module {target} with {score}%"
        ),
        "training.quiz_failed": gettext_lazy(
            "{actor} took the quiz of {target} and scored {score}%, below the pass mark"
        ),
        "training.module_created": gettext_lazy("{actor} added the training module {target}"),
        "training.module_updated": gettext_lazy("{actor} updated the training module {target}"),
    }
)

# Roles whose people take training. Partner referrers work for other agencies and do not.
TRAINING_ROLES = frozenset({"volunteer", "interpreter", "admin", "program_manager", "coordinator"})

# What module text may contain: headings below the page's h1, paragraphs, lists, emphasis and
# links. No images, frames, forms, scripts, styles or event handlers: the page's CSP forbids
# them anyway, and a module body must read the same on a small phone and in a screen reader.
ALLOWED_TAGS = frozenset(
    {
        "h2",
        "h3",
        "h4",
        "p",
        "br",
        "ul",
        "ol",
        "li",
        "dl",
        "dt",
        "dd",
        "strong",
        "em",
        "b",
        "i",
        "abbr",
        "blockquote",
        "a",
    }
)
ALLOWED_ATTRIBUTES = {"*": {"lang", "dir"}, "a": {"href", "hreflang", "title"}, "abbr": {"title"}}
ALLOWED_URL_SCHEMES = frozenset({"https", "http", "mailto", "tel"})


def sanitize_html(html: str) -> str:
    """Module text reduced to the tags above; every link gets rel="noopener noreferrer".

    Disallowed tags are dropped but their text kept, except script and style, whose content
    goes too. Event handlers, style attributes and javascript: links disappear.
    """
    return nh3.clean(
        html or "",
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def sanitize_content(content: Mapping) -> dict:
    """A module's per-language content with every body sanitized (titles are plain text and
    escaped when shown)."""
    cleaned = {}
    for language, fields in (content or {}).items():
        fields = dict(fields or {})
        if "body" in fields:
            fields["body"] = sanitize_html(fields["body"])
        cleaned[language] = fields
    return cleaned


def can_take_training(user) -> bool:
    return bool(user.is_authenticated and getattr(user, "role", None) in TRAINING_ROLES)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the 31st becomes the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@dataclass
class Grade:
    correct: int
    total: int
    score: int
    passed: bool
    to_review: list[int] = field(default_factory=list)  # question ids, in quiz order


def grade(questions: Iterable[Question], answers: Mapping, pass_mark: int) -> Grade:
    """Score = percent of questions answered exactly right: every correct choice ticked and no
    wrong one. A partly right multiple-choice answer counts as wrong. ``questions`` should come
    with their choices prefetched; ``answers`` maps question id (int or str) to choice ids."""
    questions = list(questions)
    given = {str(key): {int(c) for c in value} for key, value in (answers or {}).items()}
    to_review = []
    for question in questions:
        right = {choice.pk for choice in question.choices.all() if choice.correct}
        chosen = given.get(str(question.pk), set())
        # For a one-answer question this also rejects a second tick next to the right one.
        if chosen != right:
            to_review.append(question.pk)
    total = len(questions)
    correct = total - len(to_review)
    if total == 0:
        # A module without a quiz is completed by confirming it was read.
        return Grade(correct=0, total=0, score=100, passed=True)
    # The pass decision is made on exact numbers; the stored score is rounded down so that
    # 79.5% never shows as 80%.
    return Grade(
        correct=correct,
        total=total,
        score=correct * 100 // total,
        passed=correct * 100 >= pass_mark * total,
        to_review=to_review,
    )


@transaction.atomic
def quiz_submit(*, user, module: TrainingModule, answers: Mapping) -> QuizAttempt:
    """Record one attempt at a module's quiz. A pass creates (or refreshes) the person's
    completion, with the refresher date counted from today. Retries are unlimited."""
    if not can_take_training(user) or not module.is_published:
        raise PermissionDenied
    questions = list(module.questions.prefetch_related("choices"))
    result = grade(questions, answers, module.pass_mark)
    known = {str(q.pk) for q in questions}
    attempt = QuizAttempt.objects.create(
        user=user,
        module=module,
        score=result.score,
        passed=result.passed,
        answers={
            key: sorted({int(c) for c in value})
            for key, value in ((str(k), v) for k, v in (answers or {}).items())
            if key in known
        },
    )
    if result.passed:
        completion_record(user=user, module=module, at=attempt.created_at)
        audit.record("training.completed", actor=user, target=module, data={"score": result.score})
    else:
        audit.record(
            "training.quiz_failed", actor=user, target=module, data={"score": result.score}
        )
    return attempt


def completion_record(*, user, module: TrainingModule, at=None) -> TrainingCompletion:
    """One completion per person and module: a new pass moves its date and refresher date."""
    at = at or timezone.now()
    due = (
        add_months(timezone.localdate(at), module.refresher_months)
        if module.refresher_months
        else None
    )
    completions = list(
        TrainingCompletion.objects.select_for_update()
        .filter(user=user, module=module)
        .order_by("-completed_at", "-pk")
    )
    if completions:
        completion, extra = completions[0], completions[1:]
        completion.completed_at = at
        completion.refresher_due_on = due
        completion.save(update_fields=["completed_at", "refresher_due_on"])
        if extra:
            TrainingCompletion.objects.filter(pk__in=[c.pk for c in extra]).delete()
        return completion
    return TrainingCompletion.objects.create(
        user=user, module=module, completed_at=at, refresher_due_on=due
    )
