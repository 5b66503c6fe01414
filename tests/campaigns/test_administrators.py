"""A school names its registration administrator (注册管理员) for the round; the district sees who is missing.

Alice is admin_a (school A), Bob is admin_b (school B, same district), the district reviewer is
reviewer_d1; outsiders and wrong roles are in tests/test_access_matrix.py.
"""

from __future__ import annotations

from django.urls import reverse

from tqr.audit.models import AuditEvent
from tqr.campaigns.models import RegistrationAdministrator


def url(world, name):
    return reverse(name, args=(world.round_a.pk,))


def name_admin(client, world, **fields):
    data = {"name": "王老师", "phone": "13812345678", "email": "wang@example.cn", **fields}
    return client.post(url(world, "name_administrator"), data)


# --- The form --------------------------------------------------------------------------------------


def test_it_shows_the_form_prefilled_with_the_school_admins_own_details(world, client_for):
    world.admin_a.display_name, world.admin_a.phone = "陈校长", "13900001111"
    world.admin_a.save()
    response = client_for("admin_a").get(url(world, "name_administrator"))
    body = response.content.decode()
    assert response.status_code == 200
    assert world.school_a.name in body
    assert 'value="陈校长"' in body
    assert 'value="13900001111"' in body


def test_it_explains_a_bad_phone_number_in_chinese_and_keeps_what_was_typed(world, client_for):
    response = name_admin(client_for("admin_a"), world, name="王老师", phone="1381234", email="wang@example.cn")

    assert response.status_code == 200
    body = response.content.decode()
    assert "请填写11位手机号码，如 13812345678" in body
    assert 'value="王老师"' in body
    assert 'value="wang@example.cn"' in body
    assert 'value="1381234"' in body
    assert not RegistrationAdministrator.objects.exists()
    assert not AuditEvent.objects.filter(action="round.name_administrator").exists()


def test_it_requires_a_name_and_says_so_in_chinese(world, client_for):
    response = name_admin(client_for("admin_a"), world, name="")

    body = response.content.decode()
    assert response.status_code == 200
    assert "这个字段是必填项。" in body
    assert 'value="13812345678"' in body
    assert not RegistrationAdministrator.objects.exists()


def test_it_refuses_control_characters_in_the_name(world, client_for):
    response = name_admin(client_for("admin_a"), world, name="王\x07老师")
    assert "姓名中不能包含控制字符" in response.content.decode()
    assert not RegistrationAdministrator.objects.exists()


def test_it_accepts_a_phone_number_with_spaces_or_dashes_and_stores_the_digits(world, client_for):
    name_admin(client_for("admin_a"), world, phone="138-1234 5678")
    assert RegistrationAdministrator.objects.get().phone == "13812345678"


# --- Naming and renaming ---------------------------------------------------------------------------


def test_it_names_the_administrator_once_with_an_audit_row(world, client_for):
    response = name_admin(client_for("admin_a"), world)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    admin = RegistrationAdministrator.objects.get()
    assert (admin.round, admin.unit, admin.name, admin.phone, admin.email) == (
        world.round_a, world.school_a, "王老师", "13812345678", "wang@example.cn")
    assert admin.named_by == world.admin_a

    event = AuditEvent.objects.get(action="round.name_administrator")
    assert event.user_id == world.admin_a.pk
    assert event.object_type == "campaigns.registrationadministrator"
    assert event.object_id == str(admin.pk)
    assert event.data == {
        "unit": world.school_a.code,
        "before": None,
        "after": {"name": "王老师", "phone": "13812345678", "email": "wang@example.cn"},
    }


def test_it_shows_the_success_message_and_the_administrator_on_the_home_page(world, client_for):
    client = client_for("admin_a")
    response = name_admin(client, world)
    assert response.status_code == 302
    followed = client.get(response["Location"]).content.decode()
    assert "注册管理员已报送。" in followed
    assert "王老师 · 13812345678" in followed


def test_it_renames_the_same_row_and_audits_before_and_after(world, client_for):
    client = client_for("admin_a")
    name_admin(client, world)
    first = RegistrationAdministrator.objects.get()

    response = name_admin(client, world, name="刘老师", phone="13987654321", email="")

    assert response.status_code == 302
    again = RegistrationAdministrator.objects.get()  # still one row for the unit and round
    assert again.pk == first.pk
    assert (again.name, again.phone, again.email) == ("刘老师", "13987654321", "")
    events = list(AuditEvent.objects.filter(action="round.name_administrator").order_by("id"))
    assert len(events) == 2
    assert events[1].data["before"] == {"name": "王老师", "phone": "13812345678", "email": "wang@example.cn"}
    assert events[1].data["after"] == {"name": "刘老师", "phone": "13987654321", "email": ""}
    assert events[0].object_id == events[1].object_id == str(first.pk)


def test_it_shows_the_current_administrator_when_the_school_comes_back(world, client_for):
    client = client_for("admin_a")
    name_admin(client, world)
    body = client.get(url(world, "name_administrator")).content.decode()
    assert "当前：王老师" in body
    assert 'value="王老师"' in body


def test_it_keeps_one_administrator_per_school(world, client_for):
    name_admin(client_for("admin_a"), world, name="王老师")
    name_admin(client_for("admin_b"), world, name="赵老师", phone="13700000000")
    assert sorted(RegistrationAdministrator.objects.values_list("unit__code", "name")) == [
        (world.school_a.code, "王老师"), (world.school_b.code, "赵老师")]


# --- The district's overview -----------------------------------------------------------------------


def _row_order(body: str, world) -> list[str]:
    codes = [world.school_a.code, world.school_b.code]
    return sorted(codes, key=body.index)


def test_it_lists_units_without_an_administrator_first(world, client_for):
    # school A (code …001) names one; school B (…002) does not, so B comes first.
    name_admin(client_for("admin_a"), world)

    response = client_for("reviewer_d1").get(url(world, "administrators_overview"))

    body = response.content.decode()
    assert response.status_code == 200
    assert "共 2 个单位，<strong>1</strong> 个尚未报送" in body
    assert _row_order(body, world) == [world.school_b.code, world.school_a.code]
    assert "王老师" in body and "13812345678" in body
    assert world.school_c.code not in body  # district B's school is not district A's business


def test_it_lists_only_the_missing_units_when_asked(world, client_for):
    name_admin(client_for("admin_a"), world)

    response = client_for("reviewer_d1").get(url(world, "administrators_overview") + "?show=missing")

    body = response.content.decode()
    assert "共 2 个单位，<strong>1</strong> 个尚未报送" in body
    assert world.school_b.code in body
    assert world.school_a.code not in body
    assert "王老师" not in body


def test_it_shows_the_city_reviewer_the_same_overview(world, client_for):
    response = client_for("city_reviewer").get(url(world, "administrators_overview"))
    assert response.status_code == 200
    assert "共 2 个单位，<strong>2</strong> 个尚未报送" in response.content.decode()


def test_it_tells_the_district_reviewer_on_the_home_page_how_many_are_missing(world, client_for):
    body = client_for("reviewer_d1").get(reverse("home")).content.decode()
    assert "个尚未报送" in body
    assert "共 2 个单位，<strong>2</strong> 个尚未报送。" in body
    assert url(world, "administrators_overview") + "?show=missing" in body


def test_it_does_not_count_for_teachers_or_school_admins(world, client_for):
    for persona in ("t_a1", "admin_a"):
        assert "个尚未报送" not in client_for(persona).get(reverse("home")).content.decode()


def test_it_reminds_a_school_without_an_administrator_on_its_home_page(world, client_for):
    body = client_for("admin_a").get(reverse("home")).content.decode()
    assert "本校尚未报送注册管理员" in body
    assert url(world, "name_administrator") in body
