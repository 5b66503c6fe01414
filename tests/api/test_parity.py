"""Every page action has its endpoint: the service functions the pages call are called by the API too.

The rule, read statically (ast, nothing imported or run):

- A *service function* is a public (no leading underscore) top-level function of a service module: every
  `tqr/<app>/services.py`, plus the modules in EXTRA_SERVICE_MODULES, which hold services under another name.
- A *page* is a module `tqr/**/views*.py` or `tqr/**/*_views.py`; the *API* is `tqr/api/*.py`.
- A call counts when the module imports the service module (`from tqr.x import services`, then
  `services.f`) or the function itself (`from tqr.x.services import f`), anywhere in the file (function-level
  imports included). Calls through another helper are not followed: a view that calls a service through a
  selector of its own would hide it, so keep views thin (style §4).

The test fails listing each service function some page uses and no API module does, except ALLOWED below,
each with its reason. An entry that is no longer needed fails too, so the list cannot rot.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TQR = ROOT / "tqr"

EXTRA_SERVICE_MODULES = (
    "tqr/applications/school.py",  # the school's services: checklist, bulk confirm, reminders, hand-over
    "tqr/teachers/imports.py",  # the Excel import: upload → preview → commit
    "tqr/core/jobs.py",  # job_start: background jobs started by a page or an endpoint
    "tqr/api/auth.py",  # personal API tokens: token_create / token_revoke
)

# Service functions a page uses that the API deliberately does not, and why.
ALLOWED = {
    # The login-side account flows are HTML by nature: they run before there is a session or a token, and a
    # token cannot be created without a logged-in user (ASVS: no password or TOTP over the token API).
    "tqr.accounts.services.teacher_signup": "self-registration page, before any account exists",
    "tqr.accounts.services.email_verify": "the link in the verification e-mail, opened in a browser",
    "tqr.accounts.services.email_verification_resend": "part of the signup page flow",
    "tqr.accounts.services.password_change": "password change needs the session and its re-authentication",
    "tqr.accounts.services.totp_device": "two-factor enrolment and login: session-only by design",
    "tqr.accounts.services.totp_enrolment_start": "two-factor enrolment and login: session-only by design",
    "tqr.accounts.services.totp_enrolment_confirm": "two-factor enrolment and login: session-only by design",
    "tqr.accounts.services.totp_verify": "two-factor enrolment and login: session-only by design",
    "tqr.accounts.services.totp_throttled": "two-factor enrolment and login: session-only by design",
    # The signed link in a reminder e-mail works without a login; API users set the same preference with
    # PUT /notifications/preference (services.preference_set).
    "tqr.notifications.services.unsubscribe_user": "the e-mail's signed unsubscribe link, opened in a browser",
}


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def service_functions() -> dict[str, set[str]]:
    modules = sorted(TQR.glob("*/services.py")) + [ROOT / m for m in EXTRA_SERVICE_MODULES]
    found = {}
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found[_module_name(path)] = {
            node.name for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_")
        }
    return found


def called_services(path: Path, services: dict[str, set[str]]) -> set[str]:
    """Dotted names of the service functions `path` calls or references."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules, functions = {}, {}  # local name → service module / "module.function"
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                local = alias.asname or alias.name
                if f"{node.module}.{alias.name}" in services:
                    modules[local] = f"{node.module}.{alias.name}"
                elif alias.name in services.get(node.module, ()):
                    functions[local] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in services:
                    modules[alias.asname or alias.name] = alias.name
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules:
            module = modules[node.value.id]
            if node.attr in services[module]:
                used.add(f"{module}.{node.attr}")
        elif isinstance(node, ast.Name) and node.id in functions:
            used.add(functions[node.id])
    return used


def page_modules() -> list[Path]:
    return sorted(set(TQR.rglob("views*.py")) | set(TQR.rglob("*_views.py")))


def api_modules() -> list[Path]:
    return sorted((TQR / "api").glob("*.py"))


def _uses(paths: list[Path], services) -> dict[str, set[str]]:
    uses = {}
    for path in paths:
        for name in called_services(path, services):
            uses.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return uses


def test_the_rule_sees_the_known_calls():
    services = service_functions()
    assert "tqr.applications.services.application_transition" in called_services(
        TQR / "api" / "applications.py", services)
    assert "tqr.applications.school.handover_receive" in called_services(
        TQR / "applications" / "school_views.py", services)
    assert "tqr.teachers.imports.import_upload" in called_services(TQR / "api" / "imports.py", services)


def test_every_service_a_page_uses_has_an_endpoint():
    services = service_functions()
    pages, api = _uses(page_modules(), services), _uses(api_modules(), services)
    missing = {name: sorted(where) for name, where in pages.items() if name not in api and name not in ALLOWED}
    assert missing == {}, "page actions without an API endpoint (add one, or allow-list it with a reason):\n" + \
        "\n".join(f"  {name}  ← {', '.join(where)}" for name, where in sorted(missing.items()))


def test_the_allow_list_has_no_stale_entry():
    services = service_functions()
    pages, api = _uses(page_modules(), services), _uses(api_modules(), services)
    stale = sorted(name for name in ALLOWED if name not in pages or name in api)
    assert stale == [], f"remove from ALLOWED (no page uses it, or the API does now): {stale}"
