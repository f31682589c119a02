from django.urls import include, path

urlpatterns = [
    path("apply/", include("accueil.volunteers.urls.application")),
    path("volunteers/", include("accueil.volunteers.urls.screening")),
    path("training/", include("accueil.volunteers.urls.training")),
    path("groups/", include("accueil.volunteers.urls.groups")),
    path("me/", include("accueil.volunteers.urls.home")),
]
