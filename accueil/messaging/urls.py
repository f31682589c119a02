from django.urls import path

from . import views

urlpatterns = [
    path("messages/failed/", views.failed_list, name="outbox_failed"),
    path("messages/<int:pk>/retry/", views.retry, name="outbox_retry"),
]
