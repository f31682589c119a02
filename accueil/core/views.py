import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import audit
from .access import paginate, require_perm
from .forms import AuditFilterForm
from .models import AuditEntry


@require_GET
@never_cache
def healthz(request):
    """200 while the database answers, with the task queue's lag for monitoring ("lagging" past
    HEALTH_MAX_QUEUE_LAG_SECONDS); 503 when the database does not answer. A lagging queue
    delays mail but the site still works, so it must not take web processes out of rotation."""
    status = {"database": "ok", "tasks": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure makes us unhealthy
        return JsonResponse({"database": "unreachable", "tasks": "unknown"}, status=503)
    try:
        from django_tasks_db.models import DBTaskResult

        oldest = (
            DBTaskResult.objects.ready()
            .order_by("enqueued_at")
            .values_list("enqueued_at", flat=True)
            .first()
        )
        lag = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        status["queue_lag_seconds"] = round(lag, 1)
        if lag > settings.HEALTH_MAX_QUEUE_LAG_SECONDS:
            status["tasks"] = "lagging"
    except Exception:
        status["tasks"] = "unknown"
    return JsonResponse(status, status=200)


@require_POST
@login_required
def session_keepalive(request):
    """Called by the 'Stay signed in' button; the idle middleware has already refreshed."""
    response = HttpResponse(status=204)
    response["X-Session-Expires-In"] = str(settings.SESSION_IDLE_SECONDS)
    response["X-Server-Time"] = str(int(time.time()))
    return response


@require_perm("core.view_audit")
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.select_related("actor", "content_type").order_by(
        "-timestamp", "-pk"
    )
    if form.is_valid():
        entries = form.filter(entries)
    page = paginate(request, entries, per_page=50)
    rows = audit.describe_entries(page.object_list)
    return TemplateResponse(
        request, "core/audit_list.html", {"form": form, "page": page, "rows": rows}
    )
