from django.urls import path

from ..views import home as views

urlpatterns = [
    path("", views.volunteer_home, name="volunteer_home"),
]
