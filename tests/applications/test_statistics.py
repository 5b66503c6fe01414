"""附件3's counts come from GROUP BY queries (bench finding 4): the same numbers as the model-object loop they
replaced, which stays here as the oracle, over varied rounds of every state, kind, conclusion and unit."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import date

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from tqr.applications.models import Application
from tqr.applications.statistics import (
    APPLIED,
    CERT_TYPES,
    CONCLUSIONS,
    CONFIRMED_OR_LATER,
    KINDS,
    total_statistics,
    unit_statistics,
)
from tqr.applications.statistics_documents import statistics_table
from tqr.campaigns.models import TeacherEvaluation
from tqr.rules.flow import State
from tqr.rules.identifiers import make_resident_id
from tqr.teachers.models import TeacherProfile

pytestmark = pytest.mark.django_db


def old_unit_statistics(round_, units) -> dict[int, dict]:
    """The implementation before finding 4, verbatim: every evaluation and application as a model object."""
    unit_ids = [u.pk for u in units]
    rows: dict[int, Counter] = defaultdict(Counter)
    not_applied: dict[int, list] = defaultdict(list)
    reasons: dict[int, Counter] = defaultdict(Counter)
    evaluations = TeacherEvaluation.objects.filter(round=round_, in_scope=True).filter(
        Q(register_at_id__in=unit_ids)).select_related("teacher")
    applications = {a.teacher_id: a for a in Application.objects.filter(round=round_, confirmation_point_id__in=unit_ids)}
    for ev in evaluations:
        c = rows[ev.register_at_id]
        c["in_scope"] += 1
        app = applications.get(ev.teacher_id)
        if app is None or app.state == State.DRAFT:
            c["not_applied"] += 1
            not_applied[ev.register_at_id].append(
                {"name": ev.teacher.name, "reason": "未提交申请" if app else "未报名"})
    for app in applications.values():
        c = rows[app.confirmation_point_id]
        if app.state not in APPLIED:
            continue
        c["applied"] += 1
        if app.state == State.ABANDONED:
            c["abandoned"] += 1
        if app.state in CONFIRMED_OR_LATER:
            c["confirmed"] += 1
            c[f"type:{app.cert_type}"] += 1
            c[f"kind:{(app.evaluation or {}).get('kind') or 'first'}"] += 1
            c[f"conclusion:{app.conclusion or 'pending'}"] += 1
            if app.conclusion in ("deferred", "unqualified"):
                for code in app.conclusion_codes:
                    reasons[app.confirmation_point_id][code] += 1
    out = {}
    for uid in unit_ids:
        c = rows[uid]
        out[uid] = {
            "in_scope": c["in_scope"], "applied": c["applied"], "confirmed": c["confirmed"],
            "abandoned": c["abandoned"], "not_applied": c["not_applied"],
            "by_type": {t: c[f"type:{t}"] for t in CERT_TYPES},
            "by_kind": {k: c[f"kind:{k}"] for k in KINDS},
            "by_conclusion": {k: c[f"conclusion:{k}"] for k in CONCLUSIONS},
            "reasons": dict(reasons[uid]),
            "not_applied_list": not_applied[uid],
        }
    return out


EVALUATIONS = [{}, {"kind": None}, {"kind": ""}, {"proposal": "qualified"}, *({"kind": k, "proposal": "x"} for k in KINDS),
               {"kind": "periodic"}, {"kind": "unknown"}]
CODES = ["R01", "R02", "R07", "R10", "R13"]


def fill(world, seed: int, teachers: list) -> None:
    """One round of varied rows: evaluations in and out of scope at every unit (or none), applications in
    every state at every confirmation point (or none), with every kind, type, conclusion and reason."""
    rnd = random.Random(seed)
    round_ = world.round_a
    Application.objects.filter(round=round_).delete()
    TeacherEvaluation.objects.filter(round=round_).delete()
    points = [world.school_a, world.school_b, world.school_c, None]
    evaluations, applications = [], []
    for i, t in enumerate(teachers):
        if rnd.random() < 0.9:
            evaluations.append(TeacherEvaluation(
                round=round_, teacher=t, valid=True, in_scope=rnd.choice([True, True, True, False, None]),
                register_at=rnd.choice(points), result={}, input_digest=""))
        if rnd.random() < 0.8:
            conclusion = rnd.choice(["qualified", "deferred", "unqualified", ""])
            applications.append(Application(
                round=round_, teacher=t, number=f"T{seed:03d}{i:05d}", state=rnd.choice(list(State)),
                confirmation_point=rnd.choice(points), cert_type=rnd.choice([*CERT_TYPES, ""]),
                conclusion=conclusion, evaluation=rnd.choice(EVALUATIONS),
                conclusion_codes=rnd.sample(CODES + CODES, rnd.randint(0, 3)) if conclusion or rnd.random() < 0.5 else [],
            ))
    TeacherEvaluation.objects.bulk_create(rnd.sample(evaluations, len(evaluations)))  # ids not in teacher order
    Application.objects.bulk_create(applications)


@pytest.fixture
def teachers(world):
    """90 teachers of the three schools: profiles only (the rules' inputs play no part here)."""
    units, out = [world.school_a, world.school_b, world.school_c], []
    for i in range(90):
        t = TeacherProfile(name=f"教师{i:02d}", gender="male", birth_date=date(1985, 3, 14), unit=units[i % 3],
                           post_level="primary", subject="语文")
        t.set_id_number(make_resident_id("500114", date(1985, 3, 14), 700 + 2 * i))
        out.append(t)
    return TeacherProfile.objects.bulk_create(out)


@pytest.mark.parametrize("seed", range(8))
def test_the_counts_are_those_of_the_model_object_loop(world, teachers, seed):
    fill(world, seed, teachers)
    for units in ([world.school_a, world.school_b, world.school_c], [world.school_a, world.school_b],
                  [world.school_b], [world.school_c, world.district_a]):
        new, old = unit_statistics(world.round_a, units), old_unit_statistics(world.round_a, units)
        assert list(new) == list(old)
        for uid in new:
            n, o = dict(new[uid]), dict(old[uid])
            # The not-applied list is in the evaluations' id order (the old one, in whatever order the
            # database returned them); the reasons' keys in code order.
            assert sorted(n.pop("not_applied_list"), key=repr) == sorted(o.pop("not_applied_list"), key=repr)
            assert n == o
            assert list(n["reasons"]) == sorted(n["reasons"])
        assert total_statistics(list(new.values())) == {
            **total_statistics(list(old.values())),
            "not_applied_list": [p for s in new.values() for p in s["not_applied_list"]]}
        # What the page's PDF and Excel print: the same rows, the same table.
        table_new = statistics_table(world.round_a, [(u, new[u.pk]) for u in units])
        table_old = statistics_table(world.round_a, [(u, old[u.pk]) for u in units])
        assert table_new.rows == table_old.rows and table_new.total_row == table_old.total_row
        assert sorted(table_new.not_applied_teachers) == sorted(table_old.not_applied_teachers)
    # The round is varied enough to mean something: every column has counts somewhere.
    total = total_statistics(list(unit_statistics(world.round_a, [world.school_a, world.school_b, world.school_c]).values()))
    assert all(total[k] for k in ("in_scope", "applied", "confirmed", "abandoned", "not_applied", "reasons"))
    assert all(total["by_kind"].values()) and sum(v > 0 for v in total["by_conclusion"].values()) >= 3


def test_not_applied_teachers_are_listed_in_the_evaluations_order(world, teachers):
    fill(world, 3, teachers)
    units = [world.school_a, world.school_b, world.school_c]
    evaluation_ids = dict(TeacherEvaluation.objects.filter(round=world.round_a).values_list("teacher__name", "pk"))
    stats = unit_statistics(world.round_a, units)
    listed = [(u.pk, p["name"]) for u in units for p in stats[u.pk]["not_applied_list"]]
    in_order = sorted(listed, key=lambda unit_name: (units.index(next(u for u in units if u.pk == unit_name[0])),
                                                     evaluation_ids[unit_name[1]]))
    assert len(listed) > 5 and listed == in_order


def test_four_queries_whatever_the_round(world, teachers):
    units = [world.school_a, world.school_b, world.school_c]
    for seed in (1, 2):
        fill(world, seed, teachers[: 10 * seed])
        with CaptureQueriesContext(connection) as captured:
            unit_statistics(world.round_a, units)
        assert len(captured) == 4


def test_the_kind_column_follows_the_evaluation(world, teachers):
    app = Application.objects.create(round=world.round_a, teacher=teachers[0], number="K1", evaluation={"kind": "reapply"})
    app.refresh_from_db()
    assert app.evaluation_kind == "reapply"
    app.evaluation = {"kind": "periodic", "proposal": "qualified"}
    app.save(update_fields=["evaluation"])
    app.refresh_from_db()
    assert app.evaluation_kind == "periodic"
    Application.objects.filter(pk=app.pk).update(evaluation={})
    assert Application.objects.get(pk=app.pk).evaluation_kind is None
