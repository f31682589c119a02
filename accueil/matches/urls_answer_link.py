from django.urls import path

from .views import answer_link

urlpatterns = [
    # Short, because it is typed into a text message; public, because the household has no
    # account: the token is the only key.
    path("m/<str:token>/", answer_link.answer, name="answer_link"),
    path("matches/<int:pk>/answer-link/", answer_link.send, name="answer_link_send"),
]
