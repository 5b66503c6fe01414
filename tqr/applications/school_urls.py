from django.urls import path

from tqr.applications import pii_views
from tqr.applications import school_views as views
from tqr.reviews import dashboard_views

urlpatterns = [
    path("<int:round_id>/roster/", views.school_roster, name="school_roster"),
    path("<int:round_id>/dashboard/", dashboard_views.school_dashboard, name="school_dashboard"),
    path("<int:round_id>/remind/", views.school_remind, name="school_remind"),
    path("<int:round_id>/confirm/", views.school_bulk_confirm, name="school_bulk_confirm"),
    path("<int:round_id>/handover/", views.school_handover, name="school_handover"),
    path("<int:round_id>/proofs/", views.school_proofs, name="school_proofs"),
    path("applications/<int:application_id>/assessment.pdf", views.school_proof_pdf, name="school_proof_pdf"),
    path("applications/<int:application_id>/", views.school_application, name="school_application"),
    path("applications/<int:application_id>/full-id/", pii_views.full_id, name="application_full_id"),
    path("applications/<int:application_id>/photo.jpg", views.school_application_photo, name="school_application_photo"),
    path("applications/<int:application_id>/confirm/", views.school_application_action, {"action": "confirm"},
         name="school_confirm"),
    path("applications/<int:application_id>/return/", views.school_application_action, {"action": "return"},
         name="school_return"),
    path("applications/<int:application_id>/undo/", views.school_application_action, {"action": "undo_confirm"},
         name="school_undo_confirm"),
]

district_urlpatterns = [
    path("<int:round_id>/handovers/", views.district_handovers, name="district_handovers"),
    path("<int:round_id>/handovers/<int:handover_id>/receive/", views.district_handover_receive,
         name="district_handover_receive"),
]
