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
