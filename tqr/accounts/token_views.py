"""我的 API 令牌: the user creates, lists and revokes personal API tokens (docs/api.md).

The raw token is in the response to the creating POST only (never stored, never redirected to, not cached);
afterwards the page shows its prefix. A token is its user's alone: anyone else's id is a 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from tqr.accounts.models import ApiToken
from tqr.accounts.permissions import get_visible_or_404
from tqr.api.auth import token_create, token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(label=_("用途"), max_length=100, help_text=_("如“教务系统同步脚本”，便于日后识别和吊销"))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    form, raw = TokenForm(), None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            _token, raw = token_create(user=request.user, name=form.cleaned_data["name"])
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "accounts/api_tokens.html", {"form": form, "raw": raw, "tokens": tokens})


@login_required
@require_POST
def api_token_revoke(request, token_id: int):
    token = get_visible_or_404(request, ApiToken.objects.filter(user=request.user), pk=token_id)
    token_revoke(token=token, actor=request.user)
    messages.success(request, gettext("令牌“%(name)s”已吊销，使用它的程序将无法再访问。") % {"name": token.name})
    return redirect("api_tokens")
