from django.urls import path

from .views import staff, staff_entry

urlpatterns = [
    path("surveys/", staff.survey_list, name="survey_list"),
    path("surveys/new/", staff.survey_new, name="survey_new"),
    path("surveys/import/", staff.survey_import, name="survey_import"),
    path("surveys/<int:pk>/", staff.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/send/", staff.survey_send, name="survey_send"),
    path("surveys/<int:pk>/cancel/", staff.survey_cancel, name="survey_cancel"),
    path("surveys/<int:pk>/interpreter/", staff.survey_interpreter, name="survey_interpreter"),
    path("surveys/<int:pk>/enter/", staff_entry.survey_enter, name="survey_enter"),
]
