from django.urls import include, path

# The respondent's pages (/s/<token>/, no sign-in), the staff pages, the impact report, and
# the instruments (list and XLSForm import).
urlpatterns = [
    path("", include("accueil.surveys.urls_public")),
    path("", include("accueil.surveys.urls_staff")),
    path("", include("accueil.surveys.urls_report")),
    path("", include("accueil.surveys.urls_instruments")),
]
