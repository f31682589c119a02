from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.template.response import TemplateResponse

from ..models import GroupMembership, Volunteer
from ..readiness import readiness_for_groups
from ..selectors_training import training_status


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
    training = training_status(user)
    context = {
        "volunteer": volunteer,
        "steps_left": [s for s in steps if s.required and not s.is_complete],
        "steps_total": len([s for s in steps if s.required]),
        "training_left": training["missing"],
        "training_total": len(training["required"]),
        "groups": [
            (m, readiness[m.group_id], readiness[m.group_id].for_member(user.pk))
            for m in memberships
        ],
    }
    return TemplateResponse(request, "volunteers/home/home.html", context)
