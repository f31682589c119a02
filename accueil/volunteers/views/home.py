from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone

from ..models import GroupMembership, StepStatus, TrainingCompletion, TrainingModule, Volunteer
from ..readiness import readiness_for_groups


@login_required
def volunteer_home(request):
    """What's next for me: my application, my training, my group — on a phone, in my language."""
    user = request.user
    if user.role not in ("volunteer", "interpreter"):
        raise Http404
    volunteer = Volunteer.objects.filter(user=user).select_related("program", "region").first()
    steps = list(volunteer.steps.all()) if volunteer else []
    memberships = list(
        GroupMembership.objects.filter(user=user, left_at__isnull=True).select_related(
            "group__program", "group__region"
        )
    )
    readiness = readiness_for_groups([m.group for m in memberships])
    roles = {user.role} | (
        {"group_lead"} if any(m.role == GroupMembership.Role.LEAD for m in memberships) else set()
    )
    today = timezone.localdate()
    done = {
        c.module_id for c in TrainingCompletion.objects.filter(user=user) if c.is_current(today)
    }
    required = [
        m for m in TrainingModule.objects.filter(is_published=True) if roles & set(m.required_for)
    ]
    context = {
        "volunteer": volunteer,
        "steps_left": [s for s in steps if s.required and not s.is_complete],
        "steps_total": len([s for s in steps if s.required]),
        "training_left": [m for m in required if m.pk not in done],
        "training_total": len(required),
        "groups": [(m, readiness[m.group_id]) for m in memberships],
        "StepStatus": StepStatus,
    }
    return TemplateResponse(request, "volunteers/home/home.html", context)
