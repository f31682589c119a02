from django.urls import path

from ..views import households as views

urlpatterns = [
    path("", views.household_list, name="household_list"),
    path("waitlist/", views.household_waitlist, name="household_waitlist"),
    path("<int:pk>/", views.household_detail, name="household_detail"),
    path("<int:pk>/take/", views.household_take, name="household_take"),
    path("<int:pk>/onboarding/", views.household_schedule, name="household_schedule"),
    path("<int:pk>/onboarding/<int:call_pk>/", views.household_call, name="household_call"),
    path("<int:pk>/profile/", views.household_profile, name="household_profile"),
    path("<int:pk>/members/new/", views.household_member, name="household_member_add"),
    path("<int:pk>/members/<int:member_pk>/", views.household_member, name="household_member"),
    path(
        "<int:pk>/members/<int:member_pk>/remove/",
        views.household_member_remove,
        name="household_member_remove",
    ),
    path("<int:pk>/consent/", views.household_consent, name="household_consent"),
    path(
        "<int:pk>/consent/<slug:purpose>/withdraw/",
        views.household_consent_withdraw,
        name="household_consent_withdraw",
    ),
    path("<int:pk>/waitlist/", views.household_waitlist_add, name="household_waitlist_add"),
    path("<int:pk>/pause/", views.household_pause, name="household_pause"),
    path("<int:pk>/resume/", views.household_resume, name="household_resume"),
    path("<int:pk>/withdraw/", views.household_withdraw, name="household_withdraw"),
]
