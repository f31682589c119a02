from django.urls import path

from .views import closing

urlpatterns = [
    # Members of the matched group.
    path("my-matches/<int:pk>/closing/", closing.my_match_closing, name="my_match_closing"),
    path(
        "my-matches/<int:pk>/certificate.pdf", closing.match_certificate, name="match_certificate"
    ),
    # Staff of the match's program.
    path("matches/<int:pk>/closing/", closing.match_closing, name="match_closing"),
]
