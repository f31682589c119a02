from django.urls import path

from .views import incidents

urlpatterns = [
    # Members of the matched group.
    path(
        "my-matches/<int:pk>/incidents/new/",
        incidents.incident_new_member,
        name="incident_new_member",
    ),
    path(
        "my-matches/<int:pk>/incidents/<int:ipk>/reported/",
        incidents.incident_reported_member,
        name="incident_reported_member",
    ),
    # Staff of the match's program (the incident itself: staff on the case only).
    path(
        "matches/<int:pk>/incidents/new/", incidents.incident_new_staff, name="incident_new_staff"
    ),
    path(
        "matches/<int:pk>/incidents/<int:ipk>/", incidents.incident_detail, name="incident_detail"
    ),
]
