"""Who may reach what: every persona × every route × method → the status they get.

Deny by default and Zulip-style: not yours → 404 (so an id cannot be confirmed), yours but not your
role's business → 403, not logged in → the login page (or 401 from the API). Every refusal that comes
from the permission helpers leaves an `authz.denied` audit row, and a refused POST changes nothing.

`COVERED` is read by tests/test_routes.py: a new named route that is neither public nor listed here
fails that test until someone decides who may reach it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PERSONAS
from tqr.accounts.models import ApiToken
from tqr.api import auth as api_auth
from tqr.applications.models import Application, HandOver
from tqr.applications.services import application_start
from tqr.audit.models import AuditEvent
from tqr.campaigns.models import Announcement, AnnouncementAttachment, RegistrationAdministrator
from tqr.core.models import Job
from tqr.notifications.models import Notification, OutgoingEmail

# --- Who is who ------------------------------------------------------------------------------------

LOGGED_IN = tuple(p for p in PERSONAS if p != "anonymous")
TEACHERS_A = ("t_a1", "t_a2", "t_b")
SCHOOL_ADMINS_A = ("admin_a", "admin_b")
DISTRICT_A = (*TEACHERS_A, *SCHOOL_ADMINS_A, "reviewer_d1")
CITY = ("city_reviewer", "city_approver")

# Redirect targets, checked on the Location header.
LOGIN = (302, "login")  # the site's login page with ?next=
ADMIN_LOGIN = (302, "admin:login")  # the Django admin's own login page
HOME = (302, "home")
TO_ANNOUNCEMENT_EDIT = (302, "announcement_edit")
TO_ROUND = (302, "round_detail")
TO_APPLY = (302, "apply")  # somewhere in the teacher's wizard
TO_SCHOOL = (302, "school")
TO_JOB = (302, "jobs")
TO_REVIEW = (302, "reviews")
TO_CITY = (302, "city")
TO_ROUND_PAGE = (302, "rounds")
TO_INBOX = (302, "inbox")
TO_FAILED = (302, "failed_emails")
TO_TOKENS = (302, "api_tokens")
SEES_APP_A1 = ("t_a1", "admin_a", "reviewer_d1", "city_reviewer", "city_approver", "sysadmin")
LOGGED_OUT = (302, "login-plain")  # LOGOUT_REDIRECT_URL


def expect(anonymous, otherwise, *rules) -> dict[str, Any]:
    """Expected outcome per persona: `otherwise` for everyone logged in, then (outcome, personas) rules."""
    table = {p: otherwise for p in LOGGED_IN}
    table["anonymous"] = anonymous
    for outcome, personas in rules:
        for p in personas:
            table[p] = outcome
    return table


# Round of district A: everyone working in district A, the city roles and the sysadmin may read it.
SEES_ROUND_A = (*DISTRICT_A, *CITY, "sysadmin")


def exchange_source_a(w):
    """District A's data source (数据交换), made when a case asks for it."""
    from tqr.exchange.models import DataSource

    return DataSource.objects.get_or_create(district=w.district_a, name="继续教育平台", defaults={
        "kind": "training", "value_column": "学时"})[0]
SEES_ROUND_B = ("reviewer_d2", *CITY, "sysadmin")


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    method: str
    args: Callable[[Any], tuple] = lambda w: ()
    expected: dict[str, Any] = field(default_factory=dict)
    data: dict | None = None
    json_body: dict | None = None
    # Refusals that come from get_visible_or_404 / require and must be audited: all, or these personas.
    audited: bool | tuple[str, ...] = False
    effect: str | None = None  # which database side effect to check (see _snapshot / _check_effect)
    bug: str | None = None  # a known application bug: the personas expected to get 200/201 are xfail


ADMINISTRATOR_POST = {"name": "王老师", "phone": "13812345678", "email": "wang@example.cn"}
ANNOUNCEMENT_POST = {"title": "关于开展教师资格定期注册工作的通知", "body": "各中小学校：……", "issuing_body": "区教委",
                     "contacts": "兰建伟，区教委，13896453785"}
ANNOUNCEMENT_JSON = {"title": "关于开展教师资格定期注册工作的通知", "body": "各中小学校：……", "issuing_body": "区教委",
                     "contacts": [{"name": "兰建伟", "organisation": "区教委", "phone": "13896453785"}]}
class _Upload:
    """A file for a multipart POST that reads the same bytes each time (the cases run once per persona)."""

    name = "安排.txt"
    content_type = "text/plain"

    def read(self) -> bytes:
        return "注册工作安排".encode()


UPLOAD = _Upload()
# Only the round's own district reviewers write its notice.
NOTICE_WRITERS = ("reviewer_d1",)

CASES = [
    # --- Pages ---------------------------------------------------------------------------------------
    Case("home", "home", "GET", expected=expect(LOGIN, 200)),
    Case("round_detail-own", "round_detail", "GET", lambda w: (w.round_a.pk,),
         expect(LOGIN, 404, (200, SEES_ROUND_A)), audited=True),
    Case("round_detail-other-district", "round_detail", "GET", lambda w: (w.round_b.pk,),
         expect(LOGIN, 404, (200, SEES_ROUND_B)), audited=True),
    Case("attachment-own", "attachment_download", "GET", lambda w: (w.round_a.pk, 1),
         expect(LOGIN, 404, (200, SEES_ROUND_A)), audited=True),
    Case("attachment-other-district", "attachment_download", "GET", lambda w: (w.round_b.pk, 1),
         expect(LOGIN, 404, (200, SEES_ROUND_B)), audited=True),
    Case("attachment-missing-number", "attachment_download", "GET", lambda w: (w.round_a.pk, 99),
         expect(LOGIN, 404), audited=("reviewer_d2", "auditor")),  # the others see the round: a plain 404
    Case("name_administrator-own-get", "name_administrator", "GET", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (200, SCHOOL_ADMINS_A), (404, ("reviewer_d2", "auditor"))), audited=True),
    Case("name_administrator-own-post", "name_administrator", "POST", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (HOME, SCHOOL_ADMINS_A), (404, ("reviewer_d2", "auditor"))),
         data=ADMINISTRATOR_POST, audited=True, effect="administrator"),
    Case("name_administrator-other-district-get", "name_administrator", "GET", lambda w: (w.round_b.pk,),
         expect(LOGIN, 403, (404, (*DISTRICT_A, "auditor"))), audited=True),
    Case("name_administrator-other-district-post", "name_administrator", "POST", lambda w: (w.round_b.pk,),
         expect(LOGIN, 403, (404, (*DISTRICT_A, "auditor"))), data=ADMINISTRATOR_POST, audited=True,
         effect="administrator"),
    Case("administrators_overview-own", "administrators_overview", "GET", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (200, ("reviewer_d1", *CITY)), (404, ("reviewer_d2", "auditor"))), audited=True),
    Case("administrators_overview-other-district", "administrators_overview", "GET", lambda w: (w.round_b.pk,),
         expect(LOGIN, 403, (200, ("reviewer_d2", *CITY)), (404, (*DISTRICT_A, "auditor"))), audited=True),
    Case("announcement_edit-get", "announcement_edit", "GET", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (200, NOTICE_WRITERS), (404, ("reviewer_d2", "auditor"))), audited=True),
    Case("announcement_edit-post", "announcement_edit", "POST", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (TO_ANNOUNCEMENT_EDIT, NOTICE_WRITERS), (404, ("reviewer_d2", "auditor"))),
         data=ANNOUNCEMENT_POST, audited=True, effect="announcement_title"),
    Case("announcement_edit-other-district", "announcement_edit", "GET", lambda w: (w.round_b.pk,),
         expect(LOGIN, 403, (200, ("reviewer_d2",)), (404, (*DISTRICT_A, "auditor"))), audited=True),
    Case("announcement_publish", "announcement_publish", "POST", lambda w: (w.round_b.pk,),
         expect(LOGIN, 403, (TO_ROUND, ("reviewer_d2",)), (404, (*DISTRICT_A, "auditor"))), audited=True,
         effect="announcement_published_b"),
    Case("healthz", "healthz", "GET", expected=expect(200, 200)),
    Case("login-get", "login", "GET", expected=expect(200, HOME)),
    Case("logout-post", "logout", "POST", expected=expect(LOGGED_OUT, LOGGED_OUT), effect="logout"),
    Case("logout-get", "logout", "GET", expected=expect(405, 405), effect="still_logged_in"),
    # --- API -----------------------------------------------------------------------------------------
    Case("api-openapi-json", "api:openapi-json", "GET", expected=expect(200, 200)),
    Case("api-docs", "api:openapi-view", "GET", expected=expect(200, 200)),
    Case("api-root", "api:api-root", "GET", expected=expect(404, 404)),
    Case("api-me", "api:me", "GET", expected=expect(401, 200)),
    Case("api-organisations", "api:organisations", "GET", expected=expect(401, 200)),
    Case("api-organisation-school_a", "api:organisation", "GET", lambda w: (w.school_a.pk,),
         expect(401, 404, (200, ("t_a1", "t_a2", "admin_a", "reviewer_d1", *CITY, "sysadmin"))), audited=True),
    Case("api-organisation-school_c", "api:organisation", "GET", lambda w: (w.school_c.pk,),
         expect(401, 404, (200, ("reviewer_d2", *CITY, "sysadmin"))), audited=True),
    Case("api-rounds", "api:rounds", "GET", expected=expect(401, 200)),
    Case("api-round-own", "api:round_detail", "GET", lambda w: (w.round_a.pk,),
         expect(401, 404, (200, SEES_ROUND_A)), audited=True),
    Case("api-round-other-district", "api:round_detail", "GET", lambda w: (w.round_b.pk,),
         expect(401, 404, (200, SEES_ROUND_B)), audited=True),
    Case("api-tokens", "api:tokens", "GET", expected=expect(401, 200)),
    Case("api_tokens-get", "api_tokens", "GET", expected=expect(LOGIN, 200)),
    Case("api_tokens-post", "api_tokens", "POST", expected=expect(LOGIN, 200), data={"name": "统计脚本"},
         effect="token_create"),
    Case("api_token_revoke-t_a1s", "api_token_revoke", "POST", lambda w: (w.token_t_a1.pk,),
         expect(LOGIN, 404, (TO_TOKENS, ("t_a1",))), audited=True, effect="token_revoke"),
    Case("api-token-create", "api:token_create", "POST", expected=expect(401, 201),
         json_body={"name": "统计脚本"}, effect="token_create"),
    Case("api-token-revoke-t_a1s", "api:token_revoke", "POST", lambda w: (w.token_t_a1.pk,),
         expect(401, 404, (200, ("t_a1",))), json_body={}, audited=True, effect="token_revoke"),
    Case("api-announcement-own", "api:announcement", "GET", lambda w: (w.round_a.pk,),
         expect(401, 404, (200, SEES_ROUND_A)), audited=True),
    Case("api-announcement-save", "api:announcement_save", "PUT", lambda w: (w.round_a.pk,),
         expect(401, 403, (200, NOTICE_WRITERS), (404, ("reviewer_d2", "auditor"))), json_body=ANNOUNCEMENT_JSON,
         audited=True, effect="announcement_title"),
    Case("api-announcement-publish", "api:announcement_publish", "POST", lambda w: (w.round_b.pk,),
         expect(401, 403, (200, ("reviewer_d2",)), (404, (*DISTRICT_A, "auditor"))), json_body={},
         audited=True, effect="announcement_published_b"),
    Case("api-administrators", "api:administrators", "GET", lambda w: (w.round_a.pk,),
         expect(401, 403, (200, ("reviewer_d1", *CITY)), (404, ("reviewer_d2", "auditor"))), audited=True),
    Case("api-name-administrator", "api:name_administrator", "PUT", lambda w: (w.round_a.pk,),
         expect(401, 403, (200, SCHOOL_ADMINS_A), (404, ("reviewer_d2", "auditor"))), json_body=ADMINISTRATOR_POST,
         audited=True, effect="administrator"),
    # --- Applications (the teacher's wizard; t_a1 has a draft in round_a) ------------------------------
    Case("apply_entry-get", "apply_entry", "GET",
         expected=expect(LOGIN, 403, (200, TEACHERS_A), (TO_APPLY, ("t_a1",)), (404, ("auditor",))),
         audited=("admin_a", "admin_b", "reviewer_d1", "reviewer_d2", *CITY, "sysadmin")),
    Case("apply_entry-post", "apply_entry", "POST",
         expected=expect(LOGIN, 403, (TO_APPLY, TEACHERS_A), (404, ("auditor",))),
         audited=("admin_a", "admin_b", "reviewer_d1", "reviewer_d2", *CITY, "sysadmin"), effect="application_start"),
    *[Case(f"{name}-own", name, "GET", args, expect(LOGIN, 404, (200, ("t_a1",))), audited=True)
      for name, args in (("apply_status", lambda w: (w.round_a.pk,)), ("apply_step", lambda w: (w.round_a.pk, 3)),
                         ("apply_photo", lambda w: (w.round_a.pk,)), ("apply_form_pdf", lambda w: (w.round_a.pk,)))],
    Case("apply_photo_image", "apply_photo_image", "GET", lambda w: (w.round_a.pk,), expect(LOGIN, 404),
         audited=tuple(p for p in LOGGED_IN if p != "t_a1")),  # t_a1 has no photo yet: a plain 404
    Case("apply_step-post", "apply_step", "POST", lambda w: (w.round_a.pk, 2),
         expect(LOGIN, 404, (TO_APPLY, ("t_a1",))), data={"accept": "on"}, audited=True, effect="terms"),
    Case("apply_submit", "apply_submit", "POST", lambda w: (w.round_a.pk,),
         expect(LOGIN, 404, (TO_APPLY, ("t_a1",))), audited=True, effect="application_state"),
    Case("apply_resubmit", "apply_resubmit", "POST", lambda w: (w.round_a.pk,),
         expect(LOGIN, 404, (TO_APPLY, ("t_a1",))), audited=True, effect="application_state"),
    # The same through the API. SEES_APP_A1: whoever's scope holds t_a1's application.
    Case("api-applications", "api:applications", "GET", expected=expect(401, 200)),
    Case("api-application-start", "api:application_start", "POST", lambda w: (w.round_a.pk,),
         expect(401, 403, (201, TEACHERS_A), (404, ("reviewer_d2", "auditor"))), json_body={}, audited=True,
         effect="application_start"),
    Case("api-application", "api:application", "GET", lambda w: (w.application_a1.pk,),
         expect(401, 404, (200, SEES_APP_A1)), audited=True),
    Case("api-application-status", "api:application_status", "GET", lambda w: (w.application_a1.pk,),
         expect(401, 404, (200, SEES_APP_A1)), audited=True),
    Case("api-application-step", "api:application_step", "POST", lambda w: (w.application_a1.pk,),
         expect(401, 404, (403, SEES_APP_A1), (200, ("t_a1",))), json_body={"step": 2, "version": 1, "data": {"accept": True}},
         audited=True, effect="terms"),
    Case("api-application-photo", "api:application_photo", "POST", lambda w: (w.application_a1.pk,),
         expect(401, 422), data={}),  # authentication first, then the missing file
    Case("api-application-submit", "api:application_submit", "POST", lambda w: (w.application_a1.pk,),
         expect(401, 404, (403, SEES_APP_A1), (409, ("t_a1",))), json_body={},
         audited=tuple(p for p in LOGGED_IN if p not in SEES_APP_A1), effect="application_state"),
    Case("api-application-resubmit", "api:application_resubmit", "POST", lambda w: (w.application_a1.pk,),
         expect(401, 404, (403, SEES_APP_A1), (409, ("t_a1",))), json_body={},
         audited=tuple(p for p in LOGGED_IN if p not in SEES_APP_A1), effect="application_state"),
    Case("api-application-form", "api:application_form", "GET", lambda w: (w.application_a1.pk,),
         expect(401, 404, (403, SEES_APP_A1), (200, ("t_a1",))), audited=True),
    # --- Accounts (sign-up, verification and password reset are public: PUBLIC_URL_NAMES) -------------
    Case("password_change-get", "password_change", "GET", expected=expect(LOGIN, 200)),
    Case("password_change-post-wrong-old", "password_change", "POST", expected=expect(LOGIN, 200),
         data={"old_password": "not-it", "new_password1": "Neu-Pass-2026!x", "new_password2": "Neu-Pass-2026!x"},
         effect="still_logged_in"),
    Case("verify_email_resend", "verify_email_resend", "POST", expected=expect(LOGIN, HOME)),
    Case("verify_email_resend-get", "verify_email_resend", "GET", expected=expect(405, 405)),
    # --- Two-factor (a logged-in session before its TOTP code; client_for verifies the roles that need it,
    # so everyone logged in is sent on: tests/security/test_two_factor.py covers the pages themselves) ------
    *[Case(f"{name}-{method.lower()}", name, method, expected=expect(LOGIN, HOME), data=data)
      for name in ("otp_setup", "otp_verify")
      for method, data in (("GET", None), ("POST", {"token": "000000"}))],
    # --- School (on-site confirmation; t_a1's application is a draft at school A) ----------------------
    Case("school_roster", "school_roster", "GET", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (200, SCHOOL_ADMINS_A), (404, ("reviewer_d2", "auditor"))), audited=True),
    Case("school_remind", "school_remind", "POST", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (TO_SCHOOL, SCHOOL_ADMINS_A), (404, ("reviewer_d2", "auditor"))), audited=True),
    Case("school_bulk_confirm", "school_bulk_confirm", "POST", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (200, SCHOOL_ADMINS_A), (404, ("reviewer_d2", "auditor"))),
         data={"application": "1"}, audited=True, effect="application_state"),
    Case("school_handover", "school_handover", "GET", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (200, SCHOOL_ADMINS_A), (404, ("reviewer_d2", "auditor"))), audited=True),
    Case("application_full_id", "application_full_id", "POST", lambda w: (w.application_a1.pk,),
         expect(LOGIN, 404, (403, SEES_APP_A1), (200, ("admin_a", "reviewer_d1"))), audited=True),
    Case("school_application", "school_application", "GET", lambda w: (w.application_a1.pk,),
         expect(LOGIN, 404, (403, SEES_APP_A1), (200, ("admin_a",))), audited=True),
    *[Case(name, name, "POST", lambda w: (w.application_a1.pk,),
           expect(LOGIN, 404, (403, SEES_APP_A1), (TO_SCHOOL, ("admin_a",))), data={"reason": "缺材料"},
           audited=True, effect="application_state")
      for name in ("school_confirm", "school_return", "school_undo_confirm")],
    Case("school_application_photo", "school_application_photo", "GET", lambda w: (w.application_a1.pk,),
         expect(LOGIN, 404), audited=tuple(p for p in LOGGED_IN if p not in SEES_APP_A1)),  # no photo yet
    Case("school_proofs", "school_proofs", "POST", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (TO_SCHOOL, SCHOOL_ADMINS_A), (404, ("reviewer_d2", "auditor"))), audited=True),
    Case("school_proof_pdf", "school_proof_pdf", "GET", lambda w: (w.application_a1.pk,),
         expect(LOGIN, 404, (403, SEES_APP_A1), (200, ("admin_a",))), audited=True),
    Case("job_detail", "job_detail", "GET", lambda w: (w.job_a.pk,), expect(LOGIN, 404, (200, ("admin_a",))),
         audited=True),
    Case("job_download", "job_download", "GET", lambda w: (w.job_a.pk,), expect(LOGIN, 404),
         audited=tuple(p for p in LOGGED_IN if p != "admin_a")),  # the owner's job is not done: a plain 404
    Case("job_retry", "job_retry", "POST", lambda w: (w.job_a.pk,), expect(LOGIN, 404, (TO_JOB, ("admin_a",))),
         audited=True),
    # The same through the API.
    *[Case(f"api-{name}", f"api:{name}", method, lambda w: (w.round_a.pk,),
           expect(401, 403, (ok, SCHOOL_ADMINS_A), (404, ("reviewer_d2", "auditor"))), json_body=body, audited=True)
      for name, method, ok, body in (("school_roster", "GET", 200, None), ("school_remind", "POST", 200, {}),
                                     ("school_bulk_confirm", "POST", 200, {"applications": [1]}),
                                     ("school_proofs", "POST", 400, {}), ("school_handover", "GET", 200, None))],
    Case("api-school_handover_submit", "api:school_handover_submit", "POST", lambda w: (w.round_a.pk,),
         expect(401, 403, (409, ("admin_a",)), (201, ("admin_b",)), (404, ("reviewer_d2", "auditor"))),
         json_body={"filled_by": "陈老师"}, audited=True),
    Case("api-school_check", "api:school_check", "GET", lambda w: (w.application_a1.pk,),
         expect(401, 404, (403, SEES_APP_A1), (200, ("admin_a",))), audited=True),
    *[Case(f"api-{name}", f"api:{name}", method, lambda w: (w.application_a1.pk,),
           expect(401, 404, (403, SEES_APP_A1), (409, ("admin_a",))), json_body=body, audited=True,
           effect="application_state")
      for name, method, body in (("school_check_save", "PUT", {"checklist": {"1": True}}),
                                 ("school_confirm", "POST", {}), ("school_return", "POST", {"reason": "缺材料"}),
                                 ("school_undo", "POST", {}))],
    Case("api-job", "api:job", "GET", lambda w: (str(w.job_a.pk),), expect(401, 404, (200, ("admin_a",))),
         audited=True),
    Case("api-job_retry", "api:job_retry", "POST", lambda w: (str(w.job_a.pk),),
         expect(401, 404, (409, ("admin_a",))), json_body={}, audited=True),  # job_a has not failed
    Case("district_handovers", "district_handovers", "GET", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (200, ("reviewer_d1", *CITY)), (404, ("reviewer_d2", "auditor"))), audited=True),
    Case("district_handover_receive", "district_handover_receive", "POST",
         lambda w: (w.round_a.pk, w.handover_a.pk),
         expect(LOGIN, 403, (TO_ROUND_PAGE, ("reviewer_d1",)), (404, ("reviewer_d2", "auditor"))), audited=True,
         effect="handover_received"),
    # --- Imports (school administrators for their unit, district reviewers for their district) ----------
    *[Case(f"{name}-{method.lower()}", name, method, args,
           expect(LOGIN if not name.startswith("api:") else 401, 403,
                  (outcome, (*SCHOOL_ADMINS_A, "reviewer_d1", "reviewer_d2"))),
           data=data, json_body=json_body,
           audited=tuple(p for p in LOGGED_IN if p not in (*SCHOOL_ADMINS_A, "reviewer_d1", "reviewer_d2")))
      for name, method, args, outcome, data, json_body in (
          ("teacher_import", "GET", lambda w: (), 200, None, None),
          ("teacher_import", "POST", lambda w: (), 200, {}, None),  # no file: the form again, with its error
          ("teacher_import_template", "GET", lambda w: (), 200, None, None),
          ("teacher_import_commit", "POST", lambda w: ("0" * 32,), 404, {}, None),  # no such upload
          ("api:teacher_import", "POST", lambda w: (), 400, {}, None),  # no file
          ("api:teacher_import_template", "GET", lambda w: (), 200, None, None),
          ("api:teacher_import_commit", "POST", lambda w: ("0" * 32,), 404, None, {}),
      )],
    # --- Visits (初审送审预约): slot(w) is round A's first initial-review slot, booking(w) school B's booking in
    # it; both are made when a case asks for them (bound as default arguments). A page POST answers with a
    # redirect back to its page (302).
    *[case
      for slot in [lambda w: w.round_a.visit_slots.get_or_create(
          date=w.round_a.window("initial_review").start_date, start_time="09:00", defaults={"end_time": "10:00"})[0]]
      for booking in [lambda w, slot=slot: w.round_a.visit_bookings.get_or_create(unit=w.school_b, defaults={"slot": slot(w)})[0]]
      for case in (
          Case("visit_book", "visit_book", "GET", lambda w, booking=booking: (booking(w).round_id,),
               expect(LOGIN, 403, (200, SCHOOL_ADMINS_A), (404, ("reviewer_d2", "auditor"))), audited=True),
          Case("visit_book-other-district", "visit_book", "GET", lambda w: (w.round_b.pk,),
               expect(LOGIN, 403, (404, (*DISTRICT_A, "auditor"))), audited=True),
          *[Case(name, name, "POST", args, expect(LOGIN, 403, (302, SCHOOL_ADMINS_A), (404, ("reviewer_d2", "auditor"))),
                 audited=True)
            for name, args in (("visit_book_slot", lambda w, slot=slot: (w.round_a.pk, slot(w).pk)),
                               ("visit_cancel", lambda w, booking=booking: (booking(w).round_id,)))],
          Case("visit_schedule", "visit_schedule", "GET", lambda w, booking=booking: (booking(w).round_id,),
               expect(LOGIN, 403, (200, ("reviewer_d1", *CITY)), (404, ("reviewer_d2", "auditor"))), audited=True),
          Case("visit_schedule-other-district", "visit_schedule", "GET", lambda w: (w.round_b.pk,),
               expect(LOGIN, 403, (200, ("reviewer_d2", *CITY)), (404, (*DISTRICT_A, "auditor"))), audited=True),
          *[Case(name, name, "POST", args, expect(LOGIN, 403, (302, ("reviewer_d1",)), (404, ("reviewer_d2", "auditor"))),
                 data=data, audited=True)
            for name, args, data in (
                ("visit_generate", lambda w: (w.round_a.pk,), {"day_start": "08:30", "day_end": "17:30", "minutes": "60",
                                                              "capacity": "3", "lunch": "on"}),
                ("visit_slot_add", lambda w: (w.round_a.pk,), {"date": "2000-01-03", "start_time": "09:00",
                                                              "end_time": "10:00", "capacity": "3"}),
                ("visit_slot_delete", lambda w, slot=slot: (w.round_a.pk, slot(w).pk), None),
                ("visit_mark_received", lambda w, booking=booking: (w.round_a.pk, booking(w).pk), None))],
          # The same through the API.
          Case("api-visit_slots", "api:visit_slots", "GET", lambda w, booking=booking: (booking(w).round_id,),
               expect(401, 403, (200, SCHOOL_ADMINS_A), (404, ("reviewer_d2", "auditor"))), audited=True),
          Case("api-visit_book", "api:visit_book", "POST", lambda w, slot=slot: (w.round_a.pk, slot(w).pk),
               expect(401, 403, (200, SCHOOL_ADMINS_A), (404, ("reviewer_d2", "auditor"))), json_body={},
               audited=True),
          Case("api-visit_cancel", "api:visit_cancel", "POST", lambda w, booking=booking: (booking(w).round_id,),
               expect(401, 403, (200, ("admin_b",)), (404, ("admin_a", "reviewer_d2", "auditor"))), json_body={},
               audited=tuple(p for p in LOGGED_IN if p != "admin_a")),  # school A has no booking: a plain 404
          Case("api-visit_schedule", "api:visit_schedule", "GET", lambda w, booking=booking: (booking(w).round_id,),
               expect(401, 403, (200, ("reviewer_d1", *CITY)), (404, ("reviewer_d2", "auditor"))), audited=True),
          Case("api-visit_schedule-other-district", "api:visit_schedule", "GET", lambda w: (w.round_b.pk,),
               expect(401, 403, (200, ("reviewer_d2", *CITY)), (404, (*DISTRICT_A, "auditor"))), audited=True),
          *[Case(f"api-{name}", f"api:{name}", "POST", args,
                 expect(401, 403, (ok, ("reviewer_d1",)), (404, ("reviewer_d2", "auditor"))), json_body=body,
                 audited=True)
            for name, args, ok, body in (
                ("visit_generate", lambda w: (w.round_a.pk,), 200, {}),
                ("visit_slot_create", lambda w: (w.round_a.pk,), 400,  # a date outside the window
                 {"date": "2000-01-03", "start_time": "09:00", "end_time": "10:00"}),
                ("visit_slot_delete", lambda w, slot=slot: (w.round_a.pk, slot(w).pk), 200, {}),
                ("visit_mark_received", lambda w, booking=booking: (w.round_a.pk, booking(w).pk), 200, {}))],
      )],
    # --- Reviews (the district's initial review, notice and report; the city reads along) --------------
    *[Case(f"{name}-{method.lower()}", name, method, lambda w: (w.round_a.pk,),
           expect(LOGIN, 403, (ok, ("reviewer_d1", *CITY)), (404, ("reviewer_d2", "auditor"))), data={},
           audited=True)
      for name, method, ok in (("review_queue", "GET", 200), ("review_statistics", "GET", 200),
                               ("notice_manage", "GET", 200))],
    *[Case(f"{name}-post", name, "POST", lambda w: (w.round_a.pk,),
           expect(LOGIN, 403, (ok, ("reviewer_d1",)), (404, ("reviewer_d2", "auditor"))), data={},
           audited=tuple(p for p in LOGGED_IN if p != "reviewer_d1"))
      for name, ok in (("review_bulk_accept", 200), ("notice_manage", 200), ("notice_publish", 404),
                       ("notice_close", 404), ("round_report", 404))],  # no notice yet: the district's own 404
    Case("review_application-get", "review_application", "GET", lambda w: (w.application_a1.pk,),
         expect(LOGIN, 404, (403, SEES_APP_A1), (200, ("reviewer_d1", *CITY))), audited=True),
    Case("review_application-post", "review_application", "POST", lambda w: (w.application_a1.pk,),
         expect(LOGIN, 404, (403, SEES_APP_A1), (TO_REVIEW, ("reviewer_d1",))), data={"conclusion": "qualified"},
         audited=True, effect="application_state"),
    Case("objection_handle", "objection_handle", "POST", lambda w: (999999,), expect(LOGIN, 404), audited=True),
    # The same through the API.
    *[Case(f"api-{name}", f"api:{name}", "GET", lambda w: (w.round_a.pk,),
           expect(401, 403, (ok, ("reviewer_d1", *CITY)), (404, ("reviewer_d2", "auditor"))),
           audited=tuple(p for p in LOGGED_IN if ok == 200 or p not in ("reviewer_d1", *CITY)))
      for name, ok in (("review_queue", 200), ("review_statistics", 200), ("notice", 404), ("objections", 200))],
    *[Case(f"api-{name}", f"api:{name}", method, lambda w: (w.round_a.pk,),
           expect(401, 403, (ok, ("reviewer_d1",)), (404, ("reviewer_d2", "auditor"))), json_body=body,
           audited=tuple(p for p in LOGGED_IN if p != "reviewer_d1"))
      for name, method, ok, body in (
          ("review_bulk_accept", "POST", 200, {"applications": []}),
          ("notice_save", "PUT", 409, {"title": "公示", "issuing_body": "区教委", "start_date": "2030-12-28",
                                       "objection_contact": "023-79222222"}),  # 2030 has no holiday table yet
          ("notice_publish", "POST", 404, {}), ("notice_close", "POST", 404, {}), ("round_report", "POST", 404, {}))],
    Case("api-review_conclusion", "api:review_conclusion", "POST", lambda w: (w.application_a1.pk,),
         expect(401, 404, (403, SEES_APP_A1), (409, ("reviewer_d1",))), json_body={"conclusion": "qualified"},
         audited=True, effect="application_state"),
    Case("api-objection_handle", "api:objection_handle", "POST", lambda w: (999999,), expect(401, 404),
         json_body={"outcome": "rejected", "handling": "x"}, audited=True),
    # --- City (复审, 终审) and the district's end of the round ------------------------------------------
    Case("city_home", "city_home", "GET", expected=expect(LOGIN, 403, (200, CITY)), audited=True),
    Case("city_sample-get", "city_sample", "GET", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (200, ("reviewer_d1", *CITY)), (404, ("reviewer_d2", "auditor"))), audited=True),
    Case("city_sample-post", "city_sample", "POST", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (TO_CITY, ("city_reviewer",)), (404, ("reviewer_d2", "auditor"))), audited=True),
    Case("city_sample_record", "city_sample_record", "GET", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (404, ("reviewer_d1", *CITY, "reviewer_d2", "auditor"))),
         audited=tuple(p for p in LOGGED_IN if p not in ("reviewer_d1", *CITY))),  # no sample yet: a plain 404
    Case("city_sample_widen", "city_sample_widen", "POST", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (404, ("city_reviewer", "reviewer_d2", "auditor"))),
         audited=tuple(p for p in LOGGED_IN if p != "city_reviewer")),
    Case("city_final_approve", "city_final_approve", "POST", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (TO_CITY, ("city_approver",)), (404, ("reviewer_d2", "auditor"))), audited=True),
    Case("city_item_check", "city_item_check", "POST", lambda w: (999999,), expect(LOGIN, 404), audited=True),
    Case("district_returns", "district_returns", "GET", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (200, ("reviewer_d1", *CITY)), (404, ("reviewer_d2", "auditor"))), audited=True),
    Case("district_answer", "district_answer", "POST", lambda w: (w.application_a1.pk,),
         expect(LOGIN, 404, (403, SEES_APP_A1), (TO_REVIEW, ("reviewer_d1",))), data={"conclusion": "qualified"},
         audited=True, effect="application_state"),
    Case("district_stickers-get", "district_stickers", "GET", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (200, ("reviewer_d1", *CITY)), (404, ("reviewer_d2", "auditor"))), audited=True),
    Case("district_archive", "district_archive", "POST", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (TO_REVIEW, ("reviewer_d1",)), (404, ("reviewer_d2", "auditor"))), audited=True),
    Case("district_stickers-post", "district_stickers", "POST", lambda w: (w.round_a.pk,),
         expect(LOGIN, 403, (TO_REVIEW, ("reviewer_d1",)), (404, ("reviewer_d2", "auditor"))),
         data={"field": "affixed_at"}, audited=True),
    # --- Dashboards (看板): the district's for its staff and the city; the city's; a school's for its administrator
    *[Case(f"{name}-{suffix}", name, "GET", lambda w, r=round_attr: (getattr(w, r).pk,),
           expect(LOGIN if not name.startswith("api:") else 401, 403, (200, (own, *CITY)), (404, (*outsiders, "auditor"))),
           audited=True)
      for name in ("district_dashboard", "api:dashboard_district")
      for suffix, round_attr, own, outsiders in (("own", "round_a", "reviewer_d1", ("reviewer_d2",)),
                                                 ("other-district", "round_b", "reviewer_d2", DISTRICT_A))],
    *[Case(name, name, "GET", expected=expect(LOGIN if not name.startswith("api:") else 401, 403, (200, CITY)),
           audited=True)
      for name in ("city_dashboard", "api:dashboard_city")],
    *[Case(f"{name}-{suffix}", name, "GET", lambda w, r=round_attr: (getattr(w, r).pk,),
           expect(LOGIN if not name.startswith("api:") else 401, 403, (200, own), (404, (*outsiders, "auditor"))),
           audited=True)
      for name in ("school_dashboard", "api:dashboard_school")
      for suffix, round_attr, own, outsiders in (("own", "round_a", SCHOOL_ADMINS_A, ("reviewer_d2",)),
                                                 ("other-district", "round_b", (), DISTRICT_A))],
    # --- Lookup (注册状态查询: the public lookup is in PUBLIC_URL_NAMES; the batch is for employers) --------
    *[Case(case_id, name, method, expected=expect(anonymous, 403, (ok, (*SCHOOL_ADMINS_A, "reviewer_d1", "reviewer_d2", *CITY))),
           data=data, json_body=body, audited=True)
      for case_id, name, method, anonymous, ok, data, body in (
          ("status_lookup_batch-get", "status_lookup_batch", "GET", LOGIN, 200, None, None),
          ("status_lookup_batch-post-no-file", "status_lookup_batch", "POST", LOGIN, 400, {}, None),
          ("api-lookup_batch", "api:lookup_batch", "POST", 401, 200, None,
           [{"certificate_number": "20085011420000001", "name": "张三"}]))],
    # The same through the API. READS: the round's district and the city may read; ALLOWED: who may act.
    *[Case(f"api-{name}", f"api:{name}", "GET", lambda w: (w.round_a.pk,),
           expect(401, 403, (ok, ("reviewer_d1", *CITY)), (404, ("reviewer_d2", "auditor"))),
           audited=tuple(p for p in LOGGED_IN if ok == 200 or p not in ("reviewer_d1", *CITY)))
      for name, ok in (("sample", 404), ("sample_verify", 404), ("sample_items", 200), ("final", 404),
                       ("stickers", 200))],  # 404: nothing drawn or approved yet, a plain 404 for those who may read
    *[Case(f"api-{name}", f"api:{name}", "POST", lambda w: (w.round_a.pk,),
           expect(401, 403, (ok, (actor,)), (404, ("reviewer_d2", "auditor"))), json_body=body,
           audited=tuple(p for p in LOGGED_IN if p != actor))
      for name, actor, ok, body in (("sample_draw", "city_reviewer", 409, {}),
                                    ("sample_widen", "city_reviewer", 404, {"stratum": "x"}),
                                    ("final_approve", "city_approver", 409, {}),
                                    ("stickers_mark", "reviewer_d1", 200, {"stickers": [], "field": "affixed_at"}))],
    Case("api-sample_record", "api:sample_record", "GET", lambda w: (w.round_a.pk,),
         expect(401, 403, (404, ("reviewer_d1", *CITY, "reviewer_d2", "auditor"))),
         audited=tuple(p for p in LOGGED_IN if p not in ("reviewer_d1", *CITY))),
    *[Case(f"api-{name}", f"api:{name}", method, lambda w: (w.round_a.pk,),
           expect(401, 403, (ok, ("reviewer_d1",)), (404, ("reviewer_d2", "auditor"))), json_body=body,
           audited=tuple(p for p in LOGGED_IN if p != "reviewer_d1"))
      for name, method, ok, body in (("stickers_pdf", "GET", 404, None), ("archive", "POST", 409, {}))],
    Case("district_form_pdf", "district_form_pdf", "GET", lambda w: (w.application_a1.pk,),
         expect(LOGIN, 404, (403, SEES_APP_A1), (200, ("reviewer_d1", *CITY))), audited=True),
    Case("api-item_check", "api:item_check", "POST", lambda w: (999999,), expect(401, 404),
         json_body={"result": "conforms"}, audited=True),
    Case("api-district_answer", "api:district_answer", "POST", lambda w: (w.application_a1.pk,),
         expect(401, 404, (403, SEES_APP_A1), (409, ("reviewer_d1",))), json_body={"conclusion": "qualified"},
         audited=True, effect="application_state"),
    # --- Data exchange (数据交换): the district's own staff only; another district's source or round is a 404 ---
    *[Case(f"{name}-{method.lower()}", name, method, expected=expect(
        LOGIN if not name.startswith("api:") else 401, 403, (ok, ("reviewer_d1", "reviewer_d2"))),
        data=data, audited=tuple(p for p in LOGGED_IN if p not in ("reviewer_d1", "reviewer_d2")))
      for name, method, ok, data in (
          ("exchange_home", "GET", 200, None), ("exchange_source_new", "GET", 200, None),
          ("exchange_source_new", "POST", 200, {}),  # an empty form: the form again, with its errors
          ("exchange_runs", "GET", 200, None), ("exchange_layout", "GET", 200, None),
          ("exchange_layout", "POST", 200, {}), ("api:exchange_sources", "GET", 200, None))],
    Case("api-exchange_source_create", "api:exchange_source_create", "POST",
         expected=expect(401, 403, (400, ("reviewer_d1", "reviewer_d2"))), json_body={"name": "", "kind": "training",
                                                                                        "value_column": "学时"},
         audited=tuple(p for p in LOGGED_IN if p not in ("reviewer_d1", "reviewer_d2"))),
    Case("api-exchange_source_update", "api:exchange_source_update", "PUT", lambda w: (exchange_source_a(w).pk,),
         expect(401, 403, (200, ("reviewer_d1",)), (404, ("reviewer_d2",))),
         json_body={"name": "继续教育平台", "kind": "training", "value_column": "学时"},
         audited=tuple(p for p in LOGGED_IN if p != "reviewer_d1")),
    *[Case(f"{name}-{method.lower()}", name, method, lambda w, extra=extra: (exchange_source_a(w).pk, *extra),
           expect(LOGIN if not name.startswith("api:") else 401, 403, (ok, ("reviewer_d1",)), (404, ("reviewer_d2",))),
           data=data, audited=tuple(p for p in LOGGED_IN if p != "reviewer_d1" or ok == 200))
      for name, method, extra, ok, data in (
          ("exchange_source_edit", "GET", (), 200, None),
          ("exchange_source_edit", "POST", (), 200, {}),
          ("exchange_import", "GET", (), 200, None),
          ("exchange_import", "POST", (), 200, {}),  # no file: the form again, with its error
          ("exchange_import_commit", "POST", ("0" * 32,), 404, {}),  # no such upload: a plain 404
          ("api:exchange_import", "POST", (), 400, {}),  # no file
          ("api:exchange_import_commit", "POST", ("0" * 32,), 404, {}))],
    *[Case(f"{name}-{suffix}", name, "GET", lambda w, r=round_attr: (getattr(w, r).pk,),
           expect(LOGIN if not name.startswith("api:") else 401, 403, (200, (own,)), (404, (*outsiders, "auditor"))),
           audited=True)
      for name in ("exchange_export", "api:exchange_export")
      for suffix, round_attr, own, outsiders in (("own", "round_a", "reviewer_d1", ("reviewer_d2",)),
                                                 ("other-district", "round_b", "reviewer_d2", DISTRICT_A))],
    # Issue 9: the page actions that had no endpoint yet (tests/api/test_parity.py).
    Case("api-review_application", "api:review_application", "GET", lambda w: (w.application_a1.pk,),
         expect(401, 404, (403, SEES_APP_A1), (200, ("reviewer_d1", *CITY))), audited=True),
    *[Case(f"api-{name}", f"api:{name}", "GET", lambda w: (w.round_a.pk,),
           expect(401, 403, (200, ("reviewer_d1", *CITY)), (404, ("reviewer_d2", "auditor"))), audited=True)
      for name in ("handovers", "returns")],
    Case("api-handover_receive", "api:handover_receive", "POST", lambda w: (w.round_a.pk, w.handover_a.pk),
         expect(401, 403, (200, ("reviewer_d1",)), (404, ("reviewer_d2", "auditor"))), json_body={}, audited=True,
         effect="handover_received"),
    Case("api-announcement_attach", "api:announcement_attach", "POST", lambda w: (w.round_a.pk,),
         expect(401, 403, (201, NOTICE_WRITERS), (404, ("reviewer_d2", "auditor"))),
         data={"title": "注册工作安排", "file": UPLOAD}, audited=True),
    # --- Audit (审计日志: the auditor reads it; the system administrator, like everyone else, cannot) ------
    Case("audit_log", "audit_log", "GET", expected=expect(LOGIN, 403, (200, ("auditor",))), audited=True),
    # --- Notifications (通知): one's own inbox; failed e-mails for the sysadmin (all) and the district (its own)
    Case("inbox", "notification_inbox", "GET", expected=expect(LOGIN, 200)),
    Case("inbox-read-own", "notification_read", "POST", lambda w: (w.notification_a1.pk,),
         expect(LOGIN, 404, (TO_INBOX, ("t_a1",))), audited=True, effect="notification_read"),
    Case("inbox-read-all", "notification_read_all", "POST", expected=expect(LOGIN, TO_INBOX),
         effect="notification_read"),
    Case("inbox-preference", "notification_preference", "POST", expected=expect(LOGIN, TO_INBOX)),
    Case("failed_emails", "failed_emails", "GET",
         expected=expect(LOGIN, 403, (200, ("reviewer_d1", "reviewer_d2", "sysadmin"))), audited=True),
    Case("failed_email_retry-district-a", "failed_email_retry", "POST", lambda w: (w.failed_email_a.pk,),
         expect(LOGIN, 403, (TO_FAILED, ("reviewer_d1", "sysadmin")), (404, ("reviewer_d2",))), audited=True,
         effect="email_retry"),
    Case("api-notifications", "api:notifications", "GET", expected=expect(401, 200)),
    Case("api-notification_read-own", "api:notification_read", "POST", lambda w: (w.notification_a1.pk,),
         expect(401, 404, (200, ("t_a1",))), json_body={}, audited=True, effect="notification_read"),
    Case("api-notifications_read_all", "api:notifications_read_all", "POST", expected=expect(401, 200),
         json_body={}, effect="notification_read"),
    Case("api-notification_preference", "api:notification_preference", "GET", expected=expect(401, 200)),
    Case("api-notification_preference_set", "api:notification_preference_set", "PUT", expected=expect(401, 200),
         json_body={"reminders": True}),
    Case("api-failed_emails", "api:failed_emails", "GET",
         expected=expect(401, 403, (200, ("reviewer_d1", "reviewer_d2", "sysadmin"))), audited=True),
    Case("api-failed_email_retry-district-a", "api:failed_email_retry", "POST", lambda w: (w.failed_email_a.pk,),
         expect(401, 403, (200, ("reviewer_d1", "sysadmin")), (404, ("reviewer_d2",))), json_body={}, audited=True,
         effect="email_retry"),
    # --- The Django admin (system administration) ----------------------------------------------------
    Case("admin-index", "admin:index", "GET", expected=expect(ADMIN_LOGIN, ADMIN_LOGIN, (200, ("sysadmin",)))),
]

COVERED = frozenset(c.name for c in CASES)


def _params():
    for case in CASES:
        for persona in PERSONAS:
            outcome = case.expected[persona]
            marks = ()
            if case.bug and outcome in (200, 201):
                marks = (pytest.mark.xfail(strict=True, reason=case.bug),)
            yield pytest.param(persona, case, id=f"{case.id}-{persona}", marks=marks)




# --- Test data beyond the world --------------------------------------------------------------------


def add_announcement(round_, *, with_attachment=True, published=False) -> Announcement:
    ann = Announcement.objects.create(
        published_at=timezone.now() if published else None,
        round=round_, document_number="黔江教办〔2026〕1号", title=f"关于开展{round_.year}年教师资格定期注册工作的通知",
        body="各中小学校：现将有关事项通知如下。", issuing_body=f"{round_.district.name}教育委员会",
    )
    if with_attachment:
        AnnouncementAttachment.objects.create(announcement=ann, number=1, title="注册工作公告", text="公告全文")
    return ann


@pytest.fixture
def matrix_world(world):
    add_announcement(world.round_a, published=True)
    add_announcement(world.round_b)
    world.token_t_a1, _raw = api_auth.token_create(user=world.t_a1, name="t001 的令牌")
    world.application_a1 = application_start(round_=world.round_a, teacher=world.teacher_a1, actor=world.t_a1)
    world.job_a = Job.objects.create(kind="school_proofs", label="考核鉴定表", owner=world.admin_a,
                                     params={"round": world.round_a.pk, "unit": world.school_a.pk})
    world.notification_a1 = Notification.objects.create(recipient=world.t_a1, event="confirmed", title="学校已现场确认您的申请",
                                                        body="……", link="/")
    world.failed_email_a = OutgoingEmail.objects.create(to="t001@example.cn", subject="【提醒】", body="……",
                                                        event="reminder_application", district=world.district_a,
                                                        status=OutgoingEmail.Status.FAILED, attempts=3)
    world.handover_a = HandOver.objects.create(round=world.round_a, unit=world.school_a, statistics={},
                                               filled_by="陈老师", phone="13812345678")
    return world


# --- Side effects ----------------------------------------------------------------------------------


def _snapshot(case: Case, w) -> Any:
    if case.effect == "administrator":
        return list(RegistrationAdministrator.objects.order_by("pk").values_list("round_id", "unit_id", "name", "phone"))
    if case.effect == "token_create":
        return ApiToken.objects.count()
    if case.effect == "application_start":
        return Application.objects.count()
    if case.effect == "handover_received":
        return HandOver.objects.get(pk=w.handover_a.pk).received_at
    if case.effect in ("terms", "application_state"):
        a = Application.objects.get(pk=w.application_a1.pk)
        return (a.terms_accepted_at, a.state)
    if case.effect == "announcement_title":
        return Announcement.objects.get(round=w.round_a).title
    if case.effect == "announcement_published_b":
        return Announcement.objects.get(round=w.round_b).published_at
    if case.effect == "token_revoke":
        return ApiToken.objects.get(pk=w.token_t_a1.pk).revoked_at
    if case.effect == "email_retry":
        return OutgoingEmail.objects.get(pk=w.failed_email_a.pk).status
    return None


def _check_effect(case: Case, w, persona: str, client: Client, succeeded: bool, before: Any) -> None:
    if case.effect == "administrator":
        after = list(RegistrationAdministrator.objects.order_by("pk").values_list("round_id", "unit_id", "name", "phone"))
        written = AuditEvent.objects.filter(action="round.name_administrator")
        if succeeded:
            user = getattr(w, persona)
            assert after == [*before, (w.round_a.pk, user.organisation_id, "王老师", "13812345678")]
            assert written.filter(user=user).count() == 1
        else:
            assert after == before, "a refused POST must not change the database"
            assert not written.exists()
    elif case.effect == "token_create":
        assert ApiToken.objects.count() == before + (1 if succeeded else 0)
    elif case.effect == "handover_received":
        received = HandOver.objects.get(pk=w.handover_a.pk).received_at
        assert (received is not None) == succeeded and before is None, "only the district registers the arrival"
    elif case.effect == "application_start":
        assert Application.objects.count() == before + (1 if succeeded and persona != "t_a1" else 0)
    elif case.effect == "terms":
        accepted = Application.objects.get(pk=w.application_a1.pk).terms_accepted_at
        assert (accepted is not None) == succeeded, "only the applicant accepts the terms"
    elif case.effect == "application_state":
        assert Application.objects.get(pk=w.application_a1.pk).state == "draft", "an incomplete draft stays a draft"
    elif case.effect == "announcement_title":
        title = Announcement.objects.get(round=w.round_a).title
        assert (title == ANNOUNCEMENT_POST["title"]) == succeeded, "only the district may rewrite its notice"
    elif case.effect == "announcement_published_b":
        published = Announcement.objects.get(round=w.round_b).published_at
        assert (published is not None) == succeeded and before is None, "only the district may publish"
    elif case.effect == "token_revoke":
        revoked_at = ApiToken.objects.get(pk=w.token_t_a1.pk).revoked_at
        if succeeded:
            assert revoked_at is not None
        else:
            assert before is None and revoked_at is None, "someone else's token must stay valid"
    elif case.effect == "notification_read":
        read = Notification.objects.get(pk=w.notification_a1.pk).read_at
        assert (read is not None) == (persona == "t_a1"), "only the recipient marks a notification read"
    elif case.effect == "email_retry":
        status = OutgoingEmail.objects.get(pk=w.failed_email_a.pk).status
        assert before == "failed" and (status != "failed") == succeeded, "only the district or sysadmin retries"
    elif case.effect == "logout":
        assert client.get(reverse("home")).status_code == 302, "the session must be over after logout"
    elif case.effect == "still_logged_in" and persona != "anonymous":
        assert client.get(reverse("home")).status_code == 200, "GET on logout must not log anyone out"


def _assert_outcome(response, expected, path: str) -> None:
    if isinstance(expected, int):
        assert response.status_code == expected, f"{path}: {response.status_code} (expected {expected})"
        return
    status, target = expected
    assert response.status_code == status, f"{path}: {response.status_code} (expected {status} → {target})"
    location = response["Location"]
    if target == "login":
        assert location.startswith(f"{reverse('login')}?next="), location
    elif target == "login-plain":
        assert location == reverse("login"), location
    elif target == "admin:login":
        assert location.startswith(f"{reverse('admin:login')}?next="), location
    elif target == "home":
        assert location == reverse("home"), location
    elif target == "announcement_edit":
        assert location.startswith("/rounds/") and location.endswith("/announcement/"), location
    elif target == "school":
        assert location.startswith("/school/"), location
    elif target == "city":
        assert location.startswith("/city/"), location
    elif target == "reviews":
        assert location.startswith("/reviews/"), location
    elif target == "jobs":
        assert location.startswith("/jobs/"), location
    elif target == "rounds":
        assert location.startswith("/rounds/"), location
    elif target == "api_tokens":
        assert location == reverse("api_tokens"), location
    elif target == "apply":
        assert location.startswith("/apply/"), location
    elif target == "inbox":
        assert location == reverse("notification_inbox"), location
    elif target == "failed_emails":
        assert location == reverse("failed_emails"), location
    elif target == "round_detail":
        assert location.startswith("/rounds/") and location.count("/") == 3, location
    else:  # pragma: no cover - a typo in the table
        raise AssertionError(target)


@pytest.mark.parametrize(("persona", "case"), list(_params()))
def test_it_gives_each_persona_the_status_the_matrix_says(matrix_world, client_for, persona, case):
    w = matrix_world
    client = client_for(persona)
    path = reverse(case.name, args=case.args(w))
    before = _snapshot(case, w)
    denied_before = AuditEvent.objects.filter(action="authz.denied").count()

    if case.method == "GET":
        response = client.get(path)
    elif case.method == "PUT":
        response = client.put(path, data=json.dumps(case.json_body), content_type="application/json")
    elif case.json_body is not None:
        response = client.post(path, data=json.dumps(case.json_body), content_type="application/json")
    else:
        response = client.post(path, data=case.data or {})

    expected = case.expected[persona]
    _assert_outcome(response, expected, path)

    status = expected if isinstance(expected, int) else expected[0]
    succeeded = status in (200, 201) or (
        expected in (HOME, TO_INBOX, TO_FAILED, TO_ANNOUNCEMENT_EDIT, TO_ROUND, TO_APPLY, TO_SCHOOL, TO_ROUND_PAGE,
                     TO_JOB, TO_REVIEW, TO_CITY, TO_TOKENS) and case.method == "POST")
    _check_effect(case, w, persona, client, succeeded, before)

    denied = AuditEvent.objects.filter(action="authz.denied")
    audited = case.audited is True or persona in (case.audited or ())
    if audited and persona != "anonymous" and status in (403, 404):
        row = denied.get()
        assert row.user_id == getattr(w, persona).pk
        assert row.data["path"] == path
        assert row.data["status"] == status
        assert row.result == AuditEvent.Result.DENIED
    else:
        assert denied.count() == denied_before


def test_every_persona_and_every_route_is_in_the_matrix():
    for case in CASES:
        assert set(case.expected) == set(PERSONAS), case.id


def test_every_refusal_is_audited(world, client_for):
    # 404: reviewer_d2 (district B) asks for district A's round — not theirs, so it does not exist for them.
    path_404 = reverse("round_detail", args=(world.round_a.pk,))
    assert client_for("reviewer_d2").get(path_404).status_code == 404
    # 403: teacher t_a1 sees the round but may not name the school's registration administrator.
    path_403 = reverse("name_administrator", args=(world.round_a.pk,))
    assert client_for("t_a1").post(path_403, ADMINISTRATOR_POST).status_code == 403

    rows = {e.data["status"]: e for e in AuditEvent.objects.filter(action="authz.denied")}
    assert set(rows) == {403, 404}
    assert rows[404].user_id == world.reviewer_d2.pk
    assert rows[404].username == "rev_d2"
    assert rows[404].role == "district_reviewer"
    assert rows[404].data["path"] == path_404
    assert rows[403].user_id == world.t_a1.pk
    assert rows[403].role == "teacher"
    assert rows[403].data["path"] == path_403
    assert rows[403].data["action"] == "unit.name_administrator"
    assert all(e.result == "denied" and e.request_id for e in rows.values())
    assert not RegistrationAdministrator.objects.exists()
