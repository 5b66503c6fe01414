from django.urls import path

from tqr.city import views
from tqr.reviews import dashboard_views

urlpatterns = [
    path("", views.city_home, name="city_home"),
    path("dashboard/", dashboard_views.city_dashboard, name="city_dashboard"),
    path("<int:round_id>/sample/", views.sample_page, name="city_sample"),
    path("<int:round_id>/sample/record.pdf", views.sample_record_pdf, name="city_sample_record"),
    path("<int:round_id>/sample/widen/", views.sample_widen, name="city_sample_widen"),
    path("<int:round_id>/final/", views.final_approve, name="city_final_approve"),
    path("items/<int:item_id>/check/", views.item_check, name="city_item_check"),
]

district_urlpatterns = [
    path("<int:round_id>/returns/", views.district_returns, name="district_returns"),
    path("applications/<int:application_id>/answer/", views.district_answer, name="district_answer"),
    path("<int:round_id>/stickers/", views.stickers, name="district_stickers"),
    path("<int:round_id>/archive/", views.archive_start, name="district_archive"),
    path("applications/<int:application_id>/form.pdf", views.district_form_pdf, name="district_form_pdf"),
]
