"""A list page costs the same number of queries whatever the number of rows (issue 10, data scale).

Each test measures a page, adds rows, measures again: the count must not move. A page that loops over
rows with a query each (N+1) fails here long before it shows in a benchmark."""

import re

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.reviews.helpers import many_confirmed, move_to
from tqr.applications.services import application_transition
from tqr.reviews import services
from tqr.rules.phases import Phase

pytestmark = pytest.mark.django_db
PUBLIC_NOTICE_QUERIES = 6


def queries(client, url: str) -> int:
    for c in (cache, caches["local"]):  # the public pages are cached and rate-limited: measure the work
        c.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def grow(world, n: int, prefix: str):
    move_to(world, Phase.APPLICATION)
    return many_confirmed(world, n, prefix=prefix)


@pytest.mark.parametrize("url", ["/school/{round}/roster/", "/school/{round}/roster/?state=confirmed",
                                 "/school/{round}/roster/?format=xlsx"])
def test_the_school_roster(world, client_for, url):
    url = url.format(round=world.round_a.pk)
    client = client_for("admin_a")
    grow(world, 3, "甲")
    small = queries(client, url)
    grow(world, 12, "乙")
    assert queries(client, url) == small


@pytest.mark.parametrize("url", ["/reviews/{round}/statistics/", "/reviews/{round}/?format=xlsx",
                                 "/reviews/{round}/?proposal=qualified&sort=-submitted_at"])
def test_the_districts_pages(world, client_for, url):
    url = url.format(round=world.round_a.pk)
    client = client_for("reviewer_d1")
    grow(world, 3, "甲")
    move_to(world, Phase.INITIAL_REVIEW)
    small = queries(client, url)
    grow(world, 12, "乙")
    move_to(world, Phase.INITIAL_REVIEW)
    assert queries(client, url) == small


def _review_all(world, apps):
    for app in apps:
        application_transition(application=app, action="review", actor=world.reviewer_d1, conclusion="qualified")


def published_notice(world, n: int):
    apps = grow(world, n, "甲")
    move_to(world, Phase.INITIAL_REVIEW)
    _review_all(world, apps)
    notice = services.notice_save(round_=world.round_a, title="公示", issuing_body="重庆市黔江区教育委员会",
                                  start_date=timezone.localdate(), workdays=5,
                                  objection_contact="区继教中心 023-79222222", actor=world.reviewer_d1)
    return services.notice_publish(notice=notice, actor=world.reviewer_d1)


@pytest.mark.parametrize("n", [3, 15])
def test_the_public_notice_page(world, n):
    notice = published_notice(world, n)
    with CaptureQueriesContext(connection) as captured:
        caches["local"].clear()
        assert Client().get(f"/notices/{notice.slug}/").status_code == 200
    assert len(captured) <= PUBLIC_NOTICE_QUERIES, "\n".join(q["sql"][:150] for q in captured)


def test_the_teachers_own_pages_load_the_round_once(world, client_for):
    """The status page and a wizard step read the round's windows once (7 times before: 20 queries in all).

    The status page's 13: session, user, application, windows; the timeline's sample item, sticker and events; the
    working-day calendar (holidays, known years); the registration history; the inbox's latest and its unread
    count (shared with the top bar's badge); the event log under the page."""
    from tests.applications.helpers import fill_wizard

    client = client_for("t_a1")
    fill_wizard(client, world)
    for url in (f"/apply/{world.round_a.pk}/", f"/apply/{world.round_a.pk}/step/6/"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        windows = [q["sql"] for q in captured if 'FROM "campaigns_phasewindow"' in q["sql"]]
        assert len(windows) <= 1, (url, len(windows))
        assert len(captured) <= 13, (url, len(captured), "\n".join(q["sql"][:120] for q in captured))


# --- The district's review queue and the school's roster (findings 2b, 3, 9) --------------------------

# Here: session, user, 2FA device, organisation, round; the counts, the page's keys, its rows; the units; the
# inbox count; the session write (savepoint, update, release). As many as before, but each of them narrow.
QUEUE_PAGE_QUERIES = 13


def _wide_reads(captured) -> list[str]:
    """Queries that read what the lists never show: the encrypted ID number, the teacher profile, the JSON
    columns of the evaluation result and of the application's confirmation, whole application rows."""
    wide = ('"id_number"', 'FROM "teachers_teacherprofile" INNER JOIN', '"teachers_teacherprofile"."user_id"',
            '"campaigns_teacherevaluation"."result"', '"applications_application"."checklist"',
            '"applications_application"."confirmed_facts"', '"applications_application"."photo"')
    return [q["sql"][:200] for q in captured if any(w in q["sql"] for w in wide)]


def test_the_review_queues_first_and_last_page_cost_the_same_few_queries(world, client_for, monkeypatch):
    from tqr.applications.models import Application
    from tqr.reviews import queue

    monkeypatch.setattr(queue, "PER_PAGE", 5)
    grow(world, 12, "甲")
    move_to(world, Phase.INITIAL_REVIEW)
    client = client_for("reviewer_d1")
    seen, counts = [], []
    for number in (1, 2, 3):  # 5 + 5 + 2
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/reviews/{world.round_a.pk}/?page={number}")
        assert response.status_code == 200
        counts.append(len(captured))
        assert not _wide_reads(captured), _wide_reads(captured)
        seen += [int(i) for i in re.findall(r'href="/reviews/applications/(\d+)/"', response.content.decode())]
    assert counts[0] == counts[-1] <= QUEUE_PAGE_QUERIES, counts
    # Keys first, rows second: every application once, in the queue's order (unit, name, then id).
    expected = list(Application.objects.filter(round=world.round_a, state="confirmed")
                    .order_by("confirmation_point__code", "name", "id").values_list("pk", flat=True))
    assert seen == expected


def test_the_review_queue_counts_what_its_filter_selects_in_the_same_aggregate(world, client_for):
    grow(world, 3, "甲")
    move_to(world, Phase.INITIAL_REVIEW)
    client = client_for("reviewer_d1")
    for query, n in (("", 3), ("q=甲1", 1), ("reviewed=yes", 0), ("disagreement=1", 0)):
        with CaptureQueriesContext(connection) as captured:
            body = client.get(f"/reviews/{world.round_a.pk}/?{query}").content.decode()
        assert f"符合条件 {n} 份" in body and "待初审 <strong>3</strong>" in body
        assert sum('COUNT("applications_application"."id")' in q["sql"] for q in captured) == 1, query
        assert not any('COUNT(*)' in q["sql"] and "applications_application" in q["sql"] for q in captured)


def test_the_review_queues_export_reads_only_its_printed_columns(world, client_for):
    grow(world, 3, "甲")
    move_to(world, Phase.INITIAL_REVIEW)
    with CaptureQueriesContext(connection) as captured:
        response = client_for("reviewer_d1").get(f"/reviews/{world.round_a.pk}/?format=xlsx")
    assert response.status_code == 200
    assert not _wide_reads(captured), _wide_reads(captured)


@pytest.mark.parametrize("url", ["/school/{round}/roster/?show=all", "/school/{round}/roster/?show=all&format=xlsx"])
def test_the_school_roster_reads_only_what_it_shows(world, client_for, url):
    grow(world, 3, "甲")
    with CaptureQueriesContext(connection) as captured:
        response = client_for("admin_a").get(url.format(round=world.round_a.pk))
    assert response.status_code == 200
    assert not _wide_reads(captured), _wide_reads(captured)
    assert not any('"applications_application"."evaluation"' in q["sql"] for q in captured)
