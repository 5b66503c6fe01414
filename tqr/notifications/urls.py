from django.urls import path

from tqr.notifications import views

urlpatterns = [
    path("", views.inbox, name="notification_inbox"),
    path("<int:notification_id>/read/", views.inbox_read, name="notification_read"),
    path("read-all/", views.inbox_read_all, name="notification_read_all"),
    path("preference/", views.inbox_preference, name="notification_preference"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="notification_unsubscribe"),
    path("failed/", views.failed_emails, name="failed_emails"),
    path("failed/<int:email_id>/retry/", views.failed_email_retry, name="failed_email_retry"),
]
