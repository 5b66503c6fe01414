"""The one permission module, both directions (Wagtail-style): which objects each persona may see
(`visible_*`) and whether it may do an action to one object (`can`).

Names in the tables are attributes of the `world` fixture (plus `elsewhere_*`: a second city that no
one in the world works in, so "the whole city" can be told apart from "everything").
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import PERSONAS, org, teacher, windows_around
from tqr.accounts.models import Role
from tqr.accounts.permissions import (
    can,
    visible_emails,
    visible_organisations,
    visible_rounds,
    visible_teachers,
    visible_units,
)
from tqr.campaigns.services import round_create


@pytest.fixture
def w(world):
    """The world plus a second city with a district, a school, a teacher and a round."""
    from django.utils import timezone

    world.elsewhere_city = org("510000", "四川省", "city")
    world.elsewhere_district = org("510104", "成都市锦江区", "district", world.elsewhere_city)
    world.elsewhere_school = org("510104001", "成都市锦江区实验小学", "primary", world.elsewhere_district)
    world.elsewhere_teacher = teacher(world.elsewhere_school, "孙八")
    today = timezone.localdate()
    world.elsewhere_round = round_create(district=world.elsewhere_district, year=today.year, title="锦江区注册",
                                         windows=windows_around(today))
    from tqr.applications.services import application_start

    world.application_a1 = application_start(round_=world.round_a, teacher=world.teacher_a1, actor=world.t_a1)
    world.application_c = application_start(round_=world.round_b, teacher=world.teacher_c, actor=world.t_c)
    return world


def user_of(w, persona):
    return AnonymousUser() if persona == "anonymous" else getattr(w, persona)


def names(w, queryset) -> set[str]:
    """The world's attribute names of the objects in a queryset."""
    by_key = {}
    for attr, value in vars(w).items():
        if hasattr(value, "_meta"):
            by_key.setdefault((value._meta.label_lower, value.pk), attr)
    return {by_key[(obj._meta.label_lower, obj.pk)] for obj in queryset}


ALL_UNITS = {"school_a", "school_b", "school_c"}
ALL_TEACHERS = {"teacher_a1", "teacher_a2", "teacher_b", "teacher_c"}
ELSEWHERE = {"elsewhere_city", "elsewhere_district", "elsewhere_school"}

UNITS = {
    "anonymous": set(),
    "t_a1": {"school_a"},
    "t_a2": {"school_a"},
    "t_b": {"school_b"},
    "admin_a": {"school_a"},
    "admin_b": {"school_b"},
    "reviewer_d1": {"school_a", "school_b"},
    "reviewer_d2": {"school_c"},
    "city_reviewer": ALL_UNITS,
    "city_approver": ALL_UNITS,
    "auditor": set(),
    "sysadmin": ALL_UNITS | {"elsewhere_school"},
}

ORGANISATIONS = {  # units in scope plus the district and the city above them
    "anonymous": set(),
    "t_a1": {"school_a", "district_a", "city"},
    "t_a2": {"school_a", "district_a", "city"},
    "t_b": {"school_b", "district_a", "city"},
    "admin_a": {"school_a", "district_a", "city"},
    "admin_b": {"school_b", "district_a", "city"},
    "reviewer_d1": {"school_a", "school_b", "district_a", "city"},
    "reviewer_d2": {"school_c", "district_b", "city"},
    "city_reviewer": ALL_UNITS | {"district_a", "district_b", "city"},
    "city_approver": ALL_UNITS | {"district_a", "district_b", "city"},
    "auditor": set(),
    "sysadmin": ALL_UNITS | {"district_a", "district_b", "city"} | ELSEWHERE,
}

TEACHERS = {
    "anonymous": set(),
    "t_a1": {"teacher_a1"},
    "t_a2": {"teacher_a2"},
    "t_b": {"teacher_b"},
    "admin_a": {"teacher_a1", "teacher_a2"},
    "admin_b": {"teacher_b"},
    "reviewer_d1": {"teacher_a1", "teacher_a2", "teacher_b"},
    "reviewer_d2": {"teacher_c"},
    "city_reviewer": ALL_TEACHERS,
    "city_approver": ALL_TEACHERS,
    "auditor": set(),
    "sysadmin": ALL_TEACHERS | {"elsewhere_teacher"},
}

ROUNDS = {
    "anonymous": set(),
    **{p: {"round_a"} for p in ("t_a1", "t_a2", "t_b", "admin_a", "admin_b", "reviewer_d1")},
    "reviewer_d2": {"round_b"},
    "city_reviewer": {"round_a", "round_b"},
    "city_approver": {"round_a", "round_b"},
    "auditor": set(),
    "sysadmin": {"round_a", "round_b", "elsewhere_round"},
}


@pytest.mark.parametrize(
    ("function", "table"),
    [
        pytest.param(visible_units, UNITS, id="units"),
        pytest.param(visible_organisations, ORGANISATIONS, id="organisations"),
        pytest.param(visible_teachers, TEACHERS, id="teachers"),
        pytest.param(visible_rounds, ROUNDS, id="rounds"),
    ],
)
@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_each_persona_exactly_its_scope(w, persona, function, table):
    assert names(w, function(user_of(w, persona))) == table[persona]


def test_it_shows_a_seconded_teacher_to_the_lending_school_too(w):
    # 借调: works at school A, seconded from school B; registers at the lending unit, so B's admin sees them.
    seconded = teacher(w.school_a, "钱七", seconded_from=w.school_b)
    assert visible_teachers(w.admin_b).filter(pk=seconded.pk).exists()
    assert visible_teachers(w.admin_a).filter(pk=seconded.pk).exists()
    assert visible_teachers(w.reviewer_d1).filter(pk=seconded.pk).exists()
    assert not visible_teachers(w.reviewer_d2).filter(pk=seconded.pk).exists()
    assert can(w.admin_b, "teacher.view", seconded)
    assert not can(w.t_a1, "teacher.view", seconded)


def test_it_shows_a_teacher_seconded_across_districts_to_both_districts(w):
    seconded = teacher(w.school_c, "周九", seconded_from=w.school_a)
    assert visible_teachers(w.reviewer_d1).filter(pk=seconded.pk).exists()
    assert visible_teachers(w.reviewer_d2).filter(pk=seconded.pk).exists()
    assert not visible_teachers(w.admin_b).filter(pk=seconded.pk).exists()


# An inactive account sees nothing, whatever its role.
INACTIVE_CASES = [
    pytest.param(persona, function, id=f"{function.__name__}-{persona}",
                 )
    for persona in PERSONAS if persona != "anonymous"
    for function in (visible_units, visible_organisations, visible_teachers, visible_rounds, visible_emails)
]


@pytest.mark.parametrize(("persona", "function"), INACTIVE_CASES)
def test_it_shows_an_inactive_user_nothing(w, persona, function):
    user = getattr(w, persona)
    user.is_active = False
    user.save()
    assert not function(user).exists()


# --- can(): may this user do this action to that object --------------------------------------------

A_DISTRICT = ("t_a1", "t_a2", "t_b", "admin_a", "admin_b", "reviewer_d1")
CITY = ("city_reviewer", "city_approver")

# (action, object in the world) → the personas for whom can() is True; False for all others.
CAN = [
    ("round.view", "round_a", {*A_DISTRICT, *CITY, "sysadmin"}),
    ("round.view", "round_b", {"reviewer_d2", *CITY, "sysadmin"}),
    ("round.view", "elsewhere_round", {"sysadmin"}),
    ("announcement.view", "round_a", {*A_DISTRICT, *CITY, "sysadmin"}),
    ("round.manage", "round_a", {"reviewer_d1", "sysadmin"}),
    ("round.manage", "round_b", {"reviewer_d2", "sysadmin"}),
    ("round.view_administrators", "round_a", {"reviewer_d1", *CITY}),
    ("round.view_administrators", "round_b", {"reviewer_d2", *CITY}),
    ("round.view_administrators", "elsewhere_round", set()),
    ("announcement.publish", "round_a", {"reviewer_d1"}),
    ("announcement.publish", "round_b", {"reviewer_d2"}),
    ("unit.name_administrator", "school_a", {"admin_a"}),
    ("unit.name_administrator", "school_b", {"admin_b"}),
    ("unit.name_administrator", "school_c", set()),
    ("organisation.view", "school_a", {"t_a1", "t_a2", "admin_a", "reviewer_d1", *CITY, "sysadmin"}),
    ("organisation.view", "school_c", {"reviewer_d2", *CITY, "sysadmin"}),
    ("organisation.view", "district_a", {*A_DISTRICT, *CITY, "sysadmin"}),
    ("organisation.view", "elsewhere_school", {"sysadmin"}),
    ("teacher.view", "teacher_a1", {"t_a1", "admin_a", "reviewer_d1", *CITY, "sysadmin"}),
    ("teacher.view", "teacher_b", {"t_b", "admin_b", "reviewer_d1", *CITY, "sysadmin"}),
    ("teacher.view", "teacher_c", {"reviewer_d2", *CITY, "sysadmin"}),
    ("application.view", "application_a1", {"t_a1", "admin_a", "reviewer_d1", *CITY, "sysadmin"}),
    ("application.view", "application_c", {"reviewer_d2", *CITY, "sysadmin"}),
    ("application.edit", "application_a1", {"t_a1"}),
    ("application.edit", "application_c", set()),
    ("round.apply", "round_a", {"t_a1", "t_a2", "t_b"}),
    ("round.apply", "round_b", set()),
    ("teacher.import", "school_a", {"admin_a", "admin_b", "reviewer_d1", "reviewer_d2"}),
    ("application.confirm", "application_a1", {"admin_a"}),
    ("application.confirm", "application_c", set()),
    ("round.school_work", "round_a", {"admin_a", "admin_b"}),
    ("round.school_work", "round_b", set()),
    ("round.view_handovers", "round_a", {"reviewer_d1", *CITY}),
    ("round.view_handovers", "round_b", {"reviewer_d2", *CITY}),
    ("lookup.batch", "school_a", {"admin_a", "admin_b", "reviewer_d1", "reviewer_d2", *CITY}),
    ("application.view_full_id", "application_a1", {"admin_a", "reviewer_d1"}),
    ("audit.read", "round_a", {"auditor"}),
    ("email.manage", "round_a", {"reviewer_d1", "reviewer_d2", "sysadmin"}),
    ("city.view", "round_a", {"city_reviewer", "city_approver"}),
    ("city.sample", "round_a", {"city_reviewer"}),
    ("city.sample", "elsewhere_round", set()),
    ("city.approve", "round_b", {"city_approver"}),
    ("visit.book", "round_a", {"admin_a", "admin_b"}),
    ("visit.book", "round_b", set()),
    ("visit.manage", "round_a", {"reviewer_d1"}),
    ("visit.manage", "round_b", {"reviewer_d2"}),
    ("round.review", "round_a", {"reviewer_d1"}),
    ("round.review", "round_b", {"reviewer_d2"}),
    ("round.view_review", "round_a", {"reviewer_d1", *CITY}),
    ("application.review", "application_a1", {"reviewer_d1"}),
    ("application.review", "application_c", {"reviewer_d2"}),
    ("exchange.manage", "district_a", {"reviewer_d1"}),
    ("exchange.manage", "district_b", {"reviewer_d2"}),
    ("exchange.export", "round_a", {"reviewer_d1"}),
    ("exchange.export", "round_b", {"reviewer_d2"}),
    ("exchange.export", "elsewhere_round", set()),
]


@pytest.mark.parametrize(("action", "target", "allowed"), CAN, ids=[f"{a}-{t}" for a, t, _ in CAN])
def test_it_answers_can_for_every_persona(w, action, target, allowed):
    answers = {p: can(user_of(w, p), action, getattr(w, target)) for p in PERSONAS}
    assert {p for p, ok in answers.items() if ok} == allowed


@pytest.mark.parametrize(("action", "target", "allowed"), CAN, ids=[f"{a}-{t}" for a, t, _ in CAN])
def test_it_says_no_to_an_inactive_user_for_every_action(w, action, target, allowed):
    for persona in allowed:
        user = getattr(w, persona)
        user.is_active = False
        assert can(user, action, getattr(w, target)) is False


def test_it_covers_every_action_in_the_table():
    from tqr.accounts.permissions import ACTIONS

    assert {a for a, _, _ in CAN} == set(ACTIONS)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_it_raises_for_an_unknown_action(w, persona):
    with pytest.raises(ValueError, match="unknown action"):
        can(getattr(w, persona), "round.delete_everything", w.round_a)


def test_it_raises_for_an_unknown_action_even_for_an_anonymous_user(w):
    with pytest.raises(ValueError, match="unknown action"):
        can(AnonymousUser(), "round.delete_everything", w.round_a)


def test_it_knows_each_roles_anchor():
    from tqr.accounts.models import ROLE_SCOPE_KIND

    assert set(ROLE_SCOPE_KIND) == set(Role)
