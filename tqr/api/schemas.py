from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from tqr.api.openapi import examples

# A row id in a list of ids: in the database's range (a larger one made `pk__in` overflow, a 500 found by
# schemathesis; Django guards `exact` lookups itself but not `in`).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class ErrorOut(Schema):
    detail: str


class OrganisationOut(Schema):
    id: int
    code: str
    kind: str
    kind_label: str
    name: str
    short_name: str
    ownership: str
    parent_id: int | None
    address: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    role_label: str
    organisation: OrganisationOut | None
    must_change_password: bool


class WindowOut(Schema):
    phase: str
    label: str
    start_date: date
    end_date: date | None
    place: str


class RoundOut(Schema):
    id: int
    year: int
    title: str
    district_id: int
    district_name: str
    current_phase: str | None
    current_phase_label: str
    upcoming_phase: str | None
    windows: list[WindowOut]
    required_training_hours: int
    semester_days: int
    include_private: bool
    notice_workdays: int
    sampling_rate: float
    sample_all_non_qualified: bool
    validity_years: int


class TokenIn(Schema):
    model_config = examples({"name": "教务系统同步脚本"})
    name: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str


class FieldErrorsOut(Schema):
    detail: str
    errors: dict[str, list[str]]


class ContactOut(Schema):
    name: str
    organisation: str
    phone: str


class AttachmentOut(Schema):
    number: int
    title: str
    url: str


class AnnouncementOut(Schema):
    document_number: str
    title: str
    addressees: str
    body: str
    issuing_body: str
    training_starts_at: datetime | None
    training_place: str
    group_info: str
    materials_address: str
    published_at: datetime | None
    contacts: list[ContactOut]
    attachments: list[AttachmentOut]


class AnnouncementIn(Schema):
    model_config = examples({"document_number": "黔江教办〔2026〕155号", "title": "关于开展2026年中小学教师资格定期注册工作的通知", "addressees": "各中小学校、幼儿园", "body": "各中小学校：现将有关事项通知如下。", "issuing_body": "重庆市黔江区教育委员会", "training_starts_at": "2026-11-06T09:00:00+08:00", "training_place": "黔江电大综合楼207", "contacts": [{"name": "兰建伟", "organisation": "区继教中心", "phone": "023-79222222"}]})
    document_number: str = ""
    title: str
    addressees: str = ""
    body: str
    issuing_body: str
    training_starts_at: str | None = None
    training_place: str = ""
    group_info: str = ""
    materials_address: str = ""
    contacts: list[ContactOut] = []


class AdministratorIn(Schema):
    model_config = examples({"name": "王老师", "phone": "13812345678", "email": "wang@example.cn"})
    name: str
    phone: str
    email: str = ""


class AdministratorOut(Schema):
    unit_id: int
    unit_code: str
    unit_name: str
    name: str | None
    phone: str | None
    email: str | None
    named_at: datetime | None


MAX_OFFSET = 2**31 - 1  # beyond any list here; a larger offset would overflow the database's integer


def page_bounds(limit: int, offset: int, max_limit: int) -> tuple[int, int]:
    """limit within 1..max_limit and offset within 0..MAX_OFFSET, as every paged endpoint takes them."""
    return max(1, min(limit, max_limit)), max(0, min(offset, MAX_OFFSET))


class BoundedPagination(LimitOffsetPagination):
    """ninja's limit/offset paging with bounds: a huge offset or limit is a 422, never a database error."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=500, description="每页条数（1–500）")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="跳过的条数")
