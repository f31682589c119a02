from django.urls import path

from .views import instruments

urlpatterns = [
    path("surveys/instruments/", instruments.instrument_list, name="survey_instruments"),
    # Before <slug>: the import form refuses "import" as a short name.
    path(
        "surveys/instruments/import/",
        instruments.instrument_import,
        name="survey_instrument_import",
    ),
    path(
        "surveys/instruments/<slug:slug>/", instruments.instrument_detail, name="survey_instrument"
    ),
]
