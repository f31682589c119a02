"""Load the training modules kept in this folder into the database.

Each module is a folder under ``modules/`` (the folder name's numeric prefix only orders the
listing; the slug inside ``module.json`` identifies the module)::

    modules/03-boundaries-confidentiality-money/
        module.json        slug, order, titles, summaries, quiz, files, required roles
        body.en.html       the module text per language (sanitized on load)
        body.fr.html
        files/…            downloadable handouts listed in module.json

Loading is idempotent: modules are updated by slug, questions and choices by their position,
handouts by file name, so ids stay stable and past attempts keep pointing at their questions.
Running it twice changes nothing the second time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import transaction

from accueil.core import audit

from ..models import Choice, Question, TrainingFile, TrainingModule
from ..services.training import sanitize_content

MODULES_DIR = Path(__file__).resolve().parent / "modules"
LANGUAGES = ("en", "fr")
ROLE_CODES = {"volunteer", "group_lead", "interpreter"}
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Taken by other training pages (urls/training.py).
RESERVED_SLUGS = {"overview"}


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


class TrainingDataError(Exception):
    pass


def read_module(folder: Path) -> dict:
    """One module folder as a dict ready to load; raises TrainingDataError when malformed."""
    try:
        data = json.loads((folder / "module.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TrainingDataError(f"{folder.name}: cannot read module.json ({exc})") from exc
    problems = []
    for key in ("slug", "title", "summary", "questions"):
        if key not in data:
            problems.append(f"missing {key!r}")
    if "slug" in data and (
        not isinstance(data["slug"], str)
        or not SLUG.fullmatch(data["slug"])
        or data["slug"] in RESERVED_SLUGS
    ):
        problems.append(f"slug {data['slug']!r} is not usable in a web address")
    unknown_roles = set(data.get("required_for", [])) - ROLE_CODES
    if unknown_roles:
        problems.append(f"unknown roles {sorted(unknown_roles)}")
    if data.get("video_url"):
        try:
            URLValidator(schemes=["https"])(data["video_url"])
        except ValidationError:
            problems.append("video_url must be an https link")
    content = {}
    for language in LANGUAGES:
        body_file = folder / f"body.{language}.html"
        if not body_file.exists():
            problems.append(f"missing {body_file.name}")
            continue
        content[language] = {
            "title": data.get("title", {}).get(language, ""),
            "summary": data.get("summary", {}).get(language, ""),
            "body": body_file.read_text(encoding="utf-8"),
        }
        if not content[language]["title"] or not content[language]["summary"]:
            problems.append(f"missing title or summary in {language}")
    for number, question in enumerate(data.get("questions", []), start=1):
        kind = question.get("kind", "single")
        if kind not in Question.Kind.values:
            problems.append(f"question {number}: unknown kind {kind!r}")
        choices = question.get("choices", [])
        right = sum(1 for c in choices if c.get("correct"))
        if len(choices) < 2 or right == 0 or (kind == "single" and right != 1):
            problems.append(f"question {number}: needs choices and the right number of answers")
        for text in [question.get("text", {}), *(c.get("text", {}) for c in choices)]:
            if any(not text.get(language) for language in LANGUAGES):
                problems.append(f"question {number}: a text is missing a language")
                break
    for handout in data.get("files", []):
        if not (folder / handout.get("path", "")).is_file():
            problems.append(f"missing file {handout.get('path')!r}")
    if problems:
        raise TrainingDataError(f"{folder.name}: " + "; ".join(problems))
    data["content"] = sanitize_content(content)
    data["folder"] = folder
    return data


def load_training(directory: Path = MODULES_DIR) -> LoadReport:
    """Read every module folder first (so one malformed file loads nothing), then write."""
    modules = [read_module(folder) for folder in sorted(directory.iterdir()) if folder.is_dir()]
    slugs = [m["slug"] for m in modules]
    if len(slugs) != len(set(slugs)):
        raise TrainingDataError("Two module folders use the same slug.")
    report = LoadReport()
    with transaction.atomic():
        for data in modules:
            outcome = _load_module(data)
            getattr(report, outcome).append(data["slug"])
    return report


def _load_module(data: dict) -> str:
    fields = {
        "content": data["content"],
        "video_url": data.get("video_url", ""),
        "required_for": sorted(data.get("required_for", [])),
        "pass_mark": data.get("pass_mark", 80),
        "refresher_months": data.get("refresher_months"),
        "order": data.get("order", 0),
        "is_published": data.get("is_published", True),
    }
    module = TrainingModule.objects.filter(slug=data["slug"]).first()
    created = module is None
    if created:
        module = TrainingModule.objects.create(slug=data["slug"], **fields)
        changed = True
    else:
        changed = any(getattr(module, name) != value for name, value in fields.items())
        if changed:
            for name, value in fields.items():
                setattr(module, name, value)
            module.save()
    changed |= _load_questions(module, data["questions"])
    changed |= _load_files(module, data["folder"], data.get("files", []))
    if created:
        audit.record("training.module_created", actor=None, target=module)
        return "created"
    if changed:
        audit.record("training.module_updated", actor=None, target=module)
        return "updated"
    return "unchanged"


def _sync(existing: list, wanted: list[dict], make, update) -> bool:
    """Match rows to data by position: update in place, create what is new, delete the rest."""
    changed = False
    for index, item in enumerate(wanted):
        if index < len(existing):
            changed |= update(existing[index], item, index)
        else:
            make(item, index)
            changed = True
    extra = existing[len(wanted) :]
    for row in extra:
        row.delete()
    return changed or bool(extra)


def _load_questions(module: TrainingModule, questions: list[dict]) -> bool:
    def make(item, index):
        question = Question.objects.create(
            module=module, kind=item.get("kind", "single"), text=item["text"], order=index
        )
        _load_choices(question, item["choices"])

    def update(question, item, index):
        values = {"kind": item.get("kind", "single"), "text": item["text"], "order": index}
        changed = any(getattr(question, k) != v for k, v in values.items())
        if changed:
            for key, value in values.items():
                setattr(question, key, value)
            question.save()
        return _load_choices(question, item["choices"]) or changed

    return _sync(list(module.questions.order_by("order", "pk")), questions, make, update)


def _load_choices(question: Question, choices: list[dict]) -> bool:
    def make(item, index):
        Choice.objects.create(
            question=question, text=item["text"], correct=bool(item.get("correct")), order=index
        )

    def update(choice, item, index):
        values = {"text": item["text"], "correct": bool(item.get("correct")), "order": index}
        if all(getattr(choice, k) == v for k, v in values.items()):
            return False
        for key, value in values.items():
            setattr(choice, key, value)
        choice.save()
        return True

    return _sync(list(question.choices.order_by("order", "pk")), choices, make, update)


def _load_files(module: TrainingModule, folder: Path, handouts: list[dict]) -> bool:
    """Handouts are copied into private storage under training/<slug>/ and served only through
    the signed-in download view."""
    changed = False
    wanted_names = set()
    existing = {f.file.name: f for f in module.files.all()}
    for handout in handouts:
        source = folder / handout["path"]
        name = f"training/{module.slug}/{source.name}"
        wanted_names.add(name)
        payload = source.read_bytes()
        row = existing.get(name) or TrainingFile(module=module, title=handout["title"])
        row_changed = row.pk is None or row.title != handout["title"]
        if row.pk is None or not _same_file(name, payload):
            if default_storage.exists(name):
                default_storage.delete(name)
            row.file.name = default_storage.save(name, ContentFile(payload))
            row_changed = True
        if row_changed:
            row.title = handout["title"]
            row.save()
            changed = True
    for name, row in existing.items():
        if name not in wanted_names:
            if default_storage.exists(name):
                default_storage.delete(name)
            row.delete()
            changed = True
    return changed


def _same_file(name: str, payload: bytes) -> bool:
    if not default_storage.exists(name):
        return False
    with default_storage.open(name, "rb") as handle:
        return handle.read() == payload
