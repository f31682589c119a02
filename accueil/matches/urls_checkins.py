from django.urls import path

from .views import checkins

urlpatterns = [
    path("caseload/", checkins.caseload, name="caseload"),
    path("matches/<int:pk>/checkins/<int:cpk>/", checkins.checkin_detail, name="checkin_detail"),
    path("my-matches/<int:pk>/checkins/<int:cpk>/", checkins.my_checkin, name="my_checkin"),
]
