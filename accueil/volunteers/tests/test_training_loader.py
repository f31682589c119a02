import json
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from accueil.core.models import AuditEntry
from accueil.volunteers.models import Choice, Question, TrainingFile, TrainingModule
from accueil.volunteers.training.loader import MODULES_DIR, load_training

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def modules_copy(tmp_path) -> Path:
    target = tmp_path / "modules"
    shutil.copytree(MODULES_DIR, target)
    return target


def _snapshot():
    return (
        list(TrainingModule.objects.order_by("pk").values_list("pk", "slug", "content")),
        list(Question.objects.order_by("pk").values_list("pk", "module_id", "text")),
        list(Choice.objects.order_by("pk").values_list("pk", "question_id", "correct")),
        list(TrainingFile.objects.order_by("pk").values_list("pk", "file", "title")),
    )


def test_it_loads_the_shipped_modules_and_a_second_run_changes_nothing():
    out = StringIO()
    call_command("load_training", stdout=out)
    assert "created: refugee-journeys" in out.getvalue()
    first = _snapshot()
    audit_count = AuditEntry.objects.count()
    out = StringIO()
    call_command("load_training", stdout=out)
    assert "unchanged: refugee-journeys" in out.getvalue()
    assert "created" not in out.getvalue() and "updated" not in out.getvalue()
    assert _snapshot() == first
    assert AuditEntry.objects.count() == audit_count
    assert TrainingModule.objects.count() == 5


def test_it_ships_five_real_modules_in_english_and_french():
    load_training()
    modules = list(TrainingModule.objects.prefetch_related("questions__choices"))
    assert [m.slug for m in modules] == [
        "refugee-journeys",
        "trauma-informed-support",
        "boundaries-confidentiality-money",
        "cultural-humility-interpreters",
        "safe-remote-support",
    ]
    kinds = set()
    for module in modules:
        assert module.pass_mark == 80
        assert {"volunteer", "group_lead"} <= set(module.required_for)
        assert 3 <= module.questions.count() <= 4
        for language in ("en", "fr"):
            content = module.content[language]
            assert content["title"] and content["summary"]
            words = len(re.sub(r"<[^>]+>", " ", content["body"]).split())
            assert 400 <= words <= 760, (module.slug, language, words)
            assert "<h2>" in content["body"] and "<li>" in content["body"]
        for question in module.questions.all():
            kinds.add(question.kind)
            correct = [c for c in question.choices.all() if c.correct]
            assert correct and (question.kind == "multiple" or len(correct) == 1)
            assert all(c.text.get("fr") for c in question.choices.all())
    assert kinds == {"single", "multiple"}
    by_slug = {m.slug: m for m in modules}
    assert "interpreter" in by_slug["cultural-humility-interpreters"].required_for
    assert "interpreter" not in by_slug["refugee-journeys"].required_for
    assert by_slug["boundaries-confidentiality-money"].refresher_months == 24


def test_it_copies_handouts_into_private_storage(media):
    load_training()
    files = TrainingFile.objects.filter(module__slug="boundaries-confidentiality-money")
    assert sorted(f.file.name for f in files) == [
        "training/boundaries-confidentiality-money/when-asked-for-money.en.txt",
        "training/boundaries-confidentiality-money/when-asked-for-money.fr.txt",
    ]
    assert (media / files[0].file.name).is_file()


def test_it_sanitizes_bodies_on_load(modules_copy):
    body = modules_copy / "01-refugee-journeys" / "body.en.html"
    body.write_text(
        '<p onclick="steal()">Welcome</p><script>alert("x")</script>'
        '<a href="https://example.org">link</a>' + body.read_text()
    )
    load_training(modules_copy)
    stored = TrainingModule.objects.get(slug="refugee-journeys").content["en"]["body"]
    assert "<script" not in stored and "alert(" not in stored and "onclick" not in stored
    assert stored.startswith("<p>Welcome</p>")
    assert '<a href="https://example.org" rel="noopener noreferrer">link</a>' in stored


def test_it_updates_modules_by_slug_keeping_their_ids(modules_copy, media):
    load_training(modules_copy)
    before = TrainingModule.objects.get(slug="safe-remote-support")
    question_ids = list(before.questions.values_list("pk", flat=True))
    folder = modules_copy / "05-safe-remote-support"
    data = json.loads((folder / "module.json").read_text())
    data["title"]["en"] = "Staying safe at a distance"
    data["questions"] = data["questions"][:3]
    data["files"] = data["files"][:1]
    (folder / "module.json").write_text(json.dumps(data))
    (folder / "files" / "safety-card.en.txt").write_text("New card")

    report = load_training(modules_copy)
    assert report.updated == ["safe-remote-support"]
    after = TrainingModule.objects.get(slug="safe-remote-support")
    assert after.pk == before.pk
    assert after.content["en"]["title"] == "Staying safe at a distance"
    assert list(after.questions.values_list("pk", flat=True)) == question_ids[:3]
    (handout,) = after.files.all()
    with default_storage.open(handout.file.name) as stored:
        assert stored.read() == b"New card"
    assert not (media / "training/safe-remote-support/safety-card.fr.txt").exists()
    assert AuditEntry.objects.filter(code="training.module_updated").count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("summary"), "missing 'summary'"),
        (lambda d: d.update(slug="overview"), "not usable"),
        (lambda d: d.update(required_for=["everyone"]), "unknown roles"),
        (lambda d: d.update(video_url="javascript:alert(1)"), "https"),
        (lambda d: d["questions"][1]["choices"][1].update(correct=True), "right number"),
    ],
)
def test_it_refuses_malformed_modules_and_loads_nothing(modules_copy, change, message):
    path = modules_copy / "02-trauma-informed-support" / "module.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=message):
        call_command("load_training", directory=modules_copy, stdout=StringIO())
    assert not TrainingModule.objects.exists()


def test_it_stays_quiet_at_verbosity_zero():
    out = StringIO()
    call_command("load_training", verbosity=0, stdout=out)
    assert out.getvalue() == ""
    assert TrainingModule.objects.count() == 5
