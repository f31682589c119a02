from django.urls import path

from ..views import application as views

urlpatterns = [
    path("", views.start, name="apply_start"),
    path("check/", views.check, name="apply_check"),
    path("sent/", views.sent, name="apply_sent"),
    path("link-sent/", views.link_sent, name="apply_link_sent"),
    path("resume/<str:token>/", views.resume, name="apply_resume"),
    path("account/<str:key>/", views.activate, name="apply_activate"),
    path("<slug:step>/", views.step, name="apply_step"),
]
