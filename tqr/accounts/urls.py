"""Account pages under /account/: sign-up, e-mail verification, password reset and change.

The two links sent by mail also answer without their token (same URL name, no argument): a link cut short
by a mail client then lands on a page that says what to do instead of a bare 404.
"""

from django.urls import path

from tqr.accounts import account_views as views
from tqr.accounts import token_views

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("verify/resend/", views.verify_email_resend, name="verify_email_resend"),
    path("verify/", views.verify_email, name="verify_email"),
    path("verify/<str:token>/", views.verify_email, name="verify_email"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("password/reset/link/", views.password_reset_link_incomplete, name="password_reset_confirm"),
    path("password/reset/link/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("tokens/", token_views.api_tokens, name="api_tokens"),  # 我的 API 令牌
    path("tokens/<int:token_id>/revoke/", token_views.api_token_revoke, name="api_token_revoke"),
]
