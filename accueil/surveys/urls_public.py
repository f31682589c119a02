from django.urls import path

from .views import respond

# The respondent's pages: no sign-in, the token in the address is the only key. Short, because
# the address goes out in a text message. "done" comes first: it needs no token, so the thanks
# page still works once the token has stopped opening anything.
urlpatterns = [
    path("s/done/", respond.done, name="survey_done"),
    path("s/<str:token>/", respond.respond, name="survey_respond"),
    path("s/<str:token>/review/", respond.review, name="survey_review"),
]
