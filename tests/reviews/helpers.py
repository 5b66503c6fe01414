"""Confirmed applications, made through the same services as the pages, and a round moved on to review."""

from django.utils import timezone

from tests.factories import teacher, windows_around
from tqr.applications.school import application_check
from tqr.applications.services import application_save, application_start, application_transition
from tqr.campaigns.services import round_set_windows
from tqr.rules.phases import Phase
from tqr.teachers.models import TrainingRecord

ALL_ITEMS = {str(n): True for n in range(1, 8)}


def confirmed(world, t, *, hours=None):
    """A complete application of teacher profile `t`, submitted and confirmed by its school."""
    from django.core.files.base import ContentFile

    from tests.applications.helpers import jpeg
    from tqr.documents.photos import process_photo

    if hours is not None:
        TrainingRecord.objects.filter(teacher=t).update(hours=hours // 5)
    user = t.user
    app = application_start(round_=world.round_a, teacher=t, actor=user)
    from datetime import date

    app = application_save(application=app, data={"hire_date": date(2006, 9, 1), "phone": "13812345678"},
                           actor=user, step=6, accept_terms=True)
    app.photo.save("p.jpg", ContentFile(process_photo(jpeg()).jpeg), save=True)
    app = application_transition(application=app, action="submit", actor=user)
    admin = world.admin_a if t.unit_id == world.school_a.pk else world.admin_b
    app = application_check(application=app, checklist=ALL_ITEMS, note="", choices={}, actor=admin)
    return application_transition(application=app, action="confirm", actor=admin)


def many_confirmed(world, n: int, *, unit=None, prefix="教师"):
    from tests.factories import user
    from tqr.accounts.models import Role

    apps = []
    for i in range(n):
        t = teacher(unit or world.school_a, f"{prefix}{i}", registered_year=world.round_a.year - 5)
        t.user = user(f"{prefix}-{i}-{t.pk}", Role.TEACHER, t.unit)
        t.save()
        apps.append(confirmed(world, t))
    return apps


def move_to(world, phase: Phase, round_=None):
    round_ = round_ or world.round_a
    round_set_windows(round_=round_, windows=windows_around(timezone.localdate(), phase))
    round_.refresh_from_db()
