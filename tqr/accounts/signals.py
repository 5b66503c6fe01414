"""Django's auth signals are the one source of login events; each becomes an audit row."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from tqr.accounts import lockout
from tqr.audit.services import record

# When the session was opened by a login: the absolute session limit counts from here (middleware.py).
LOGIN_AT_SESSION_KEY = "tqr_login_at"


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    record("login.success", actor=user, request=request)
    lockout.note_success(user)
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_SESSION_KEY] = timezone.now().timestamp()


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        # The absolute session limit logs out too (middleware.py says why on the request).
        reason = getattr(request, "logout_reason", None)
        if reason:
            record("session.expired", actor=user, request=request, data={"reason": reason})
        else:
            record("logout", actor=user, request=request)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    # Never the password; the login name as typed (escaped to one line by record()).
    username = str(credentials.get("username", ""))[:150]
    refused = lockout.refusal(request)
    if refused is not None and refused.locked:
        # The account is locked: this attempt is refused unread and does not count again.
        record("login.locked", username=username, result="fail", request=request)
    else:
        record("login.failed", username=username, result="fail", request=request)
        if refused is not None:
            lockout.note_failure(refused.user, request=request)
    if request is not None:
        lockout.note_ip_failure(request)
