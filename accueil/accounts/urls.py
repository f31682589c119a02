from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("welcome/mfa/", views.mfa_required, name="mfa_required"),
    path("people/", views.people_list, name="people_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/invitations/", views.invitation_list, name="invitation_list"),
    path("people/invitations/new/", views.invitation_create, name="invitation_create"),
    path("people/invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("people/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("people/<int:pk>/role/", views.person_role, name="person_role"),
    path("people/<int:pk>/active/", views.person_active, name="person_active"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<str:kind>/new/", views.config_edit, name="config_create"),
    path("organisations/<str:kind>/<int:pk>/edit/", views.config_edit, name="config_edit"),
]
