from django.urls import path

from ..views import groups as views

urlpatterns = [
    path("", views.group_list, name="group_list"),
    path("new/", views.group_create, name="group_create"),
    path("join/", views.group_join, name="group_join"),
    path("start/", views.group_start, name="group_start"),
    path("<int:pk>/", views.group_detail, name="group_detail"),
    path("<int:pk>/members/", views.group_add_member, name="group_add_member"),
    path(
        "<int:pk>/members/<int:membership_pk>/",
        views.group_member_action,
        name="group_member_action",
    ),
]
