"""The review queue's Excel rows: what the model would display, read without model objects."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.reviews.helpers import confirmed, many_confirmed, move_to
from tqr.applications.models import Application
from tqr.reviews.exports import review_queue_rows
from tqr.reviews.queue import QueueFilter, queue
from tqr.rules.codes import KIND_LABELS, OUTCOME_LABELS
from tqr.rules.phases import Phase

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue_of_two(world):
    a1 = confirmed(world, world.teacher_a1)
    a2 = confirmed(world, world.teacher_a2, hours=300)  # 暂缓注册 proposed (D1)
    move_to(world, Phase.INITIAL_REVIEW)
    Application.objects.filter(pk=a2.pk).update(conclusion="deferred", conclusion_reason="培训学时不足")
    return a1, a2


def test_the_rows_show_what_each_application_displays(world, queue_of_two):
    qs = queue(world.reviewer_d1, world.round_a, QueueFilter())
    expected = [[a.number, a.name, a.confirmation_point.name, a.get_cert_type_display(),
                 KIND_LABELS.get(a.kind or "", ""), OUTCOME_LABELS.get(a.proposal or "", ""),
                 a.get_conclusion_display(), a.conclusion_reason, a.state_label] for a in qs]
    rows = list(review_queue_rows(qs))
    assert rows == expected
    assert {r[1]: r[5:8] for r in rows}["李四"] == ["暂缓注册", "暂缓注册", "培训学时不足"]


def test_the_rows_read_only_the_printed_columns_in_one_query(world, queue_of_two):
    qs = queue(world.reviewer_d1, world.round_a, QueueFilter())
    with CaptureQueriesContext(connection) as q:
        list(review_queue_rows(qs))
    assert len(q) == 1
    select = q[0]["sql"].split(" FROM ")[0]
    # No ID number to decrypt, no teacher row, no JSON column read whole (only the two keys of `evaluation`).
    for column in ("id_number", "teachers_teacherprofile", "checklist", "confirmed_facts", '"assessments"'):
        assert column not in select


def test_progress_is_reported_as_the_rows_are_read(world):
    many_confirmed(world, 5)
    move_to(world, Phase.INITIAL_REVIEW)
    seen = []
    rows = review_queue_rows(queue(world.reviewer_d1, world.round_a, QueueFilter()),
                             lambda done, total: seen.append((done, total)), total=5)
    assert len(list(rows)) == 5 and seen == [(5, 5)]
