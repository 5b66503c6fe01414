"""Many submitted applications at one school, quickly: one through the wizard, the rest copied from it."""

from __future__ import annotations

from tests.applications.test_school import submitted
from tests.factories import teacher
from tqr.applications.models import Application


def school_with_applications(world, client_for, n: int) -> list[Application]:
    first = submitted(world, client_for)
    apps = [first]
    for i in range(1, n):
        t = teacher(world.school_a, f"教师{i:03d}", registered_year=world.round_a.year - 5)
        copy = Application.objects.get(pk=first.pk)
        copy.pk = None
        copy.teacher = t
        copy.name = t.name
        copy.number = f"COPY{i:05d}"
        copy.save()
        apps.append(copy)
    return apps
