"""The dashboards' pages: the district's round, the city's districts, a school's teachers and what is due next.

Thin: scope through the permission module, numbers from `tqr.reviews.dashboard`, charts from
`tqr.core.charts` (SVG drawn here, on the server), each beside a table of the same numbers.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tqr.accounts.permissions import get_visible_or_404, require, visible_rounds
from tqr.campaigns.selectors import today
from tqr.core import charts
from tqr.reviews import dashboard
from tqr.teachers.models import Conclusion


def _progress_series(rows: list[dict]) -> list[charts.Series]:
    return [charts.Series(str(label), [r[key] for r in rows]) for key, label in dashboard.PROGRESS.items()]


def _conclusion_chart(by_type: list[dict]):
    labels = dict(Conclusion.choices)
    return charts.hbar_chart(
        _("结论按资格种类"), [t["label"] for t in by_type],
        [charts.Series(str(labels[c]), [t[c] for t in by_type]) for c in dashboard.CONCLUSIONS],
        stacked=True, unit=_("人"), empty=_("尚无初审结论"))


def district_charts(data: dict) -> dict:
    t = data["totals"]
    chart_rows = data["schools"][:dashboard.CHART_SCHOOLS]
    return {
        "overall": charts.bar_chart(_("全区进度"), [(str(label), t[key]) for key, label in dashboard.PROGRESS.items()]
                                    + [(_("视为自动放弃"), t["abandoned"])], unit=_("人")),
        "schools": charts.hbar_chart(_("各校进度（报名人数最多的学校）"), [s["name"] for s in chart_rows],
                                     _progress_series(chart_rows), unit=_("人"), empty=_("尚无学校提交申请")),
        "conclusions": _conclusion_chart(data["conclusions_by_type"]),
        "stages": _stage_chart(data["stage_times"]),
    }


def _stage_chart(stages: list[dict]):
    return charts.bar_chart(_("各环节用时中位数（天）"), [(s["label"], s["median_days"] or 0) for s in stages],
                            unit=_("天"))


@login_required
@require_GET
def district_dashboard(request, round_id: int):
    round_ = get_visible_or_404(request, dashboard.rounds_with_windows(request.user), pk=round_id)
    require(request, "round.view_review", round_)
    data = dashboard.district_dashboard(round_, day=today())
    return render(request, "dashboards/district.html", {
        "round": round_, "d": data, "charts": district_charts(data),
        "chart_schools": data["schools"][:dashboard.CHART_SCHOOLS],
        "progress_labels": list(dashboard.PROGRESS.values()),
    })


@login_required
@require_GET
def city_dashboard(request):
    require(request, "city.view")
    data = dashboard.city_dashboard(dashboard.city_rounds(visible_rounds(request.user)), day=today())
    districts = data["districts"]
    return render(request, "dashboards/city.html", {
        "d": data, "progress_labels": list(dashboard.PROGRESS.values()),
        "charts": {
            "districts": charts.hbar_chart(_("各区县进度"), [x["name"] for x in districts],
                                           _progress_series(districts), unit=_("人"), empty=_("本年度尚无注册工作")),
            "conclusions": _conclusion_chart(data["conclusions_by_type"]),
            "stages": _stage_chart(data["stage_times"]),
        },
    })


@login_required
@require_GET
def school_dashboard(request, round_id: int):
    round_ = get_visible_or_404(request, dashboard.rounds_with_windows(request.user), pk=round_id)
    require(request, "round.school_work", round_)
    data = dashboard.school_dashboard(round_, request.user.organisation, day=today())
    return render(request, "dashboards/school.html", {
        "round": round_, "d": data,
        "chart": charts.hbar_chart(_("本校教师按状态"), [s["label"] for s in data["by_state"]],
                                   [charts.Series(_("人数"), [s["count"] for s in data["by_state"]])],
                                   unit=_("人"), empty=_("本年度尚无应注册的教师")),
    })
