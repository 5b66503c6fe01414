from django.urls import path

from tqr.applications import views

urlpatterns = [
    path("", views.apply_entry, name="apply_entry"),
    path("<int:round_id>/", views.apply_status, name="apply_status"),
    path("<int:round_id>/step/<int:step>/", views.apply_step, name="apply_step"),
    path("<int:round_id>/photo/", views.apply_photo, name="apply_photo"),
    path("<int:round_id>/photo.jpg", views.apply_photo_image, name="apply_photo_image"),
    path("<int:round_id>/submit/", views.apply_transition, {"action": "submit"}, name="apply_submit"),
    path("<int:round_id>/resubmit/", views.apply_transition, {"action": "resubmit"}, name="apply_resubmit"),
    path("<int:round_id>/form.pdf", views.apply_form_pdf, name="apply_form_pdf"),
]
