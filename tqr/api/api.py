"""The JSON API at /api/v1/: thin endpoints over the same selectors, services and permissions as the pages."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext
from ninja import NinjaAPI, Router, Status
from ninja.errors import AuthenticationError, Throttled
from ninja.pagination import paginate
from ninja.throttling import UserRateThrottle

from tqr.accounts.models import ApiToken, Organisation
from tqr.accounts.permissions import get_visible_or_404, visible_organisations, visible_rounds
from tqr.api import auth
from tqr.api.applications import router as applications_router
from tqr.api.campaigns import router as campaigns_router
from tqr.api.city import router as city_router
from tqr.api.dashboards import router as dashboards_router
from tqr.api.exchange import router as exchange_router
from tqr.api.help import router as help_router
from tqr.api.imports import router as imports_router
from tqr.api.lookup import router as lookup_router
from tqr.api.notifications import router as notifications_router
from tqr.api.openapi import document_standard_errors
from tqr.api.reviews import router as reviews_router
from tqr.api.schemas import (
    BoundedPagination,
    ErrorOut,
    MeOut,
    OrganisationOut,
    RoundOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)
from tqr.api.school import router as school_router
from tqr.api.visits import router as visits_router
from tqr.campaigns.selectors import today
from tqr.core.rules_text import label, rule_text


class ApiRateThrottle(UserRateThrottle):
    """Per user (a token counts as its user; anonymous callers per address): settings.TQR_API_REQUESTS_PER_MINUTE."""

    scope = "api"

    def get_rate(self) -> str:
        return f"{settings.TQR_API_REQUESTS_PER_MINUTE}/m"

    def allow_request(self, request) -> bool:
        self.num_requests, self.duration = self.parse_rate(self.get_rate())  # the setting may change (tests)
        return super().allow_request(request)


class TqrAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        return document_standard_errors(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


api = TqrAPI(
    title="TQR 教师资格定期注册管理系统 API",
    version="1",
    description="所有接口与页面使用同一套服务和权限。认证：浏览器会话（需 CSRF）或个人令牌 `Authorization: Bearer tqr_…`。"
                "列表用 limit/offset 分页并返回 count。错误统一为 `{\"detail\": \"…\"}`（参数校验错误 422 为 ninja 的格式）。"
                "详见 docs/api.md。",
    auth=auth.AUTH,
    throttle=[ApiRateThrottle()],
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": gettext("请先登录，或在 Authorization 头中提供有效的 API 令牌")}, status=401)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": gettext("不存在，或不在您的权限范围内")}, status=404)


@api.exception_handler(Throttled)
def throttled(request, exc):
    return api.create_response(request, {"detail": gettext("请求过于频繁，请稍后再试")}, status=429)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": gettext("无权执行此操作")}, status=403)


@api.exception_handler(DjangoValidationError)
def validation_error(request, exc):
    return api.create_response(request, {"detail": "；".join(exc.messages)}, status=400)


def organisation_out(org: Organisation) -> dict:
    return {
        "id": org.pk, "code": org.code, "kind": org.kind, "kind_label": org.get_kind_display(),
        "name": org.name, "short_name": org.short_name, "ownership": org.ownership,
        "parent_id": org.parent_id, "address": org.address,
    }


def round_out(round_) -> dict:
    status = round_.status(today())
    return {
        "id": round_.pk, "year": round_.year, "title": round_.title,
        "district_id": round_.district_id, "district_name": round_.district.name,
        "current_phase": status.current.value if status.current else None,
        "current_phase_label": rule_text(status),
        "upcoming_phase": status.upcoming.value if status.upcoming else None,
        "windows": [
            {"phase": w.phase, "label": label(w.label), "start_date": w.start_date, "end_date": w.end_date,
             "place": w.place}
            for w in round_.timeline()
        ],
        "required_training_hours": round_.required_training_hours,
        "semester_days": round_.semester_days,
        "include_private": round_.include_private,
        "notice_workdays": round_.notice_workdays,
        "sampling_rate": float(round_.sampling_rate),
        "sample_all_non_qualified": round_.sample_all_non_qualified,
        "validity_years": round_.validity_years,
    }


core = Router(tags=["基础"])


@core.get("/me", response=MeOut, summary="当前用户")
def me(request):
    user = request.user
    return {
        "id": user.pk, "username": user.username, "display_name": user.display_name, "role": user.role,
        "role_label": user.role_label,
        "organisation": organisation_out(user.organisation) if user.organisation else None,
        "must_change_password": user.must_change_password,
    }


@core.get("/organisations", response=list[OrganisationOut], summary="本人权限范围内的机构")
@paginate(BoundedPagination)
def organisations(request, kind: str | None = None, q: str | None = None):
    qs = visible_organisations(request.user).order_by("code")
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(name__icontains=q)
    return [organisation_out(o) for o in qs]


@core.get("/organisations/{org_id}", response={200: OrganisationOut, 404: ErrorOut}, summary="机构")
def organisation(request, org_id: int):
    return organisation_out(get_visible_or_404(request, visible_organisations(request.user), pk=org_id))


@core.get("/rounds", response=list[RoundOut], summary="本人权限范围内的注册年度")
def rounds(request):
    return [round_out(r) for r in visible_rounds(request.user).prefetch_related("phase_windows").order_by("-year")]


@core.get("/rounds/{round_id}", response={200: RoundOut, 404: ErrorOut}, summary="注册年度及各环节时间")
def round_detail(request, round_id: int):
    return round_out(get_visible_or_404(request, visible_rounds(request.user), pk=round_id))


@core.get("/tokens", response=list[TokenOut], summary="我的 API 令牌")
def tokens(request):
    return list(ApiToken.objects.filter(user=request.user).order_by("-created_at"))


@core.post("/tokens", response={201: TokenCreatedOut}, summary="创建 API 令牌（令牌只显示这一次）")
def token_create(request, body: TokenIn):
    token, raw = auth.token_create(user=request.user, name=body.name[:100])
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@core.post("/tokens/{token_id}/revoke", response={200: TokenOut, 404: ErrorOut}, summary="吊销 API 令牌")
def token_revoke(request, token_id: int):
    token = get_visible_or_404(request, ApiToken.objects.filter(user=request.user), pk=token_id)
    return auth.token_revoke(token=token, actor=request.user)


api.add_router("/", core)
api.add_router("/", campaigns_router)
api.add_router("/", applications_router)
api.add_router("/", school_router)
api.add_router("/", reviews_router)
api.add_router("/", city_router)
api.add_router("/", imports_router)
api.add_router("/", visits_router)
api.add_router("/", lookup_router)
api.add_router("/", notifications_router)
api.add_router("/", exchange_router)
api.add_router("/", help_router)
api.add_router("/", dashboards_router)
