from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tqr.accounts.forms import LoginForm
from tqr.accounts.models import Role
from tqr.accounts.permissions import can
from tqr.campaigns.selectors import current_round, today, units_for_administrators


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def home(request):
    """Each role lands here: its scope, the current round's phase and dates, and the announcement."""
    user = request.user
    round_ = current_round(user)
    day = today()
    context = {"round": round_, "day": day, "status": round_.status(day) if round_ else None}
    if round_ is not None:
        context["windows"] = round_.timeline()
        context["announcement"] = getattr(round_, "announcement", None)
        if user.role == Role.SCHOOL_ADMIN:
            context["my_administrator"] = round_.administrators.filter(unit_id=user.organisation_id).first()
            if can(user, "round.school_work", round_):
                from tqr.reviews.dashboard import school_dashboard

                # What is due next, as on 本校看板: the first thing a school administrator sees.
                context["school_next"] = school_dashboard(round_, user.organisation, day=day)["next"]
        if can(user, "round.view_administrators", round_):
            rows = units_for_administrators(round_)
            context["units_total"] = len(rows)
            context["units_missing"] = sum(1 for _, a in rows if a is None)
    if user.role == Role.TEACHER:
        profile = getattr(user, "teacher", None)
        context["profile"] = profile
        if profile is not None and round_ is not None:
            context["evaluation"] = round_.evaluations.filter(teacher=profile).first()
            application = round_.applications.select_related("teacher__user").filter(teacher=profile).first()
            context["application"] = application
            if application is not None:
                from tqr.applications.overview import teacher_overview

                application.round = round_  # with its windows already loaded
                context["overview"] = teacher_overview(application, day)
    return render(request, "accounts/home.html", context)
