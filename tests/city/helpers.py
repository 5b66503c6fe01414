from datetime import timedelta

from django.utils import timezone

from tests.reviews.helpers import confirmed, move_to
from tqr.applications.services import application_transition
from tqr.reviews import services as reviews
from tqr.rules.phases import Phase


def reported(world, teachers=None, *, deferred=()):
    """A district batch reported to the city: reviewed, published, noticed, closed and reported."""
    apps = [confirmed(world, t, hours=300 if t in deferred else None)
            for t in (teachers or [world.teacher_a1, world.teacher_a2, world.teacher_b])]
    move_to(world, Phase.INITIAL_REVIEW)
    for a in apps:
        bad = a.teacher in deferred
        application_transition(application=a, action="review", actor=world.reviewer_d1,
                               conclusion="deferred" if bad else "qualified", note="培训学时不足" if bad else "",
                               codes=["D1"] if bad else None)
    notice = reviews.notice_save(round_=world.round_a, title="公示", issuing_body="区教委",
                                 start_date=timezone.localdate() - timedelta(days=20), workdays=5,
                                 objection_contact="023-79222222", actor=world.reviewer_d1)
    reviews.notice_publish(notice=notice, actor=world.reviewer_d1)
    move_to(world, Phase.SECONDARY_REVIEW)
    reviews.notice_close(notice=notice, actor=world.reviewer_d1)
    reviews.report_to_city(round_=world.round_a, actor=world.reviewer_d1)
    for a in apps:
        a.refresh_from_db()
    return apps
