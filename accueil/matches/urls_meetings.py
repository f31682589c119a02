from django.urls import path

from .views import meetings

urlpatterns = [
    path("matches/<int:pk>/meetings/new/", meetings.meeting_new, name="meeting_new"),
    path("matches/<int:pk>/meetings/<int:mpk>/", meetings.meeting_detail, name="meeting_detail"),
    path(
        "matches/<int:pk>/meetings/<int:mpk>/cancel/",
        meetings.meeting_cancel,
        name="meeting_cancel",
    ),
]
