from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accueil.core.access import get_visible_or_404, paginate, require_perm

from . import services
from .models import OutboxMessage


@require_perm("messaging.view_outbox")
def failed_list(request):
    failed = OutboxMessage.objects.visible_to(request.user).failed().select_related("recipient")
    page = paginate(request, failed.order_by("-created_at", "-pk"))
    counts = {
        "queued": OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED).count(),
        "failed": page.paginator.count,
    }
    return TemplateResponse(request, "messaging/failed_list.html", {"page": page, "counts": counts})


@require_POST
@require_perm("messaging.retry_message")
def retry(request, pk: int):
    message = get_visible_or_404(OutboxMessage, request.user, pk=pk)
    try:
        services.outbox_retry(message=message, by=request.user)
    except ValueError:  # already queued again (a double click, another manager) or sent
        messages.info(request, _("This message is no longer failed."))
    else:
        messages.success(
            request, _("Message #%(id)s is queued to be sent again.") % {"id": message.pk}
        )
    return redirect("outbox_failed")
