from django.urls import path

from tqr.exchange import views

urlpatterns = [
    path("", views.exchange_home, name="exchange_home"),
    path("sources/new/", views.exchange_source_new, name="exchange_source_new"),
    path("sources/<int:source_id>/", views.exchange_source_edit, name="exchange_source_edit"),
    path("sources/<int:source_id>/import/", views.exchange_import, name="exchange_import"),
    path("sources/<int:source_id>/import/<str:token>/commit/", views.exchange_import_commit,
         name="exchange_import_commit"),
    path("runs/", views.exchange_runs, name="exchange_runs"),
    path("layout/", views.exchange_layout, name="exchange_layout"),
    path("rounds/<int:round_id>/export/", views.exchange_export, name="exchange_export"),
]
