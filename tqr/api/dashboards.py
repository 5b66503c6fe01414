"""The dashboards as JSON: the same numbers as the pages (tqr.reviews.dashboard), the same scopes."""

from __future__ import annotations

from datetime import date

from ninja import Router, Schema

from tqr.accounts.permissions import get_visible_or_404, require, visible_rounds
from tqr.api.schemas import ErrorOut
from tqr.campaigns.selectors import today
from tqr.reviews import dashboard

router = Router(tags=["看板"])


class DeadlineOut(Schema):
    phase: str
    label: str
    start_date: date
    end_date: date | None
    status: str  # done | open | upcoming
    status_label: str
    workdays_left: int | None  # today counted; null when over, open-ended or the year's holidays are unknown


class ProgressOut(Schema):
    applied: int  # submitted at least once (提交)
    pending: int  # submitted or returned: waiting for the school's on-site confirmation
    confirmed: int  # 现场确认 done (and any later state)
    reviewed: int  # 初审 done
    concluded: int  # 终审 done: the conclusion is final
    abandoned: int  # 视为自动放弃


class SchoolProgressOut(ProgressOut):
    unit_id: int | None
    name: str
    risk: str  # why the school may miss the confirmation window; empty when it will not


class ConclusionsOut(Schema):
    cert_type: str
    label: str
    qualified: int
    deferred: int
    unqualified: int
    total: int


class SlowSchoolOut(Schema):
    unit_id: int | None
    name: str
    median_days: float
    count: int


class StageOut(Schema):
    stage: str  # confirmation | review | city
    label: str
    count: int
    median_days: float | None
    slowest: list[SlowSchoolOut]


class SampleRateOut(Schema):
    sampled: int
    checked: int
    discrepancies: int
    rate: float | None  # discrepancies / sampled
    rate_percent: float | None  # the same in per cent, one decimal


class RoundRefOut(Schema):
    id: int
    title: str
    year: int
    district_id: int
    district_name: str


class DistrictDashboardOut(Schema):
    round: RoundRefOut
    day: date
    risk_workdays: int
    totals: ProgressOut
    schools: list[SchoolProgressOut]
    deadlines: list[DeadlineOut]
    confirmation_workdays_left: int | None
    at_risk: list[SchoolProgressOut]
    conclusions_by_type: list[ConclusionsOut]
    stage_times: list[StageOut]
    sample: SampleRateOut
    discrepancy_threshold: float
    discrepancy_threshold_percent: float


class DistrictRowOut(ProgressOut):
    round_id: int
    district_id: int
    name: str
    title: str
    phase_label: str
    phase_end: date | None
    phase_workdays_left: int | None
    at_risk: int
    sample: SampleRateOut
    url: str  # the district's dashboard page


class CityTotalsOut(ProgressOut):
    at_risk: int


class CityDashboardOut(Schema):
    year: int | None
    day: date
    risk_workdays: int
    districts: list[DistrictRowOut]
    totals: CityTotalsOut
    stage_times: list[StageOut]  # the slowest are districts here (unit_id: the district's round)
    sample: SampleRateOut
    conclusions_by_type: list[ConclusionsOut]


class StateCountOut(Schema):
    state: str
    label: str
    count: int


class TodoOut(Schema):
    key: str
    label: str
    phase: str
    phase_label: str
    start_date: date
    end_date: date | None
    date: date | None
    workdays_left: int | None
    count: int | None
    done: bool
    closed: bool
    status_label: str
    url: str


class SchoolRoundOut(Schema):
    id: int
    title: str
    year: int


class UnitRefOut(Schema):
    id: int
    name: str


class SchoolDashboardOut(Schema):
    round: SchoolRoundOut
    unit: UnitRefOut
    day: date
    teachers: int
    due: int
    by_state: list[StateCountOut]
    next: TodoOut | None
    todo: list[TodoOut]
    deadlines: list[DeadlineOut]


@router.get("/dashboards/district/{round_id}", response={200: DistrictDashboardOut, 403: ErrorOut, 404: ErrorOut},
            url_name="dashboard_district", summary="区县工作看板：各校进度、截止时间、风险学校、结论、用时、抽查不符率")
def dashboard_district(request, round_id: int):
    round_ = get_visible_or_404(request, dashboard.rounds_with_windows(request.user), pk=round_id)
    require(request, "round.view_review", round_)
    return dashboard.district_dashboard(round_, day=today())


@router.get("/dashboards/city", response={200: CityDashboardOut, 403: ErrorOut}, url_name="dashboard_city",
            summary="全市看板：本年度各区县进度、当前环节、风险学校与抽查不符率")
def dashboard_city(request):
    require(request, "city.view")
    return dashboard.city_dashboard(dashboard.city_rounds(visible_rounds(request.user)), day=today())


@router.get("/dashboards/school/{round_id}", response={200: SchoolDashboardOut, 403: ErrorOut, 404: ErrorOut},
            url_name="dashboard_school", summary="本校看板：教师按状态、下一项工作及剩余工作日")
def dashboard_school(request, round_id: int):
    round_ = get_visible_or_404(request, dashboard.rounds_with_windows(request.user), pk=round_id)
    require(request, "round.school_work", round_)
    return dashboard.school_dashboard(round_, request.user.organisation, day=today())
