from django.urls import path

from . import views

urlpatterns = [
    path("matching/", views.matching_home, name="matching_home"),
    path("matching/households/<int:pk>/", views.matching_household, name="matching_household"),
    path("matching/households/<int:pk>/propose/", views.matching_propose, name="matching_propose"),
    path("matching/households/<int:pk>/exclude/", views.matching_exclude, name="matching_exclude"),
    path("matching/groups/<int:pk>/", views.matching_group, name="matching_group"),
    path("matching/batch/run/", views.matching_batch_run, name="matching_batch_run"),
    path("matching/batch/<int:pk>/", views.matching_batch, name="matching_batch"),
    path(
        "matching/batch/proposals/<int:pk>/accept/",
        views.matching_proposal_accept,
        name="matching_proposal_accept",
    ),
    path(
        "matching/batch/proposals/<int:pk>/reject/",
        views.matching_proposal_reject,
        name="matching_proposal_reject",
    ),
    path("matching/settings/<int:program_pk>/", views.matching_settings, name="matching_settings"),
]
