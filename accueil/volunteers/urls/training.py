from django.urls import path

from ..views import training as views

urlpatterns = [
    path("", views.training_list, name="training_list"),
    path("certificate.pdf", views.certificate, name="training_certificate"),
    path("overview/", views.overview, name="training_overview"),
    path("<slug:slug>/", views.module_detail, name="training_module"),
    path("<slug:slug>/quiz/", views.module_quiz, name="training_quiz"),
    path("<slug:slug>/files/<int:pk>/", views.module_file, name="training_file"),
]
