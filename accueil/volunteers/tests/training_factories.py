"""Small builders for training tests (modules with quizzes, passes, lead memberships)."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from accueil.factories import ProgramFactory, RegionFactory
from accueil.volunteers.models import (
    Choice,
    GroupMembership,
    Question,
    TrainingCompletion,
    TrainingFile,
    TrainingModule,
    WelcomeGroup,
)

_counter = iter(range(1, 10_000))


def make_module(
    slug=None,
    *,
    required_for=("volunteer", "group_lead"),
    quiz=(("single", (True, False, False)), ("multiple", (True, True, False))),
    pass_mark=80,
    refresher_months=None,
    is_published=True,
    order=None,
    video_url="",
    title=None,
) -> TrainingModule:
    """A module whose quiz is ``quiz``: (kind, correctness of each choice) per question."""
    n = next(_counter)
    slug = slug or f"module-{n}"
    title = title or f"Module {n}"
    module = TrainingModule.objects.create(
        slug=slug,
        content={
            "en": {"title": title, "summary": f"About {title}.", "body": f"<p>{title} text.</p>"},
            "fr": {
                "title": f"{title} (fr)",
                "summary": f"Sur {title}.",
                "body": f"<p>Texte {title}.</p>",
            },
        },
        required_for=list(required_for),
        pass_mark=pass_mark,
        refresher_months=refresher_months,
        is_published=is_published,
        order=n if order is None else order,
        video_url=video_url,
    )
    for q_index, (kind, choices) in enumerate(quiz):
        question = Question.objects.create(
            module=module,
            kind=kind,
            text={"en": f"Question {q_index + 1} of {title}?", "fr": f"Question {q_index + 1} ?"},
            order=q_index,
        )
        for c_index, correct in enumerate(choices):
            Choice.objects.create(
                question=question,
                text={"en": f"Answer {c_index + 1}", "fr": f"Réponse {c_index + 1}"},
                correct=correct,
                order=c_index,
            )
    return module


def right_answers(module) -> dict[int, list[int]]:
    return {
        q.pk: [c.pk for c in q.choices.all() if c.correct]
        for q in module.questions.prefetch_related("choices")
    }


def wrong_choice(question):
    return next(c for c in question.choices.all() if not c.correct)


def pass_module(user, module, *, days_ago=0, due_on=None) -> TrainingCompletion:
    return TrainingCompletion.objects.create(
        user=user,
        module=module,
        completed_at=timezone.now() - timedelta(days=days_ago),
        refresher_due_on=due_on,
    )


def make_lead(user) -> GroupMembership:
    group = WelcomeGroup.objects.create(
        name=f"Group {next(_counter)}", program=ProgramFactory(), region=RegionFactory()
    )
    return GroupMembership.objects.create(group=group, user=user, role=GroupMembership.Role.LEAD)


def attach_file(module, name="handout.en.txt", payload=b"Handout text") -> TrainingFile:
    training_file = TrainingFile(module=module, title="Handout")
    training_file.file.save(f"{module.slug}/{name}", ContentFile(payload), save=False)
    training_file.save()
    return training_file
