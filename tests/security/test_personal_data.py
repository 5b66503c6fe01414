"""Resident IDs: masked everywhere by default, encrypted at rest, shown in full only to those who check the
original, and every showing audited (security-tests §23, §42, §43)."""

import re

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.reviews.helpers import confirmed
from tqr.audit.models import AuditEvent
from tqr.rules.identifiers import make_resident_id, mask_resident_id

pytestmark = [pytest.mark.security, pytest.mark.django_db]


def test_the_database_holds_no_resident_id_in_clear(world):
    with connection.cursor() as c:
        c.execute("SELECT id_number, id_digest, id_masked FROM teachers_teacherprofile")
        rows = c.fetchall()
    for stored, digest, masked in rows:
        assert not re.search(r"\d{17}[\dX]", stored) and len(digest) == 64 and "*" in masked


def test_the_full_id_is_shown_to_the_school_and_audited(world, client_for):
    app = confirmed(world, world.teacher_a1)
    page = client_for("admin_a").get(f"/school/applications/{app.pk}/").content.decode()
    assert world.teacher_a1.id_number not in page and world.teacher_a1.id_masked in page
    shown = client_for("admin_a").post(f"/school/applications/{app.pk}/full-id/")
    assert world.teacher_a1.id_number in shown.content.decode() and shown["Cache-Control"].startswith("no-store")
    assert AuditEvent.objects.filter(action="pii.view_full_id", user=world.admin_a, object_id=str(app.pk)).count() == 1
    assert client_for("city_reviewer").post(f"/school/applications/{app.pk}/full-id/").status_code == 403
    assert client_for("admin_b").post(f"/school/applications/{app.pk}/full-id/").status_code == 404


@settings(max_examples=200)
@given(st.dates(), st.integers(0, 999))
def test_the_mask_never_contains_the_birth_date(birth, seq):
    from datetime import date

    if not (date(1900, 1, 1) <= birth <= date(2020, 12, 31)):
        return
    number = make_resident_id("500114", birth, seq)
    masked = mask_resident_id(number)
    assert number[6:14] not in masked and masked.count("*") == 8
