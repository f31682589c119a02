from django.urls import include, path

from accueil.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("session/keepalive/", core_views.session_keepalive, name="session_keepalive"),
    path("audit/", core_views.audit_list, name="audit_list"),
    path("accounts/", include("allauth.urls")),
    path("", include("accueil.messaging.urls")),
    path("", include("accueil.volunteers.urls")),
    path("", include("accueil.newcomers.urls")),
    path("", include("accueil.matching.urls")),
    path("", include("accueil.matches.urls")),
    path("", include("accueil.surveys.urls")),
    path("", include("accueil.accounts.urls")),
]
