"""The one place that knows scopes: which objects a user may see, and what a user may do to one.

Two directions (Wagtail's permission policies): `visible_*(user)` answers "which objects may this user
see" for lists, exports, statistics and the API; `can(user, action, obj)` answers "may this user do
this to that object". Views use `get_visible_or_404` and `require`: not yours → 404 (so an id cannot be
confirmed to exist), yours but not allowed → 403. Both refusals are audited (`authz.denied`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from tqr.accounts.models import Organisation, Role, User

# --- Scope: which organisations a user's role covers ----------------------------------------------


def _scope_q(user: User, *, prefix: str) -> Q | None:
    """A Q over Organisation (through `prefix`) for the units in the user's scope; None = everything."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    org_id = user.organisation_id
    if user.role == Role.SYSADMIN:
        return None
    if org_id is None or user.role == Role.AUDITOR:
        return Q(pk__in=[])
    if user.role in (Role.TEACHER, Role.SCHOOL_ADMIN):
        return Q(**{f"{prefix}id": org_id})
    if user.role == Role.DISTRICT_REVIEWER:
        return Q(**{f"{prefix}parent_id": org_id})
    if user.role in (Role.CITY_REVIEWER, Role.CITY_APPROVER):
        return Q(**{f"{prefix}parent__parent_id": org_id})
    return Q(pk__in=[])


def _district_ids(user: User) -> QuerySet | list[int] | None:
    """Districts the user works in (None = all)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.role == Role.SYSADMIN:
        return None
    org = user.organisation
    if org is None or user.role == Role.AUDITOR:
        return []
    if user.role in (Role.TEACHER, Role.SCHOOL_ADMIN):
        return [org.parent_id] if org.parent_id else []
    if user.role == Role.DISTRICT_REVIEWER:
        return [org.pk]
    if user.role in (Role.CITY_REVIEWER, Role.CITY_APPROVER):
        return Organisation.objects.filter(parent_id=org.pk, kind=Organisation.Kind.DISTRICT).values("pk")
    return []


def visible_units(user: User) -> QuerySet[Organisation]:
    qs = Organisation.objects.filter(kind__in=Organisation.UNIT_KINDS)
    q = _scope_q(user, prefix="")
    return qs if q is None else qs.filter(q)


def visible_organisations(user: User) -> QuerySet[Organisation]:
    """Units in scope plus the district and city above them (so a teacher sees where they belong)."""
    units = visible_units(user)
    if not user.is_authenticated or not user.is_active:
        return units
    if user.role == Role.SYSADMIN:
        return Organisation.objects.all()
    districts = _district_ids(user)
    above = Q(pk__in=districts) | Q(children__pk__in=districts) if districts is not None else Q()
    return Organisation.objects.filter(Q(pk__in=units.values("pk")) | above).distinct()


def visible_teachers(user: User):
    from tqr.teachers.models import TeacherProfile

    qs = TeacherProfile.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == Role.TEACHER:
        return qs.filter(user_id=user.pk)
    q = _scope_q(user, prefix="unit__")
    if q is None:
        return qs
    # A seconded teacher registers at the lending unit (借出单位), so that unit sees them too.
    q_lending = _scope_q(user, prefix="seconded_from__")
    return qs.filter(q | q_lending)


def visible_rounds(user: User):
    from tqr.campaigns.models import Round

    districts = _district_ids(user)
    qs = Round.objects.select_related("district")
    return qs if districts is None else qs.filter(district_id__in=districts)


def visible_applications(user: User):
    """Applications in scope: the teacher's own; a unit's (as confirmation point or as the teacher's unit);
    a district's rounds; the city's."""
    from tqr.applications.models import Application

    qs = Application.objects.select_related("round", "teacher")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == Role.SYSADMIN:
        return qs
    if user.role == Role.TEACHER:
        return qs.filter(teacher__user_id=user.pk)
    if user.role == Role.SCHOOL_ADMIN:
        return qs.filter(Q(confirmation_point_id=user.organisation_id) | Q(teacher__unit_id=user.organisation_id))
    districts = _district_ids(user)
    return qs.filter(round__district_id__in=districts) if districts else qs.none()


def visible_data_sources(user: User):
    """The data sources of the district the user works for as district staff (数据交换); nobody else's."""
    from tqr.exchange.models import DataSource

    if not user.is_authenticated or not user.is_active or user.role != Role.DISTRICT_REVIEWER:
        return DataSource.objects.none()
    return DataSource.objects.filter(district_id=user.organisation_id)


def visible_emails(user: User):
    """Outgoing e-mails in scope: the system administrator's all, a district reviewer's district's."""
    from tqr.notifications.models import OutgoingEmail

    qs = OutgoingEmail.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == Role.SYSADMIN:
        return qs
    if user.role == Role.DISTRICT_REVIEWER and user.organisation_id:
        return qs.filter(district_id=user.organisation_id)
    return qs.none()


# --- Actions: may this user do this to that object ------------------------------------------------

DISTRICT_STAFF = {Role.DISTRICT_REVIEWER}
CITY_STAFF = {Role.CITY_REVIEWER, Role.CITY_APPROVER}


def _round_district_staff(user: User, round_) -> bool:
    return user.role == Role.DISTRICT_REVIEWER and user.organisation_id == round_.district_id


def _unit_admin(user: User, unit: Organisation) -> bool:
    return user.role == Role.SCHOOL_ADMIN and user.organisation_id == unit.pk


ACTIONS: dict[str, Callable[[User, object], bool]] = {
    # Rounds and their announcement
    "round.view": lambda u, r: visible_rounds(u).filter(pk=r.pk).exists(),
    "round.manage": lambda u, r: _round_district_staff(u, r) or u.role == Role.SYSADMIN,
    "round.view_administrators": lambda u, r: _round_district_staff(u, r)
    or (u.role in CITY_STAFF and r.district.parent_id == u.organisation_id),
    "announcement.view": lambda u, r: visible_rounds(u).filter(pk=r.pk).exists(),
    "announcement.publish": lambda u, r: _round_district_staff(u, r),
    # A unit names its registration administrator for a round (obj: the unit)
    "unit.name_administrator": lambda u, unit: _unit_admin(u, unit),
    "organisation.view": lambda u, o: visible_organisations(u).filter(pk=o.pk).exists(),
    "teacher.view": lambda u, t: visible_teachers(u).filter(pk=t.pk).exists(),
    "teacher.import": lambda u, _: u.role in (Role.SCHOOL_ADMIN, Role.DISTRICT_REVIEWER),
    "lookup.batch": lambda u, _: u.role in (Role.SCHOOL_ADMIN, Role.DISTRICT_REVIEWER, *CITY_STAFF),  # 批量查询注册状态
    "application.view": lambda u, a: visible_applications(u).filter(pk=a.pk).exists(),
    # On-site confirmation is done by the administrator of the application's confirmation point.
    "application.confirm": lambda u, a: u.role == Role.SCHOOL_ADMIN and u.organisation_id == a.confirmation_point_id,
    # A school's work in a round of its district: roster, reminders, proofs, hand-over (obj: Round).
    "round.school_work": lambda u, r: u.role == Role.SCHOOL_ADMIN and u.organisation is not None
    and u.organisation.parent_id == r.district_id,
    # The district's initial review, notice and report (obj: Round); the city reads along.
    "round.review": lambda u, r: _round_district_staff(u, r),
    "round.view_review": lambda u, r: _round_district_staff(u, r)
    or (u.role in CITY_STAFF and r.district.parent_id == u.organisation_id),
    "application.review": lambda u, a: u.role == Role.DISTRICT_REVIEWER and u.organisation_id == a.round.district_id,
    # The city (obj: Round): reviewers draw and check the sample (复审), approvers give the final review.
    "city.view": lambda u, _: u.role in CITY_STAFF,
    "city.sample": lambda u, r: u.role == Role.CITY_REVIEWER and r.district.parent_id == u.organisation_id,
    "city.approve": lambda u, r: u.role == Role.CITY_APPROVER and r.district.parent_id == u.organisation_id,
    "round.view_handovers": lambda u, r: _round_district_staff(u, r)
    or (u.role in CITY_STAFF and r.district.parent_id == u.organisation_id),
    # Visits for the initial review (obj: Round): a school of the district books, its district runs them.
    "visit.book": lambda u, r: u.role == Role.SCHOOL_ADMIN and u.organisation is not None
    and u.organisation.parent_id == r.district_id,
    "visit.manage": lambda u, r: _round_district_staff(u, r),
    # The applicant's own application (obj: Application); the round's windows are the flow's business.
    "application.edit": lambda u, a: u.role == Role.TEACHER and a.teacher.user_id == u.pk,
    # The full resident ID: for those who check it against the original (audited at every showing).
    "application.view_full_id": lambda u, a: (u.role == Role.SCHOOL_ADMIN and u.organisation_id == a.confirmation_point_id)
    or (u.role == Role.DISTRICT_REVIEWER and u.organisation_id == a.round.district_id),
    # A teacher of the round's district may apply in it (obj: Round).
    "round.apply": lambda u, r: u.role == Role.TEACHER and hasattr(u, "teacher")
    and visible_rounds(u).filter(pk=r.pk).exists(),
    # Data exchange (数据交换): the district's sources and imports (obj: the district), and the export of a
    # round's conclusions with full resident IDs to the national system (obj: Round).
    "exchange.manage": lambda u, d: u.role == Role.DISTRICT_REVIEWER and u.organisation_id is not None
    and (d is None or u.organisation_id == d.pk),
    "exchange.export": lambda u, r: _round_district_staff(u, r),
    # Failed e-mails: the list and the retry button (the rows themselves through visible_emails).
    "email.manage": lambda u, _: u.role in (Role.SYSADMIN, Role.DISTRICT_REVIEWER),
    "audit.read": lambda u, _: u.role == Role.AUDITOR,  # 审计管理员 only; the system administrator cannot
}


def can(user: User, action: str, obj=None) -> bool:
    try:
        check = ACTIONS[action]
    except KeyError as exc:  # deny by default, loudly: an unknown action is a programming error
        raise ValueError(f"unknown action {action!r}") from exc
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(check(user, obj))


def deny(user: User, action: str, obj, path: str, status: int) -> None:
    from tqr.audit.services import record

    record(
        "authz.denied",
        actor=user if user.is_authenticated else None,
        obj=obj if hasattr(obj, "_meta") else None,
        result="denied",
        data={"action": action, "path": path, "status": status},
    )


def require(request, action: str, obj=None) -> None:
    """403 (audited) unless the user may do `action` to `obj`."""
    if not can(request.user, action, obj):
        deny(request.user, action, obj, request.path, 403)
        raise PermissionDenied


def get_visible_or_404(request, queryset: QuerySet, **lookup):
    """The object if it is in the user's scope (queryset from a visible_* function), else 404 (audited)."""
    obj = queryset.filter(**lookup).first()
    if obj is None:
        deny(request.user, f"{queryset.model._meta.label_lower}.view", None, request.path, 404)
        raise Http404
    return obj
