from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.utils import timezone

from tqr.accounts import lockout

# ASVS 6.4.1: an initial password (bulk-created account) stops working a week after it was set.
INITIAL_PASSWORD_LIFETIME = timedelta(days=7)


class LoginBackend(ModelBackend):
    """Log in by user name, e-mail or resident ID number (teachers know their ID, not a user name).

    An unknown login still runs the password hasher, so timing does not tell whether it exists.
    An expired initial password is refused like a wrong one (the page says the same thing), and so is a
    locked account, even with the right password (lockout.py), after the same hasher run.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = self._find(username.strip())
        if user is None:
            get_user_model()().set_password(password)
            return None
        if lockout.is_locked(user):
            get_user_model()().set_password(password)
            lockout.mark_refusal(request, user, locked=True)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            if self._initial_password_expired(user):
                from tqr.audit.services import record

                # Its own row, so that a school administrator can tell the teacher why (a new password
                # comes by the e-mail link or from the school).
                record("login.initial_password_expired", actor=user, result="fail", request=request)
                return None
            return user
        lockout.mark_refusal(request, user, locked=False)
        return None

    def get_user(self, user_id):
        """The session's user, with the organisation every page's header shows (one query, not two)."""
        try:
            user = get_user_model()._default_manager.select_related("organisation").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    @staticmethod
    def _initial_password_expired(user) -> bool:
        # No timestamp: the age is unknown, and refusing would lock out an account flagged by hand.
        if not user.must_change_password or user.password_changed_at is None:
            return False
        return timezone.now() - user.password_changed_at > INITIAL_PASSWORD_LIFETIME

    @staticmethod
    def _find(login: str):
        from tqr.core.fields import digest
        from tqr.rules.identifiers import normalise

        User = get_user_model()
        user = User.objects.filter(username__iexact=login).first()
        if user is None and "@" in login:
            user = User.objects.filter(email__iexact=login).first()
        if user is None and len(login) >= 15:
            from tqr.teachers.models import TeacherProfile

            profile = (
                TeacherProfile.objects.filter(id_digest=digest(normalise(login)), user__isnull=False)
                .select_related("user")
                .first()
            )
            user = profile.user if profile else None
        return user
