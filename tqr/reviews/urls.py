from django.urls import path

from tqr.reviews import dashboard_views, public_views, views

urlpatterns = [
    path("<int:round_id>/", views.review_queue, name="review_queue"),
    path("<int:round_id>/accept/", views.review_bulk_accept, name="review_bulk_accept"),
    path("<int:round_id>/statistics/", views.review_statistics, name="review_statistics"),
    path("<int:round_id>/dashboard/", dashboard_views.district_dashboard, name="district_dashboard"),
    path("<int:round_id>/notice/", views.notice_manage, name="notice_manage"),
    path("<int:round_id>/notice/publish/", views.notice_publish, name="notice_publish"),
    path("<int:round_id>/notice/close/", views.notice_close, name="notice_close"),
    path("<int:round_id>/report/", views.round_report, name="round_report"),
    path("applications/<int:application_id>/", views.review_application, name="review_application"),
    path("objections/<int:objection_id>/handle/", views.objection_handle, name="objection_handle"),
]

public_urlpatterns = [
    path("<str:slug>/", public_views.notice_public, name="notice_public"),
    path("<str:slug>/objection/", public_views.objection_public, name="objection_public"),
    path("<str:slug>/notice.pdf", public_views.notice_public_pdf, name="notice_public_pdf"),
]
