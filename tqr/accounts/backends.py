from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class LoginBackend(ModelBackend):
    """Log in by user name, e-mail or resident ID number (teachers know their ID, not a user name).

    An unknown login still runs the password hasher, so timing does not tell whether it exists.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        user = self._find(username.strip())
        if user is None:
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

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
