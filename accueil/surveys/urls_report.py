from django.urls import path

from .views import report

# The impact report (staff), its CSV with the same filters and suppression, and the
# de-identified item-level export for research (managers and admins).
urlpatterns = [
    path("surveys/impact/", report.impact, name="survey_impact"),
    path("surveys/impact.csv", report.impact_csv, name="survey_impact_csv"),
    path("surveys/research.csv", report.research_csv, name="survey_research_csv"),
]
