"""The full resident ID, shown only to the roles that verify it against the original, and every showing audited.

Everywhere else the masked form (500114********123X) is all anyone sees (PIPL; security-tests §23)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST

from tqr.accounts.permissions import get_visible_or_404, require, visible_applications
from tqr.audit.services import record


@login_required
@require_POST
def full_id(request, application_id: int):
    app = get_visible_or_404(request, visible_applications(request.user).select_related("teacher"), pk=application_id)
    require(request, "application.view_full_id", app)
    record("pii.view_full_id", obj=app, data={"reason": request.POST.get("reason", "")[:100]})
    response = render(request, "applications/full_id.html", {"app": app})
    response["Cache-Control"] = "no-store, private"
    return response
