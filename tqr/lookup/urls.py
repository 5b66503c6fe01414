from django.urls import path

from tqr.lookup import views

urlpatterns = [
    path("", views.status_lookup, name="status_lookup"),
    path("batch/", views.status_lookup_batch, name="status_lookup_batch"),
]
