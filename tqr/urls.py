from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from tqr.accounts import views as account_views
from tqr.api.api import api
from tqr.applications import school_urls
from tqr.campaigns import views as campaign_views
from tqr.city import urls as city_urls
from tqr.core import job_views
from tqr.core import views as core_views
from tqr.reviews import urls as review_urls

admin.site.site_header = _("TQR 系统管理")
admin.site.site_title = _("TQR 系统管理")
admin.site.index_title = _("机构、账号、注册年度与设置")

# URL names reachable without login (the route-coverage test in tests/test_routes.py reads this list).
PUBLIC_URL_NAMES = {"login", "healthz", "api:openapi-json", "api:openapi-view", "signup", "verify_email", "password_reset", "password_reset_done", "password_reset_confirm", "password_reset_complete",
                    "notice_public", "objection_public", "notice_public_pdf"}
PUBLIC_URL_NAMES |= {"status_lookup", "api:lookup"}  # 注册状态查询: public on purpose, rate-limited
PUBLIC_URL_NAMES |= {"notification_unsubscribe"}  # 退订提醒: the signed token in the e-mail is the authority
PUBLIC_URL_NAMES |= {"api:public_notice", "api:public_objection"}  # 公示 and its objections, as the pages
PUBLIC_URL_NAMES |= {"set_language"}  # 界面语言: the switch on every page, the login page included
PUBLIC_URL_NAMES |= {"help", "help_role", "api:help"}  # 帮助: steps, dates, materials, rules, FAQ; nothing in it is secret

urlpatterns = [
    path("", account_views.home, name="home"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", core_views.healthz, name="healthz"),
    # Django's set_language, POST only: a GET changes nothing there and would only bounce to `next`.
    path("i18n/setlang/", require_POST(set_language), name="set_language"),
    path("account/", include("tqr.accounts.urls")),
    path("account/otp/", include("tqr.accounts.otp_urls")),  # 两步验证 (a logged-in session, not yet verified)
    path("apply/", include("tqr.applications.urls")),
    path("teachers/", include("tqr.teachers.urls")),
    path("school/", include("tqr.applications.school_urls")),
    path("reviews/", include("tqr.reviews.urls")),
    path("reviews/", include(city_urls.district_urlpatterns)),
    path("city/", include("tqr.city.urls")),
    path("notices/", include(review_urls.public_urlpatterns)),
    path("lookup/", include("tqr.lookup.urls")),
    path("help/", include("tqr.help.urls")),
    path("visits/", include("tqr.visits.urls")),
    path("audit/", include("tqr.audit.urls")),
    path("inbox/", include("tqr.notifications.urls")),
    path("exchange/", include("tqr.exchange.urls")),
    path("jobs/<uuid:job_id>/", job_views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_id>/download/", job_views.job_download, name="job_download"),
    path("jobs/<uuid:job_id>/retry/", job_views.job_retry, name="job_retry"),
    path("rounds/", include(school_urls.district_urlpatterns)),
    path("rounds/<int:round_id>/", campaign_views.round_detail, name="round_detail"),
    path(
        "rounds/<int:round_id>/attachments/<int:number>/",
        campaign_views.attachment_download,
        name="attachment_download",
    ),
    path("rounds/<int:round_id>/administrator/", campaign_views.name_administrator, name="name_administrator"),
    path("rounds/<int:round_id>/announcement/", campaign_views.announcement_edit, name="announcement_edit"),
    path(
        "rounds/<int:round_id>/announcement/publish/",
        campaign_views.announcement_publish,
        name="announcement_publish",
    ),
    path(
        "rounds/<int:round_id>/administrators/",
        campaign_views.administrators_overview,
        name="administrators_overview",
    ),
    path("api/v1/", api.urls),
    path(settings.TQR_ADMIN_PATH, admin.site.urls),
]

handler404 = "tqr.core.views.not_found"
handler500 = "tqr.core.views.server_error"
handler403 = "tqr.core.views.forbidden"
