"""Online training pages: the list of modules, a module, its quiz, handouts, the certificate,
and the staff overview."""

from __future__ import annotations

import mimetypes
from functools import wraps
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from accueil.accounts.models import Organisation
from accueil.core.access import require_perm

from ..forms_training import QuizForm
from ..models import QuizAttempt, TrainingCompletion, TrainingFile, TrainingModule
from ..pdf import PdfUnavailable, render_pdf
from ..selectors_training import (
    content_language,
    module_rows_for,
    modules_visible_to,
    training_overview,
    training_roles,
)
from ..services.training import can_take_training, grade, quiz_submit

RECENT_ATTEMPTS = 5


def training_access(view):
    """Sign-in required; people whose role takes no training (partner referrers) get 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_take_training(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _module_or_404(user, slug: str) -> TrainingModule:
    return get_object_or_404(modules_visible_to(user), slug=slug)


def _recent_attempts(user, module):
    return list(
        QuizAttempt.objects.filter(user=user, module=module).order_by("-created_at", "-pk")[
            :RECENT_ATTEMPTS
        ]
    )


def _video_site(url: str) -> str | None:
    """The site a video link opens, named for the link text; None for a link we will not
    show (anything but https)."""
    parts = urlsplit(url or "")
    if parts.scheme != "https" or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.").removeprefix("m.")
    if host in {"youtube.com", "youtu.be", "youtube-nocookie.com"}:
        return "YouTube"
    if host.endswith("vimeo.com"):
        return "Vimeo"
    return host


def _file_language(training_file: TrainingFile) -> str:
    """Handouts are named <name>.<language>.<ext> (see the training loader)."""
    suffixes = PurePosixPath(training_file.file.name).suffixes
    return suffixes[-2].lstrip(".") if len(suffixes) >= 2 else ""


@training_access
def training_list(request):
    rows = module_rows_for(request.user)
    context = {
        "rows": rows,
        "has_completions": any(row["completion"] for row in rows),
        "is_lead": "group_lead" in training_roles(request.user),
    }
    return TemplateResponse(request, "volunteers/training/list.html", context)


@training_access
def module_detail(request, slug: str):
    module = _module_or_404(request.user, slug)
    completion = (
        TrainingCompletion.objects.filter(user=request.user, module=module)
        .order_by("-completed_at")
        .first()
    )
    # Handouts in the person's language first.
    language = (translation.get_language() or "en").split("-")[0]
    files = sorted(
        ((f, _file_language(f)) for f in module.files.order_by("title", "pk")),
        key=lambda pair: pair[1] != language,
    )
    context = {
        "module": module,
        "completion": completion,
        "is_current": completion is not None and completion.is_current(),
        "attempts": _recent_attempts(request.user, module),
        "files": files,
        "video_site": _video_site(module.video_url),
        "required": bool(set(module.required_for) & training_roles(request.user)),
        "question_count": module.questions.count(),
        "content_lang": content_language(module.content),
    }
    return TemplateResponse(request, "volunteers/training/module.html", context)


@training_access
def module_file(request, slug: str, pk: int):
    """Handouts live in private storage; this view is the only way to them."""
    module = _module_or_404(request.user, slug)
    training_file = get_object_or_404(TrainingFile, module=module, pk=pk)
    name = training_file.file.name
    if not name or not default_storage.exists(name):
        raise Http404
    filename = PurePosixPath(name).name
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    return FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type,
    )


@training_access
def module_quiz(request, slug: str):
    module = _module_or_404(request.user, slug)
    questions = list(module.questions.prefetch_related("choices"))
    form = QuizForm(request.POST or None, questions=questions)
    result = None
    if request.method == "POST":
        if not module.is_published:
            # Staff may read a draft; nobody can pass it.
            raise Http404
        if form.is_valid():
            attempt = quiz_submit(user=request.user, module=module, answers=form.answers())
            if attempt.passed:
                messages.success(
                    request,
                    _("You passed “%(module)s” with %(score)d%%. Well done!")
                    % {"module": module.title, "score": attempt.score},
                )
                return redirect("training_module", slug=module.slug)
            # Failed: show the same answers again, and which questions to look at, without
            # saying which choices are right.
            result = grade(questions, attempt.answers, module.pass_mark)
    context = {
        "module": module,
        "form": form,
        "rows": form.question_rows(result.to_review if result else ()),
        "result": result,
        "attempts": _recent_attempts(request.user, module),
        "content_lang": content_language(module.content),
    }
    return TemplateResponse(request, "volunteers/training/quiz.html", context)


def _host_name(user) -> str:
    host = Organisation.objects.filter(kind=Organisation.Kind.HOST).first()
    return host.name if host else user.organisation.name


def certificate_html(user) -> str | None:
    """The certificate as HTML, in the person's language; None when nothing is completed."""
    completions = list(
        TrainingCompletion.objects.filter(user=user, module__is_published=True)
        .select_related("module")
        .order_by("module__order", "module__pk")
    )
    if not completions:
        return None
    with translation.override(user.language):
        return render_to_string(
            "volunteers/training/certificate.html",
            {
                "person": user,
                "completions": completions,
                "host_name": _host_name(user),
                "issued_on": timezone.localdate(),
                "LANGUAGE_CODE": translation.get_language(),
                "LANGUAGE_BIDI": translation.get_language_bidi(),
            },
        )


@training_access
def certificate(request):
    html = certificate_html(request.user)
    if html is None:
        return TemplateResponse(request, "volunteers/training/certificate_empty.html", {})
    try:
        pdf = render_pdf(html)
    except PdfUnavailable:
        return TemplateResponse(
            request, "volunteers/training/certificate_unavailable.html", {}, status=503
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    with translation.override(request.user.language):
        filename = _("training-certificate") + ".pdf"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@require_perm("volunteers.manage_training")
def overview(request):
    return TemplateResponse(
        request, "volunteers/training/overview.html", {"rows": training_overview()}
    )
