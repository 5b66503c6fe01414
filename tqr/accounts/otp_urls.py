"""The two-factor pages under /account/otp/ (a password-authenticated session, not yet verified)."""

from django.urls import path

from tqr.accounts import otp_views

urlpatterns = [
    path("setup/", otp_views.otp_setup, name="otp_setup"),
    path("verify/", otp_views.otp_verify, name="otp_verify"),
]
