"""Account writes: a teacher's sign-up, e-mail verification and password changes.

Each writer is one transaction with its audit row; mail goes out only after the commit.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from tqr.accounts.models import Organisation, PasswordHistory, Role, User
from tqr.audit.services import record
from tqr.core.fields import digest
from tqr.rules.identifiers import normalise, resident_id_birth_date, resident_id_gender

ALREADY_REGISTERED = _("该身份证号码已注册账号，请直接登录；忘记密码可通过邮箱找回")
NAME_MISMATCH = _("姓名与学校登记的信息不一致，请核对或联系本校注册管理员")
EMAIL_TAKEN = _("该邮箱已被其他账号使用")
SUBJECT_NOT_GIVEN = "未填写"  # i18n: data (stored as the teacher's subject until the school corrects it; printed on the official forms)

# 任教学段 a new teacher starts with, from the kind of unit they name; the school corrects it later.
POST_LEVEL_BY_UNIT_KIND = {
    Organisation.Kind.KINDERGARTEN: "kindergarten",
    Organisation.Kind.PRIMARY: "primary",
    Organisation.Kind.JUNIOR: "junior",
    Organisation.Kind.NINE_YEAR: "junior",
    Organisation.Kind.SENIOR: "senior",
    Organisation.Kind.COMPLETE_SECONDARY: "senior",
    Organisation.Kind.VOCATIONAL: "vocational",
}

VERIFY_SALT = "tqr.accounts.verify_email"
VERIFY_MAX_AGE = timedelta(days=3)
RESEND_INTERVAL_SECONDS = 60


@dataclass(frozen=True)
class SignupOutcome:
    user: User
    linked: bool  # True: the account was joined to a teacher record the school had already entered


def _same_name(a: str, b: str) -> bool:
    # Full-width letters and stray spaces are typing differences, not another person.
    def fold(s: str) -> str:
        return "".join(unicodedata.normalize("NFKC", s).split())

    return fold(a) == fold(b)


def teacher_signup(
    *, id_number: str, name: str, phone: str, email: str, unit: Organisation, password: str, base_url: str
) -> SignupOutcome:
    """A teacher opens their own account (教师注册账号), or claims the record their school entered.

    Raises ValidationError keyed by form field when the ID already has an account, the name differs
    from the school's record, or the e-mail belongs to another account.
    """
    from tqr.teachers.models import TeacherProfile

    id_number = normalise(id_number)
    try:
        with transaction.atomic():
            profile = TeacherProfile.objects.select_for_update().filter(id_digest=digest(id_number)).first()
            if profile is not None and profile.user_id is not None:
                raise ValidationError({"id_number": ALREADY_REGISTERED})
            if profile is not None and not _same_name(profile.name, name):
                raise ValidationError({"name": NAME_MISMATCH})
            if User.objects.filter(email__iexact=email).exists():
                raise ValidationError({"email": EMAIL_TAKEN})

            now = timezone.now()
            user = User(
                username=id_number,  # teachers log in with their ID number
                role=Role.TEACHER,
                organisation=profile.unit if profile is not None else unit,  # the school's record wins
                display_name=profile.name if profile is not None else name,
                email=email,
                phone=phone,
                password_changed_at=now,
            )
            user.set_password(password)
            user.save()

            linked = profile is not None
            if linked:
                profile.user = user
                profile.phone = profile.phone or phone
                profile.email = profile.email or email
                profile.save(update_fields=["user", "phone", "email", "updated_at"])
            else:
                profile = TeacherProfile(
                    user=user, name=name, gender=resident_id_gender(id_number),
                    birth_date=resident_id_birth_date(id_number), unit=unit, phone=phone, email=email,
                    post_level=POST_LEVEL_BY_UNIT_KIND.get(unit.kind, "primary"), subject=SUBJECT_NOT_GIVEN,
                )
                profile.set_id_number(id_number)
                profile.save()

            record("account.signup", actor=user, obj=user,
                   data={"teacher_id": profile.pk, "linked_school_record": linked})
            # robust: a mail server that is down must not undo the sign-up; the banner offers a resend.
            # (A lambda, not a partial: Django names the callback by __qualname__ when it logs a failure.)
            transaction.on_commit(lambda: _send_verification_email(user=user, base_url=base_url), robust=True)
    except IntegrityError:
        # Two sign-ups raced past the checks above and a unique constraint decided. Say which one lost.
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError({"email": EMAIL_TAKEN}) from None
        raise ValidationError({"id_number": ALREADY_REGISTERED}) from None
    return SignupOutcome(user=user, linked=linked)


# --- E-mail verification ----------------------------------------------------------------------------


class VerificationLinkError(Exception):
    """The link cannot verify anything; `expired` tells the page which explanation to give."""

    def __init__(self, *, expired: bool):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _email_fingerprint(email: str) -> str:
    # The link carries a keyed fingerprint, not the address itself: URLs end up in proxy logs.
    return salted_hmac(VERIFY_SALT, email.strip().lower()).hexdigest()[:24]


def verification_token(user: User) -> str:
    """A signed, timestamped token for the user's current address (a new address voids old links)."""
    return signing.dumps({"u": user.pk, "e": _email_fingerprint(user.email)}, salt=VERIFY_SALT)


def verification_link(user: User, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("verify_email", args=[verification_token(user)])


def _send_verification_email(*, user: User, base_url: str) -> None:
    cache.set(_resend_key(user), 1, RESEND_INTERVAL_SECONDS)
    context = {"user": user, "link": verification_link(user, base_url), "days": VERIFY_MAX_AGE.days}
    subject = "".join(render_to_string("accounts/email/verify_subject.txt", context).splitlines())
    body = render_to_string("accounts/email/verify_body.txt", context)
    send_mail(subject, body, None, [user.email])


def _resend_key(user: User) -> str:
    return f"tqr:verify-email-sent:{user.pk}"


def email_verification_resend(*, user: User, base_url: str) -> bool:
    """Send the verification mail again; False (nothing sent) within a minute of the last one."""
    if not user.email or user.email_verified_at is not None:
        return False
    if not cache.add(_resend_key(user), 1, RESEND_INTERVAL_SECONDS):
        return False
    _send_verification_email(user=user, base_url=base_url)
    return True


@transaction.atomic
def email_verify(*, token: str) -> User:
    """Mark the address in a verification link as verified (idempotent: a second click changes nothing)."""
    try:
        payload = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.SignatureExpired:
        raise VerificationLinkError(expired=True) from None
    except (signing.BadSignature, ValueError):
        raise VerificationLinkError(expired=False) from None
    if not isinstance(payload, dict):
        raise VerificationLinkError(expired=False)
    user = User.objects.select_for_update().filter(pk=payload.get("u"), is_active=True).first()
    if user is None or not user.email or _email_fingerprint(user.email) != payload.get("e"):
        raise VerificationLinkError(expired=False)
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        record("account.email_verified", actor=user, obj=user)
    return user


# --- Passwords --------------------------------------------------------------------------------------


@transaction.atomic
def password_change(*, user: User, new_password: str, by_reset_link: bool = False) -> User:
    """Set a password the user chose (修改密码, or 找回密码 by the e-mail link); an initial one is gone."""
    was_forced = user.must_change_password
    if user.has_usable_password():  # the one being replaced joins the history (passwords.HistoryValidator)
        PasswordHistory.objects.create(user=user, password=user.password)
        # The current password counts as one of the last N: keep N - 1 earlier ones.
        stale = list(user.password_history.values_list("pk", flat=True)[max(settings.TQR_PASSWORD_HISTORY - 1, 0):])
        PasswordHistory.objects.filter(pk__in=stale).delete()
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    record("account.password_reset" if by_reset_link else "account.password_change", actor=user, obj=user,
           data={"initial_password_replaced": was_forced})
    return user


# --- Two-factor (TOTP by django-otp: 等保 8.1.4.1 d) ---------------------------------------------------


def totp_device(user: User, *, confirmed: bool = True):
    """The user's TOTP device (the confirmed one; or with confirmed=False the one being enrolled)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


@transaction.atomic
def totp_enrolment_start(*, user: User):
    """The unconfirmed device whose secret the enrolment page shows (the same one until it is confirmed)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False, tolerance=0)
    return device


def _totp_accepts(user: User, device, token: str) -> bool:
    from django_otp import verify_token

    token = "".join(token.split())
    if len(token) != device.digits or not token.isdigit():
        return False
    # Only the current 30-second step, never the one before or after (django-otp's default allows ±1);
    # a code once accepted is refused afterwards (django-otp keeps `last_t`). Wrong codes back off.
    if device.tolerance != 0:
        type(device).objects.filter(pk=device.pk).update(tolerance=0)
    return verify_token(user, device.persistent_id, token) is not None


def totp_throttled(device) -> bool:
    allowed, _ = device.verify_is_allowed()
    return not allowed


@transaction.atomic
def totp_enrolment_confirm(*, user: User, device, token: str) -> bool:
    """Confirm the enrolment with a first code from the app; audited either way."""
    if device.user_id != user.pk or device.confirmed or not _totp_accepts(user, device, token):
        record("otp.enrol_failed", actor=user, result="fail")
        return False
    device.refresh_from_db()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record("otp.enrolled", actor=user, obj=user)
    return True


def totp_verify(*, user: User, device, token: str) -> bool:
    """Check a code at login (verify_token locks the device row; the audit row follows either way)."""
    ok = device.user_id == user.pk and device.confirmed and _totp_accepts(user, device, token)
    record("otp.verified" if ok else "otp.failed", actor=user, result="success" if ok else "fail")
    return ok
