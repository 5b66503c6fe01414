"""师德 and 身心健康 statements (材料6、7): written from the school's record, seen by the school and reviewers only."""

import pytest

from tests.applications.test_school import submitted
from tqr.applications.documents import ETHICS_STATEMENTS, HEALTH_STATEMENTS, assessment_form_data

pytestmark = [pytest.mark.django_db, pytest.mark.security]

VIOLATION = ETHICS_STATEMENTS["violation"]
UNFIT = HEALTH_STATEMENTS["unfit"]


@pytest.mark.parametrize(("ethics", "health", "ethics_text", "health_text"), [
    ("good", "fit", "师德表现良好，无违反师德行为", "能够胜任教育教学工作"),
    ("violation", "fit", "有违反《中小学教师职业道德规范》的行为", "能够胜任教育教学工作"),
    ("serious_violation", "fit", "严重违反师德", "能够胜任教育教学工作"),
    ("good", "unfit", "师德表现良好", "不能胜任教育教学工作"),
])
def test_the_assessment_form_says_what_the_school_recorded(world, client_for, ethics, health, ethics_text,
                                                           health_text):
    app = submitted(world, client_for)
    world.teacher_a1.ethics, world.teacher_a1.health = ethics, health
    world.teacher_a1.save(update_fields=["ethics", "health"])
    app.refresh_from_db()
    data = assessment_form_data(app)
    assert ethics_text in data.ethics_statement and health_text in data.health_statement


def test_a_violation_is_never_printed_as_good_conduct(world, client_for):
    app = submitted(world, client_for)
    world.teacher_a1.ethics = "violation"
    world.teacher_a1.save(update_fields=["ethics"])
    app.refresh_from_db()
    assert "无违反师德行为" not in assessment_form_data(app).ethics_statement


def test_the_teacher_never_sees_the_statements(world, client_for):
    app = submitted(world, client_for)
    world.teacher_a1.ethics, world.teacher_a1.health = "violation", "unfit"
    world.teacher_a1.save(update_fields=["ethics", "health"])
    teacher = client_for("t_a1")
    assert teacher.get(f"/school/applications/{app.pk}/assessment.pdf").status_code == 403
    for url in ("/", f"/apply/{world.round_a.pk}/", "/api/v1/applications", f"/api/v1/applications/{app.pk}"):
        response = teacher.get(url, follow=True)
        assert response.status_code == 200, url
        body = response.content.decode()
        for secret in (VIOLATION, UNFIT, "有违反师德行为", "不能胜任"):
            assert secret not in body, (url, secret)
    # The school (and the reviewers, through the archive) get them.
    assert client_for("admin_a").get(f"/school/applications/{app.pk}/assessment.pdf").status_code == 200
