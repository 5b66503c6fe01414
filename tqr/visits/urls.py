from django.urls import path

from tqr.visits import views

urlpatterns = [
    # The school
    path("<int:round_id>/", views.visit_book, name="visit_book"),
    path("<int:round_id>/slots/<int:slot_id>/book/", views.visit_book_slot, name="visit_book_slot"),
    path("<int:round_id>/cancel/", views.visit_cancel, name="visit_cancel"),
    # The district (the city may look)
    path("<int:round_id>/schedule/", views.visit_schedule, name="visit_schedule"),
    path("<int:round_id>/schedule/generate/", views.visit_generate, name="visit_generate"),
    path("<int:round_id>/schedule/slots/", views.visit_slot_add, name="visit_slot_add"),
    path("<int:round_id>/schedule/slots/<int:slot_id>/delete/", views.visit_slot_delete, name="visit_slot_delete"),
    path("<int:round_id>/schedule/bookings/<int:booking_id>/received/", views.visit_mark_received,
         name="visit_mark_received"),
]
