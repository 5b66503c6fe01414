import io

import pytest
from python_calamine import CalamineWorkbook

from tests.factories import org
from tqr.audit.models import AuditEvent
from tqr.campaigns.services import administrator_name

pytestmark = pytest.mark.django_db


def read_rows(response) -> list[list]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()


def test_the_district_exports_the_overview_with_only_its_own_units(world, client_for):
    administrator_name(round_=world.round_a, unit=world.school_a, name="=HYPERLINK(\"http://x\")",
                       phone="13812345678", actor=world.admin_a)
    response = client_for("reviewer_d1").get(f"/rounds/{world.round_a.pk}/administrators/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    rows = read_rows(response)
    codes = {r[0] for r in rows[3:]}
    assert codes == {world.school_a.code, world.school_b.code}
    assert world.school_c.code not in codes
    named = next(r for r in rows if r[0] == world.school_a.code)
    assert named[3] == "'=HYPERLINK(\"http://x\")"  # a formula stays a literal string
    assert AuditEvent.objects.filter(action="export.administrators", user=world.reviewer_d1).count() == 1


def test_units_outside_the_round_are_not_asked_to_name_an_administrator(world, client_for):
    org("500114090", "重庆市黔江区某行业办学校", "primary", world.district_a, ownership="industry")
    org("500114091", "重庆市黔江区某民办幼儿园", "kindergarten", world.district_a, ownership="private")
    body = client_for("reviewer_d1").get(f"/rounds/{world.round_a.pk}/administrators/").content.decode()
    assert "某行业办学校" not in body and "某民办幼儿园" not in body
    world.round_a.include_private = True
    world.round_a.save()
    body = client_for("reviewer_d1").get(f"/rounds/{world.round_a.pk}/administrators/").content.decode()
    assert "某民办幼儿园" in body and "某行业办学校" not in body


def test_a_school_cannot_export_the_overview(world, client_for):
    assert client_for("admin_a").get(f"/rounds/{world.round_a.pk}/administrators/?format=xlsx").status_code == 403
