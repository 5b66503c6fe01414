from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


class ChineseMinimumLengthValidator(MinimumLengthValidator):
    """Django 5.2's zh_Hans catalogue lacks this message; ours says what to do in Chinese."""

    def get_error_message(self):
        return _("密码太短，至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("密码至少需要 %(min_length)d 个字符。") % {"min_length": self.min_length}


class CharacterClassValidator:
    """等保 8.1.4.1 a: at least three of upper case, lower case, digits and symbols."""

    def validate(self, password, user=None):
        classes = [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少三类。"), code="password_classes"
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号中的至少三类。")


def _birth_dates(user) -> set[str]:
    """YYYYMMDD of the birth date in the user's resident ID: the teacher record's, or a login name that
    is an ID number (a teacher signing up has no record yet)."""
    from tqr.rules.identifiers import resident_id_birth_date

    try:
        profile = user.teacher
    except (ObjectDoesNotExist, AttributeError, ValueError):  # no teacher record (yet)
        profile = None
    found = set()
    for id_number in (getattr(profile, "id_number", None), getattr(user, "username", "")):
        try:
            found.add(resident_id_birth_date(id_number or "").strftime("%Y%m%d"))
        except (TypeError, ValueError):
            pass
    return found


class PersonalDataValidator:
    """等保 8.1.4.1 a: a password must not contain the login name or the birth date of the ID number."""

    def __init__(self, min_username_length: int = 3):
        self.min_username_length = min_username_length

    def validate(self, password, user=None):
        if user is None:
            return
        folded = password.casefold()
        username = (getattr(user, "username", "") or "").casefold()
        if (len(username) >= self.min_username_length and username in folded) or any(
                d in password for d in _birth_dates(user)):
            raise ValidationError(self.get_help_text(), code="password_personal_data")

    def get_help_text(self):
        return _("密码不能包含用户名或身份证中的出生日期。")


class HistoryValidator:
    """等保 定期更换: the new password is none of the last `count` (the current one and those before it).

    Earlier hashes are kept in PasswordHistory by services.password_change."""

    def __init__(self, count: int = 5):
        self.count = count

    def _message(self):
        return _("新密码不能与最近%(count)d次使用过的密码相同。") % {"count": self.count}

    def validate(self, password, user=None):
        if user is None or user.pk is None or self.count < 1:
            return
        hashes = [user.password] if user.password else []
        hashes += list(user.password_history.values_list("password", flat=True)[: self.count - 1])
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(self._message(), code="password_reused")

    def get_help_text(self):
        return self._message()


def password_expired(user, now=None) -> bool:
    """Older than TQR_PASSWORD_MAX_AGE_DAYS: changed before anything else (middleware.py). An unknown age
    (no timestamp) is not expired, like the initial-password rule in backends.py."""
    days = settings.TQR_PASSWORD_MAX_AGE_DAYS
    if not days or user.password_changed_at is None:
        return False
    return (now or timezone.now()) - user.password_changed_at > timedelta(days=days)
