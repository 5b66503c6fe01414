from django.urls import path

from tqr.help import views

urlpatterns = [
    path("", views.help_index, name="help"),
    path("<slug:role>/", views.help_page, name="help_role"),
]
