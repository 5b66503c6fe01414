"""A teacher signs up (教师注册账号): resident ID, name, phone, a real e-mail and the unit, or claims the
record the school already entered. Every refusal shows its Chinese message beside its field and keeps
what was typed."""

from __future__ import annotations

import re
from datetime import date
from smtplib import SMTPException

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests import factories
from tqr.accounts.models import Organisation, Role, User
from tqr.audit.models import AuditEvent
from tqr.campaigns.models import Round
from tqr.core.fields import digest
from tqr.rules.identifiers import make_resident_id, resident_id_check_char
from tqr.teachers.models import TeacherProfile

NEW_ID = make_resident_id("500114", date(1990, 5, 17), 123)  # 123: odd → male
PASSWORD = "Zhou-Laoshi-2026!"
LINK = re.compile(r"https?://testserver(/account/verify/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the one-mail-a-minute limits live in the cache
    yield
    cache.clear()


def form_data(world, **changes) -> dict:
    data = {"id_number": NEW_ID, "name": "周老师", "phone": "13912345678", "email": "zhou@example.cn",
            "unit": world.school_a.pk, "password1": PASSWORD, "password2": PASSWORD}
    data.update(changes)
    return data


def sign_up(client: Client, data: dict, capture):
    with capture(execute=True):
        return client.post(reverse("signup"), data)


def is_logged_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


# --- The page --------------------------------------------------------------------------------------


def test_it_shows_the_sign_up_page_to_anyone(world):
    body = Client().get(reverse("signup")).content.decode()
    for label in ("身份证号码", "姓名", "手机号码", "电子邮箱", "任教单位", "密码", "确认密码"):
        assert label in body
    assert 'autocomplete="new-password"' in body


def test_it_lists_units_by_their_full_legal_name_grouped_by_district(world):
    body = Client().get(reverse("signup")).content.decode()
    assert f'<optgroup label="{world.district_a.name}">' in body
    assert f'<optgroup label="{world.district_b.name}">' in body
    for school in (world.school_a, world.school_b, world.school_c):
        assert f'<option value="{school.pk}">{school.name}</option>' in body


def test_it_lists_private_units_only_where_the_latest_round_includes_them(world):
    private = factories.org("500114090", "重庆市黔江区育才民办学校", "primary", world.district_a, ownership="private")
    industry = factories.org("500114091", "重庆市黔江区某行业办学校", "primary", world.district_a, ownership="industry")
    closed = factories.org("500114092", "重庆市黔江区已撤并小学", "primary", world.district_a)
    closed.is_active = False
    closed.save()
    assert private.name not in Client().get(reverse("signup")).content.decode()

    Round.objects.filter(pk=world.round_a.pk).update(include_private=True)
    body = Client().get(reverse("signup")).content.decode()
    assert private.name in body
    assert industry.name not in body
    assert closed.name not in body


def test_it_leaves_out_units_of_a_district_without_a_round(world):
    district = factories.org("500117", "重庆市合川区", "district", world.city)
    school = factories.org("500117001", "重庆市合川区太和中学", "junior", district)
    body = Client().get(reverse("signup")).content.decode()
    assert school.name not in body
    assert Client().post(reverse("signup"), form_data(world, unit=school.pk)).context["form"].errors["unit"]


def test_it_sends_a_logged_in_user_home(world, client_for):
    response = client_for("t_a1").get(reverse("signup"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


# --- The happy path --------------------------------------------------------------------------------


def test_a_new_teacher_signs_up_is_logged_in_and_gets_the_verification_mail(world, django_capture_on_commit_callbacks):
    client = Client()
    response = sign_up(client, form_data(world), django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "请查收验证邮件" in home.content.decode()

    user = User.objects.get(username=NEW_ID)
    assert int(client.session["_auth_user_id"]) == user.pk
    assert (user.role, user.organisation, user.display_name, user.email, user.phone) == (
        Role.TEACHER, world.school_a, "周老师", "zhou@example.cn", "13912345678")
    assert user.check_password(PASSWORD)
    assert user.email_verified_at is None
    assert user.password_changed_at is not None
    assert not user.must_change_password

    profile = TeacherProfile.objects.get(user=user)
    assert (profile.name, profile.gender, profile.birth_date, profile.unit) == (
        "周老师", "male", date(1990, 5, 17), world.school_a)
    assert (profile.post_level, profile.subject, profile.id_number) == ("primary", "未填写", NEW_ID)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zhou@example.cn"]
    assert "验证" in message.subject
    link = LINK.search(message.body).group(1)
    assert "周老师" in message.body

    # Following the link verifies the address.
    assert "邮箱已验证" in client.get(link).content.decode()
    user.refresh_from_db()
    assert user.email_verified_at is not None


def test_it_writes_one_audit_row_for_the_sign_up(world, django_capture_on_commit_callbacks):
    sign_up(Client(), form_data(world), django_capture_on_commit_callbacks)
    user = User.objects.get(username=NEW_ID)
    row = AuditEvent.objects.get(action="account.signup")
    assert (row.user_id, row.role, row.org_id, row.result) == (user.pk, "teacher", world.school_a.pk, "success")
    assert row.data == {"teacher_id": user.teacher.pk, "linked_school_record": False}
    assert NEW_ID not in str(row.data) and NEW_ID not in row.object_label


def test_a_new_teacher_logs_in_with_the_id_number_afterwards(world, django_capture_on_commit_callbacks):
    sign_up(Client(), form_data(world), django_capture_on_commit_callbacks)
    client = Client()
    response = client.post(reverse("login"), {"username": NEW_ID.lower(), "password": PASSWORD})
    assert response.status_code == 302
    assert is_logged_in(client)


@pytest.mark.parametrize(("unit_kind", "post_level"), [
    ("kindergarten", "kindergarten"), ("primary", "primary"), ("junior", "junior"), ("nine_year", "junior"),
    ("senior", "senior"), ("complete_secondary", "senior"), ("vocational", "vocational"), ("special", "primary"),
])
def test_it_starts_the_post_level_from_the_kind_of_unit(world, django_capture_on_commit_callbacks, unit_kind,
                                                         post_level):
    unit = factories.org("500114080", "重庆市黔江区某某学校", unit_kind, world.district_a)
    sign_up(Client(), form_data(world, unit=unit.pk), django_capture_on_commit_callbacks)
    assert TeacherProfile.objects.get(user__username=NEW_ID).post_level == post_level


def test_it_reads_a_female_teachers_gender_from_the_id(world, django_capture_on_commit_callbacks):
    female_id = make_resident_id("500114", date(1992, 1, 9), 124)
    sign_up(Client(), form_data(world, id_number=female_id), django_capture_on_commit_callbacks)
    assert TeacherProfile.objects.get(user__username=female_id).gender == "female"


def test_it_accepts_a_lower_case_x_and_stores_it_upper_case(world, django_capture_on_commit_callbacks):
    seq = next(s for s in range(1, 999, 2) if make_resident_id("500114", date(1988, 8, 8), s).endswith("X"))
    id_x = make_resident_id("500114", date(1988, 8, 8), seq)
    response = sign_up(Client(), form_data(world, id_number=id_x.lower()), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    profile = TeacherProfile.objects.get(id_digest=digest(id_x))
    assert profile.id_number == id_x
    assert profile.user.username == id_x


def test_it_folds_full_width_digits_and_spaces(world, django_capture_on_commit_callbacks):
    full_width = NEW_ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    phone = "１３９ １２３４ ５６７８"
    response = sign_up(Client(), form_data(world, id_number=f" {full_width} ", phone=phone),
                       django_capture_on_commit_callbacks)
    assert response.status_code == 302
    user = User.objects.get(username=NEW_ID)
    assert user.phone == "13912345678"
    assert user.teacher.id_number == NEW_ID


def test_it_still_creates_the_account_when_the_mail_server_is_down(world, django_capture_on_commit_callbacks,
                                                                   monkeypatch):
    def refuse(*args, **kwargs):
        raise SMTPException("connection refused")

    monkeypatch.setattr("tqr.accounts.services.send_mail", refuse)
    client = Client()
    response = sign_up(client, form_data(world), django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert User.objects.filter(username=NEW_ID).exists()
    assert is_logged_in(client)


# --- Bad input: its message beside its field, everything else kept ---------------------------------

BAD_BIRTH_DATE_ID = "500114" + "19900230" + "123"
BAD_BIRTH_DATE_ID += resident_id_check_char(BAD_BIRTH_DATE_ID)
WRONG_CHECKSUM_ID = NEW_ID[:17] + ("0" if NEW_ID[17] != "0" else "1")


@pytest.mark.parametrize(("changes", "field", "message"), [
    pytest.param({"id_number": WRONG_CHECKSUM_ID}, "id_number", "身份证号码校验位错误，请逐位核对号码", id="id-checksum"),
    pytest.param({"id_number": BAD_BIRTH_DATE_ID}, "id_number", "身份证号码中的出生日期 19900230 不是有效日期",
                 id="id-30-february"),
    pytest.param({"id_number": NEW_ID[:17]}, "id_number", "身份证号码应为 18 位", id="id-17-digits"),
    pytest.param({"id_number": make_resident_id("500114", date(2099, 1, 1), 123)}, "id_number", "不可能正确",
                 id="id-born-in-the-future"),
    pytest.param({"phone": "12912345678"}, "phone", "请填写11位手机号码", id="phone-second-digit"),
    pytest.param({"phone": "1391234567"}, "phone", "请填写11位手机号码", id="phone-10-digits"),
    pytest.param({"email": "zhou@"}, "email", "有效", id="email-malformed"),
    pytest.param({"unit": ""}, "unit", "这个字段是必填项", id="unit-missing"),
    pytest.param({"name": "周\x07老师"}, "name", "姓名中不能包含控制字符", id="name-control-character"),
    pytest.param({"name": "周" * 51}, "name", "50", id="name-too-long"),
    pytest.param({"password1": "abc12345", "password2": "abc12345"}, "password1",
                 "密码须包含大写字母、小写字母、数字、符号中的至少三类", id="password-weak"),
    pytest.param({"password1": "Password1!", "password2": "Password1!"}, "password1", "密码", id="password-common"),
    pytest.param({"password2": "Zhou-Laoshi-2027!"}, "password2", "两次输入的密码不一致", id="password-mismatch"),
])
def test_it_shows_each_mistake_beside_its_field_and_keeps_the_rest(world, changes, field, message):
    data = form_data(world, **changes)
    response = Client().post(reverse("signup"), data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert any(message in e for e in errors[field]), errors[field]
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    for kept in ("id_number", "name", "phone", "email"):
        if kept != field:
            assert f'value="{data[kept]}"' in body
    if field != "unit":
        assert f'<option value="{world.school_a.pk}" selected>' in body
    assert not User.objects.filter(email="zhou@example.cn").exists()
    assert not AuditEvent.objects.filter(action="account.signup").exists()


def test_it_refuses_an_e_mail_another_account_uses_whatever_its_case(world):
    response = Client().post(reverse("signup"), form_data(world, email="T001@Example.CN"))
    assert response.status_code == 200
    assert response.context["form"].errors == {"email": ["该邮箱已被其他账号使用"]}
    body = response.content.decode()
    assert "该邮箱已被其他账号使用" in body
    assert 'value="周老师"' in body
    assert not User.objects.filter(username=NEW_ID).exists()
    assert not TeacherProfile.objects.filter(id_digest=digest(NEW_ID)).exists()


def test_it_leaves_a_password_like_the_id_number_to_the_validators(world):
    like_id = f"Id-{NEW_ID}"
    response = Client().post(reverse("signup"), form_data(world, password1=like_id, password2=like_id))
    assert "password1" in response.context["form"].errors


# --- A teacher the school already entered ----------------------------------------------------------


def test_it_joins_the_account_to_the_record_the_school_entered(world, django_capture_on_commit_callbacks):
    entered = factories.teacher(world.school_b, "钱七")  # entered by school B, no account yet
    client = Client()
    response = sign_up(client, form_data(world, id_number=entered.id_number, name="钱七", unit=world.school_a.pk),
                       django_capture_on_commit_callbacks)

    assert response.status_code == 302
    entered.refresh_from_db()
    user = entered.user
    assert user is not None and user.username == entered.id_number
    assert user.organisation == world.school_b, "the school's record decides the unit"
    assert entered.unit == world.school_b
    assert (entered.phone, entered.email) == ("13912345678", "zhou@example.cn")
    assert TeacherProfile.objects.filter(id_digest=entered.id_digest).count() == 1
    assert "以学校登记为准" in client.get(reverse("home")).content.decode()
    assert AuditEvent.objects.get(action="account.signup").data == {
        "teacher_id": entered.pk, "linked_school_record": True}
    assert len(mail.outbox) == 1


def test_it_joins_the_record_when_the_name_differs_only_by_spaces(world, django_capture_on_commit_callbacks):
    entered = factories.teacher(world.school_a, "欧阳娜娜")
    response = sign_up(Client(), form_data(world, id_number=entered.id_number, name="欧阳 娜娜"),
                       django_capture_on_commit_callbacks)
    assert response.status_code == 302
    entered.refresh_from_db()
    assert entered.user.display_name == "欧阳娜娜"


def test_it_refuses_an_id_number_that_already_has_an_account(world):
    response = Client().post(reverse("signup"), form_data(world, id_number=world.teacher_a1.id_number, name="张三"))
    assert response.status_code == 200
    assert response.context["form"].errors == {"id_number": ["该身份证号码已注册账号，请直接登录；忘记密码可通过邮箱找回"]}
    world.teacher_a1.refresh_from_db()
    assert world.teacher_a1.user == world.t_a1
    assert User.objects.filter(email="zhou@example.cn").count() == 0


def test_it_refuses_a_name_that_differs_from_the_schools_record(world):
    entered = factories.teacher(world.school_a, "钱七")
    response = Client().post(reverse("signup"), form_data(world, id_number=entered.id_number, name="钱八"))
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["姓名与学校登记的信息不一致，请核对或联系本校注册管理员"]}
    entered.refresh_from_db()
    assert entered.user is None
    assert not User.objects.filter(username=entered.id_number).exists()
    assert not AuditEvent.objects.filter(action="account.signup").exists()


def test_it_turns_a_clash_the_checks_did_not_see_into_the_form_message(world):
    # An account named by this ID number but with no teacher record (made by hand in the admin): the checks
    # pass, the unique user name refuses the insert, and the teacher still gets a sentence, not a 500.
    factories.user(NEW_ID, Role.TEACHER, world.school_a, email="other@example.cn")
    response = Client().post(reverse("signup"), form_data(world))
    assert response.status_code == 200
    assert response.context["form"].errors == {"id_number": ["该身份证号码已注册账号，请直接登录；忘记密码可通过邮箱找回"]}
    assert not TeacherProfile.objects.filter(id_digest=digest(NEW_ID)).exists()
    assert not AuditEvent.objects.filter(action="account.signup").exists()


def test_units_are_organisations_of_unit_kinds_only(world):
    from tqr.accounts.selectors import signup_units

    kinds = set(signup_units().values_list("kind", flat=True))
    assert kinds <= Organisation.UNIT_KINDS
    assert set(signup_units()) == {world.school_a, world.school_b, world.school_c}
