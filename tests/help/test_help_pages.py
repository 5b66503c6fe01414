"""帮助: a page per role with the round's steps and dates, the seven materials, the rules, the photo, the FAQ;
public on purpose; and the hints of the fields people get wrong, tied to their inputs.

Alice (t_a1) is a teacher of school A; her administrator is admin_a, her district reviewer reviewer_d1, the
city's people city_reviewer and city_approver. Charlie is anonymous.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from tqr.applications.services import application_start
from tqr.campaigns.models import Round
from tqr.help import content
from tqr.rules.materials import materials_for
from tqr.rules.phases import PHASE_LABELS, Phase

pytestmark = pytest.mark.django_db

SECTIONS = ('id="steps"', 'id="materials"', 'id="rules"', 'id="photo"', 'id="faq"')


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def cn_date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@pytest.mark.parametrize(("persona", "guide"), [
    ("t_a1", "teacher"), ("admin_a", "school"), ("reviewer_d1", "district"),
    ("city_reviewer", "city"), ("city_approver", "city"), ("anonymous", "public"),
    ("auditor", "public"), ("sysadmin", "public"),
])
def test_it_gives_each_role_its_own_page_with_every_section(client_for, persona, guide):
    html = page(client_for(persona), reverse("help"))
    assert f"<h1>{content.GUIDES[guide].title}</h1>" in html
    for section in SECTIONS:
        assert section in html
    assert f'href="/help/{guide}/" aria-current="page"' in html


@pytest.mark.parametrize("guide", content.ROLE_SLUGS)
def test_every_role_page_is_public(client_for, guide):
    html = page(client_for("anonymous"), reverse("help_role", args=[guide]))
    assert f"<h1>{content.GUIDES[guide].title}</h1>" in html
    for label in PHASE_LABELS.values():
        assert label in html


def test_an_unknown_role_is_a_404(client_for):
    assert client_for("anonymous").get("/help/nobody/").status_code == 404


def test_it_shows_the_dates_of_the_users_round(world, client_for):
    html = page(client_for("t_a1"), reverse("help"))
    application = world.round_a.window(Phase.APPLICATION)
    confirmation = world.round_a.window(Phase.CONFIRMATION)
    assert world.round_a.title in html
    assert cn_date(application.start_date) in html
    assert cn_date(confirmation.start_date) in html
    assert "进行中" in html  # today is in the application window


def test_a_visitor_without_a_round_sees_the_latest_round(world, client_for):
    latest = Round.objects.order_by("-year", "district__code").first()
    for persona in ("anonymous", "auditor"):
        html = page(client_for(persona), reverse("help"))
        assert latest.title in html
        assert cn_date(latest.window(Phase.APPLICATION).start_date) in html


def test_without_any_round_it_explains_the_nine_phases_without_dates(client):
    html = page(client, reverse("help"))
    assert "本年度各环节的时间还没有公布" in html
    assert html.count('<li class="help-step') == 9
    assert not re.search(r"\d{4}年\d{1,2}月\d{1,2}日", html)


def test_the_numbers_come_from_the_round(world, client_for):
    Round.objects.filter(pk=world.round_a.pk).update(required_training_hours=300, semester_days=120,
                                                     notice_workdays=7)
    html = page(client_for("t_a1"), reverse("help"))
    assert "不少于300学时" in html
    assert "（120天）" in html
    assert "不少于7个工作日" in html
    assert "360" not in html.split('id="photo"')[0].split('id="rules"')[1]


def test_each_role_reads_what_it_does_in_each_step(client_for):
    teacher = page(client_for("t_a1"), reverse("help"))
    school = page(client_for("admin_a"), reverse("help"))
    district = page(client_for("reviewer_d1"), reverse("help"))
    city = page(client_for("city_reviewer"), reverse("help"))
    assert "打印一式2份" in teacher and "您要做的" in teacher
    assert "与原件相符" in school and "考核鉴定表" in school
    assert "记录初审结论和理由" in district
    assert "随机抽取样本" in city and "终审人员" in city
    # The reviewers get the codes the review page shows beside a suggestion; the teacher does not.
    assert "审核页上的建议代码" in district and "审核页上的建议代码" in city
    assert "审核页上的建议代码" not in teacher


def test_the_seven_materials_are_named_as_elsewhere_in_the_product(client_for):
    html = page(client_for("t_a1"), reverse("help"))
    assert [str(m.title) for m in content.MATERIALS] == [m.title for m in materials_for("periodic")]
    materials = html.split('id="materials"')[1].split('id="rules"')[0]
    assert materials.count("<li>") == 7
    for m in materials_for("periodic"):
        assert m.title in materials


def test_the_rules_are_in_plain_words(client_for):
    html = page(client_for("anonymous"), reverse("help"))
    for words in ("合格", "暂缓注册", "不合格", "360", "借出单位", "连续两年", "特岗教师", "首次注册"):
        assert words in html
    assert not re.search(r"\b(OUT_[A-Z_]+|ID_CHECKSUM)\b", html)  # no codes for the public


def test_the_photo_examples_exist_and_say_why(client_for):
    html = page(client_for("t_a1"), reverse("help"))
    static = Path(settings.BASE_DIR) / "static" / "help"
    assert sum(e.good for e in content.PHOTO_EXAMPLES) == 1
    assert sum(not e.good for e in content.PHOTO_EXAMPLES) >= 4
    for example in content.PHOTO_EXAMPLES:
        assert (static / example.file).is_file()
        assert f"/static/help/{example.file}" in html
        assert str(example.title) in html
    # The real limits of tqr.documents.photos.
    assert "10 MB" in html and "150×210" in html and "295×413" in html and "200 KB" in html
    assert client_for("anonymous").get("/static/help/photo-good.png").status_code == 200


def test_the_faq_answers_what_people_ask(client_for):
    teacher = page(client_for("t_a1"), reverse("help"))
    for question in ("忘记密码怎么办", "校验码不对", "照片上传不了或被拒绝", "错过了报名或现场确认时间",
                     "暂缓注册”，接下来怎么办", "借调教师"):
        assert question in teacher
    assert "视为自动放弃" in teacher
    assert "工作日怎么算" not in teacher  # the district's question
    assert "工作日怎么算" in page(client_for("reviewer_d1"), reverse("help"))


def test_the_help_page_reads_a_fixed_number_of_queries(client_for, django_assert_max_num_queries):
    client = client_for("t_a1")
    client.get(reverse("help"))
    with django_assert_max_num_queries(12):
        client.get(reverse("help"))


# --- Links to the help --------------------------------------------------------------------------------------


def test_the_top_bar_links_to_the_help(client_for):
    assert 'href="/help/"' in page(client_for("t_a1"), reverse("home"))
    assert 'href="/help/"' in page(client_for("anonymous"), reverse("login"))
    assert 'href="/help/"' in render_to_string("reviews/public_throttled.html")


def test_the_wizard_links_to_the_teachers_help(world, client_for):
    application_start(round_=world.round_a, teacher=world.teacher_a1, actor=world.t_a1)
    client = client_for("t_a1")
    assert 'href="/help/teacher/"' in page(client, f"/apply/{world.round_a.pk}/step/3/")
    assert 'href="/help/teacher/#photo"' in page(client, f"/apply/{world.round_a.pk}/photo/")


# --- Field hints ----------------------------------------------------------------------------------------------


def assert_hint(html: str, field: str, *words: str) -> None:
    """The field's input points at its hint (aria-describedby), and the hint says `words`."""
    hint_id = f"id_{field}_helptext"
    tag = re.search(rf'<(input|select|textarea)[^>]*\bid="id_{field}"[^>]*>', html)
    assert tag, field
    assert re.search(rf'aria-describedby="[^"]*\b{hint_id}\b', tag.group(0)), tag.group(0)
    hint = re.search(rf'<p class="hint" id="{hint_id}">(.*?)</p>', html, re.S)
    assert hint, hint_id
    for word in words:
        assert word in hint.group(1), (field, word)


def test_the_wizard_fields_people_get_wrong_have_hints(world, client_for):
    application_start(round_=world.round_a, teacher=world.teacher_a1, actor=world.t_a1)
    client = client_for("t_a1")
    rid = world.round_a.pk
    identity = page(client, f"/apply/{rid}/step/3/")
    assert_hint(identity, "id_number", "18位", "X", "校验码", "11010519491231002X")
    assert_hint(identity, "certificate_number", "17位", "15位", "20085011421000123")
    certificate = page(client, f"/apply/{rid}/step/4/")
    assert_hint(certificate, "name", "完全一致")
    assert_hint(certificate, "cert_issue_date", "签发", "不是注册日期")
    assert_hint(certificate, "certifying_body", "全称")
    assert_hint(certificate, "registration_body", "教育委员会")
    assert_hint(certificate, "confirmation_point", "现场确认", "借调")
    data = page(client, f"/apply/{rid}/step/6/")
    assert_hint(data, "unit", "法人机构全称", "公章")
    assert_hint(data, "training_hours", f"{world.round_a.required_training_hours}", "如 384")
    assert_hint(data, "hire_date", "如 2008-09-01")
    assert_hint(data, "phone", "13812345678")
    assert_hint(page(client, f"/apply/{rid}/photo/"), "photo", "JPG", "10 MB", "150×210", "295×413")


def test_the_account_fields_have_hints(client_for):
    anonymous = client_for("anonymous")
    signup = page(anonymous, reverse("signup"))
    assert_hint(signup, "id_number", "18位", "X")
    assert_hint(signup, "email", "真实", "找回")
    assert_hint(signup, "phone", "13812345678")
    assert_hint(page(anonymous, reverse("login")), "username", "身份证号码")
    assert_hint(page(anonymous, reverse("password_reset")), "email", "注册管理员")
