"""Django's auth signals are the one source of login events; each becomes an audit row."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tqr.audit.services import record


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    record("login.success", actor=user, request=request)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record("logout", actor=user, request=request)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    # Never the password; the login name as typed (escaped to one line by record()).
    record("login.failed", username=str(credentials.get("username", ""))[:150], result="fail", request=request)
