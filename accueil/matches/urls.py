from django.urls import include, path

from .views import lifecycle

urlpatterns = [
    path("matches/<int:pk>/", lifecycle.match_detail, name="match_detail"),
    path("matches/<int:pk>/act/<str:action>/", lifecycle.match_act, name="match_act"),
    path("my-matches/", lifecycle.my_matches, name="my_matches"),
    path("my-matches/<int:pk>/", lifecycle.my_match, name="my_match"),
    path("", include("accueil.matches.urls_meetings")),
    path("", include("accueil.matches.urls_activity")),
    path("", include("accueil.matches.urls_checkins")),
    path("", include("accueil.matches.urls_incidents")),
    path("", include("accueil.matches.urls_closing")),
    path("", include("accueil.matches.urls_answer_link")),
]
