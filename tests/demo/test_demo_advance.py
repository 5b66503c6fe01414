"""The demo round driven through every phase with the real services (the data of the samples)."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from tqr.applications.models import Application
from tqr.campaigns.models import Round
from tqr.reviews.models import CityReport, Notice


@pytest.mark.django_db
def test_the_demo_round_reaches_the_city_with_a_closed_notice(capsys):
    call_command("load_demo", "--teachers", "200", "--units", "15")
    call_command("demo_advance", "--to", "secondary_review")
    round_ = Round.objects.filter(district__code="500114").order_by("-year").first()
    states = set(Application.objects.filter(round=round_).values_list("state", flat=True))
    assert states <= {"reported", "abandoned"} and "reported" in states
    notice = Notice.objects.get(round=round_)
    assert notice.closed_at is not None and notice.objections.filter(handled_at__isnull=True).count() == 0
    report = CityReport.objects.get(round=round_)
    assert report.counts["total"] == Application.objects.filter(round=round_, state="reported").count()
    assert round_.status(timezone.localdate()).current == "secondary_review"
    assert "已推进到「复审（随机抽查）」" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_demo_rounds_history_takes_the_days_of_its_phases():
    """The demo makes a round in seconds; its moments are spread over the windows, so that the dashboards'
    stage times and the teacher's timeline read as a real round would, and nothing lies in the future."""
    from tqr.applications.models import ApplicationEvent
    from tqr.reviews.dashboard import district_dashboard

    call_command("load_demo", "--teachers", "200", "--units", "15")
    call_command("demo_advance", "--to", "archiving")
    round_ = Round.objects.filter(district__code="500114").order_by("-year").first()
    windows = {w.phase: w for w in round_.phase_windows.all()}
    now = timezone.now()
    confirmed = Application.objects.filter(round=round_, confirmed_at__isnull=False)
    assert confirmed.exists()
    for app in confirmed:
        assert windows["application"].start_date <= timezone.localtime(app.submitted_at).date() <= windows["application"].end_date
        assert windows["confirmation"].start_date <= timezone.localtime(app.confirmed_at).date() <= windows["confirmation"].end_date
        assert app.submitted_at < app.confirmed_at < app.reviewed_at <= now
    for app_id in confirmed.values_list("pk", flat=True)[:20]:
        stamps = list(ApplicationEvent.objects.filter(application_id=app_id).order_by("id").values_list("ts", flat=True))
        assert stamps == sorted(stamps) and stamps[-1] <= now
    stages = {s["stage"]: s for s in district_dashboard(round_, day=timezone.localdate())["stage_times"]}
    assert stages["confirmation"]["median_days"] > 0
