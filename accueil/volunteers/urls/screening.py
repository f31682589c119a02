from django.urls import path

from ..views import pipeline, screening

urlpatterns = [
    path("", pipeline.pipeline, name="volunteer_pipeline"),
    path("bulk/", pipeline.pipeline_bulk, name="volunteer_pipeline_bulk"),
    path("export.csv", pipeline.pipeline_export, name="volunteer_pipeline_export"),
    path("my-application/", screening.my_application, name="volunteer_my_application"),
    path(
        "my-application/code-of-conduct/",
        screening.my_code_of_conduct,
        name="volunteer_code_of_conduct",
    ),
    path(
        "my-application/police-check/",
        screening.my_police_check,
        name="volunteer_my_police_check",
    ),
    path("reference/<str:token>/", screening.reference_answer, name="reference_answer"),
    path("documents/<int:pk>/", screening.document_download, name="volunteer_document"),
    path("<int:pk>/", screening.volunteer_detail, name="volunteer_detail"),
    path("<int:pk>/start/", screening.volunteer_start, name="volunteer_start"),
    path("<int:pk>/approve/", screening.volunteer_approve, name="volunteer_approve"),
    path("<int:pk>/status/", screening.volunteer_status, name="volunteer_status"),
    path("<int:pk>/steps/<slug:step_type>/", screening.volunteer_step, name="volunteer_step"),
    path(
        "<int:pk>/references/<int:ref_pk>/send/",
        screening.reference_resend,
        name="volunteer_reference_resend",
    ),
    path(
        "<int:pk>/references/<int:ref_pk>/phone/",
        screening.reference_phone,
        name="volunteer_reference_phone",
    ),
]
