"""帮助: one page per role, public (help is not secret; the round's dates are published in its notice anyway)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tqr.help import content
from tqr.help.selectors import guide_for, help_context


@require_GET
def help_index(request):
    """The page for the visitor's role; the general one for anyone without a role page."""
    return _render(request, guide_for(request.user))


@require_GET
def help_page(request, role: str):
    if role not in content.GUIDES:
        raise Http404
    return _render(request, role)


def _render(request, guide: str):
    context = help_context(request.user, guide)
    context["own_guide"] = guide_for(request.user)
    return render(request, "help/page.html", context)
