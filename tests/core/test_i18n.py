"""The English catalogue (locale/en/LC_MESSAGES/django.po) and the marking of user-facing text (docs/i18n.md).

(a) every entry is translated and none is fuzzy; (b) the committed catalogue has exactly the msgids the code has
now (`make messages` was run); (c) the committed .mo is the compiled .po; placeholders survive translation;
(d) no Chinese text reaches a user without passing through gettext, except in the modules listed below.
"""

from __future__ import annotations

import ast
import gettext as gettext_module
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # CJK ideographs


# --- A small PO reader (no polib in the dependencies) --------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # index 0 for a singular entry
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple:
        return (self.msgctxt, self.msgid, self.msgid_plural)


def _unquote(text: str) -> str:
    return ast.literal_eval(text)  # PO strings are C-escaped, close enough to Python's for what msgfmt writes


def read_po(path: Path) -> list[Entry]:
    """The entries of a PO file, header excluded; obsolete (#~) entries are skipped."""
    entries: list[Entry] = []
    current: Entry | None = None
    target = None  # ("msgid",) / ("msgid_plural",) / ("msgctxt",) / ("msgstr", n)
    flags: set[str] = set()

    def finish():
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
                target = None
            continue
        if line.startswith("#,"):
            finish()
            flags = {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = _unquote(line)
            if target[0] == "msgstr":
                current.msgstr[target[1]] += value
            else:
                setattr(current, target[0], getattr(current, target[0]) + value)
            continue
        if keyword in ("msgctxt", "msgid") and current is not None and (keyword == "msgctxt" or current.msgid or current.msgstr):
            finish()
        if current is None:
            current = Entry(flags=flags, line=number)
            flags = set()
        if keyword.startswith("msgstr["):
            target = ("msgstr", int(keyword[7:-1]))
            current.msgstr[target[1]] = _unquote(rest)
        elif keyword == "msgstr":
            target = ("msgstr", 0)
            current.msgstr[0] = _unquote(rest)
        else:
            target = (keyword,)
            setattr(current, keyword, _unquote(rest))
    finish()
    return [e for e in entries if not (e.msgid == "" and e.msgctxt is None)]


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    assert PO.exists(), f"{PO.relative_to(ROOT)} is missing: run `make messages`"
    return read_po(PO)


# --- (a) complete ----------------------------------------------------------------------------------------


def test_every_msgid_has_an_english_translation(catalogue):
    untranslated = [e for e in catalogue if not e.msgstr or any(not s for s in e.msgstr.values())]
    fuzzy = [e for e in catalogue if "fuzzy" in e.flags]
    problems = [f"  untranslated (django.po:{e.line}): {e.msgid!r}" for e in untranslated]
    problems += [f"  fuzzy (django.po:{e.line}): {e.msgid!r}" for e in fuzzy]
    assert not problems, (
        f"{len(untranslated)} of {len(catalogue)} entries untranslated, {len(fuzzy)} fuzzy in "
        f"{PO.relative_to(ROOT)} (translate them, then `make messages`):\n" + "\n".join(problems)
    )


def test_the_header_says_english_and_is_not_fuzzy():
    text = PO.read_text(encoding="utf-8")
    header = text.split("\n\n", 1)[0]
    assert '"Language: en\\n"' in header
    assert "#, fuzzy" not in header


# --- (b) in step with the code ---------------------------------------------------------------------------


def test_the_catalogue_has_every_msgid_of_the_code_and_no_other(catalogue, tmp_path):
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        pytest.skip("GNU gettext (xgettext, msgmerge) is not installed: cannot check the catalogue against the code")
    # makemessages on a copy of the sources, so the committed catalogue is never touched.
    for name in ("tqr", "templates"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale").mkdir()
    run = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale=en", "--domain=django", "--no-obsolete",
         "--add-location=file", "--no-wrap", "--ignore=var"],
        cwd=tmp_path, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path),
                                                          "DJANGO_SETTINGS_MODULE": "tqr.settings", "HOME": str(tmp_path)},
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    extracted = {e.key for e in read_po(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")}
    committed = {e.key for e in catalogue}
    missing = sorted(extracted - committed, key=str)
    stale = sorted(committed - extracted, key=str)
    assert not missing and not stale, (
        "the committed catalogue is out of step with the code: run `make messages` and commit locale/\n"
        + "".join(f"  missing: {k[1]!r}\n" for k in missing)
        + "".join(f"  no longer in the code: {k[1]!r}\n" for k in stale)
    )


# --- (c) the .mo is the compiled .po ---------------------------------------------------------------------


def test_the_compiled_catalogue_matches_the_po(catalogue):
    assert MO.exists(), f"{MO.relative_to(ROOT)} is missing: run `make messages`"
    with MO.open("rb") as fh:
        compiled = dict(gettext_module.GNUTranslations(fh)._catalog)
    compiled.pop("", None)  # the header
    expected: dict = {}
    for e in catalogue:
        if "fuzzy" in e.flags or not e.msgstr or any(not s for s in e.msgstr.values()):
            continue  # msgfmt leaves out what is not (fully) translated
        msgid = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            expected[msgid] = e.msgstr[0]
        else:
            expected.update({(msgid, n): s for n, s in e.msgstr.items()})
    differ = sorted(k for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k))
    assert not differ, f"django.mo is not the compiled django.po (run `make messages`): {differ[:20]}"


# --- placeholders ----------------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


def _placeholders(text: str) -> list[str]:
    return sorted(p for p in PLACEHOLDER.findall(text) if p != "%%")


def test_each_translation_keeps_the_placeholders_of_its_msgid(catalogue):
    wrong = []
    for e in catalogue:
        if "python-format" not in e.flags:
            continue
        for n, text in e.msgstr.items():
            source = e.msgid if (e.msgid_plural is None or n == 0) else e.msgid_plural
            if text and _placeholders(text) != _placeholders(source):
                # a plural's singular form may leave out its number (%(count)s): "one file"
                if e.msgid_plural is not None and set(_placeholders(text)) < set(_placeholders(source)):
                    continue
                wrong.append(f"  django.po:{e.line}: {source!r} -> {text!r}")
    assert not wrong, "translations that lost or invented a placeholder:\n" + "\n".join(wrong)


def test_the_placeholder_check_sees_named_and_positional_placeholders():
    assert _placeholders("共 %(count)s 人，%s 所学校，100%%") == ["%(count)s", "%s"]
    assert _placeholders("%(count)d teachers, %s schools, 100%%") == ["%(count)d", "%s"]


# --- (d) lint: Chinese text only through gettext ---------------------------------------------------------

# Modules whose Chinese string literals stay Chinese on purpose (docs/i18n.md says why).
PYTHON_ALLOWLIST = {
    "tqr/documents/": "official documents (申请表, 考核鉴定表, 统计表, 公示, 抽查记录, 标签) in the national/official formats",
    "tqr/applications/documents.py": "feeds the official PDF forms (申请表) with their Chinese wording",
    "tqr/applications/statistics_documents.py": "feeds the official statistics workbook (统计表)",
    "tqr/reviews/documents.py": "feeds the official 附件3 and 公示 documents",
    "tqr/city/documents.py": "feeds the city's official documents (抽查记录, 标签)",
    "tqr/reviews/exports.py": "column headings of the official Excel lists, read back by other offices",
    "tqr/audit/exports.py": "audit export for the log server: data, not UI",
    "tqr/lookup/batch_file.py": "the batch-lookup workbook in the agreed Chinese column format",
    "tqr/teachers/import_template.py": "the teacher-data import template: its Chinese column headings are the file format",
    "tqr/demo/": "demo data (names, schools, the demo district)",
    "/migrations/": "migrations are frozen history; they carry the verbose names of their day",
    "/management/commands/": "console output of operator commands (Chinese-speaking operators), not a page or API",
    "tqr/settings.py": "the TOTP issuer name shown in authenticator apps is the system's fixed name",
    "tqr/audit/models.py": "audit action labels are data: the log reads the same whatever language a reader uses",
    "tqr/audit/chain.py": "hash-chain verification messages for the audit command (console)",
    "tqr/audit/checks.py": "system checks for operators (console)",
    "tqr/core/backup.py": "backup and restore for operators (console, manifest)",
    "tqr/api/exchange.py": "OpenAPI tags, summaries and examples are developer documentation; its error details are marked",
    "tqr/api/imports.py": "OpenAPI tags, summaries and examples are developer documentation; its error details are marked",
    "tqr/core/commands.py": "the management commands' shared argument parsing: console refusals for operators",
    "tqr/core/scheduled.py": "summaries of scheduled work for the run_schedule console log (operators), not a page or API",
    "tqr/api/openapi.py": "OpenAPI texts (standard error descriptions, examples): developer documentation, not UI",
    "tqr/api/schemas.py": "OpenAPI examples and field descriptions of the API schemas: developer documentation, not UI",
    "tqr/api/api.py": "the API's title, description, tags and summaries (developer documentation); its error details use gettext",
    "tqr/api/applications.py": "OpenAPI tags, summaries, field descriptions and examples (developer documentation); its error details use gettext",
    "tqr/api/dashboards.py": "OpenAPI tags and summaries (developer documentation)",
    "tqr/api/help.py": "OpenAPI tags, summaries and field descriptions (developer documentation); its error detail uses gettext",
    "tqr/api/campaigns.py": "OpenAPI tags, summaries and examples (developer documentation); its error details use gettext",
    "tqr/city/archive.py": "the archive package (资料归档) is filed with the official documents: its file names and records "
                           "are written in Chinese whatever the language of who started it (built under translation.override)",
    "tqr/api/visits.py": "left: OpenAPI tags, summaries and examples (developer documentation); its error details are marked",
    "tqr/api/city.py": "left: OpenAPI tags, summaries and examples (developer documentation); its error details are marked",
    "tqr/api/lookup.py": "left: OpenAPI tags, summaries, field descriptions and examples (developer documentation); "
                         "its error details are marked",
    "tqr/api/notifications.py": "OpenAPI tags and summaries only (developer documentation)",
    "tqr/api/school.py": "OpenAPI summaries, tags, descriptions and examples are developer documentation; its error "
                         "details and messages go through gettext",
    "tqr/api/reviews.py": "OpenAPI summaries, tags, descriptions and examples are developer documentation; its error "
                          "details and messages go through gettext",
}

# Modules that still show raw Chinese and must be marked (issue 11 follow-up): views' messages, form and service
# errors, API errors, choices labels, import/export messages. The number is how many literals each had when it
# was listed. Shrink this list as modules are marked; never grow it.
PYTHON_PENDING: set[str] = set()

# A line that ends with this comment holds Chinese that is data, not UI text: a file format's column heading that
# other offices' files must match, a value compared with what people typed. Say which in the comment's tail.
DATA_MARK = "# i18n: data"

GETTEXT_NAMES = {
    "_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
    "npgettext", "npgettext_lazy",
}


def _allowlisted(rel: str) -> bool:
    return any(key in f"/{rel}" if key.startswith("/") else rel.startswith(key) for key in PYTHON_ALLOWLIST) or rel in PYTHON_PENDING


def _call_name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def chinese_literals_outside_gettext(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string literal with Chinese that is neither a docstring nor inside a gettext call."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(first.value)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str) and HAN.search(node.value)):
            continue
        if node in docstrings:
            continue
        up = node
        while up in parents:
            up = parents[up]
            if isinstance(up, ast.Call) and _call_name(up.func) in GETTEXT_NAMES:
                break
        else:
            found.append((node.lineno, node.value))
    return sorted(found)


def test_no_chinese_string_reaches_a_user_without_gettext():
    problems = []
    for path in sorted((ROOT / "tqr").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if _allowlisted(rel):
            continue
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for line, text in chinese_literals_outside_gettext(source):
            if DATA_MARK in lines[line - 1]:
                continue
            problems.append(f"{rel}:{line}: {text[:60]!r}")
    assert not problems, (
        f"{len(problems)} Chinese string literals outside gettext (wrap them in _()/gettext_lazy(); see docs/i18n.md):\n"
        + "\n".join(problems)
    )


def test_the_allowlisted_and_pending_modules_exist():
    for key in list(PYTHON_ALLOWLIST) + sorted(PYTHON_PENDING):
        if key.startswith("/"):
            assert list((ROOT / "tqr").rglob(f"*{key.rstrip('/')}*")), key
        else:
            assert (ROOT / key).exists(), key


_TRANS_IN_TAG = re.compile(r"""_\((?:"[^"]*"|'[^']*')\)""")
_QUOTED = re.compile(r""""[^"]*"|'[^']*'""")


def chinese_outside_trans(template: str) -> list[tuple[int, str]]:
    """(line, text) of Chinese in a template outside {% trans %}, {% blocktrans %}…{% endblocktrans %}, _("…")
    in tags, and comments."""
    found = []
    comment = 0
    blocktrans = False
    for token in Lexer(template).tokenize():
        text = token.contents
        if token.token_type == TokenType.COMMENT:
            continue
        if token.token_type == TokenType.BLOCK:
            name = text.split(None, 1)[0] if text.strip() else ""
            if name == "comment":
                comment += 1
            elif name == "endcomment":
                comment -= 1
            elif name in ("blocktrans", "blocktranslate") and not comment:
                blocktrans = True
                # its msgid is the text that follows; the tag itself ({% blocktrans with x=y|default:"…" %}) is checked
                rest = _TRANS_IN_TAG.sub("", text)
                if HAN.search(rest):
                    found.append((token.lineno, rest.strip()))
                continue
            elif name in ("endblocktrans", "endblocktranslate"):
                blocktrans = False
            if name in ("comment", "endcomment", "endblocktrans", "endblocktranslate", "plural"):
                continue
            if name in ("trans", "translate"):
                text = _QUOTED.sub("", text, count=1)  # the msgid; what follows (`as x`) is checked
        if comment or blocktrans:
            continue
        rest = _TRANS_IN_TAG.sub("", text)
        if HAN.search(rest):
            found.append((token.lineno, rest.strip()))
    return found


def test_no_chinese_in_templates_outside_trans_tags():
    problems = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.is_file() and path.suffix in (".html", ".txt"):
            rel = path.relative_to(ROOT).as_posix()
            problems += [f"{rel}:{line}: {text[:60]!r}" for line, text in chinese_outside_trans(path.read_text(encoding="utf-8"))]
    assert not problems, (
        f"{len(problems)} Chinese texts outside {{% trans %}}/{{% blocktrans %}} (docs/i18n.md):\n" + "\n".join(problems)
    )


def test_the_linters_see_what_they_should():
    assert chinese_outside_trans('{% load i18n %}<p>{% trans "好" %}</p>{# 注释 #}{% comment %}旧{% endcomment %}') == []
    assert chinese_outside_trans('{% blocktrans with n=x %}共 {{ n }} 人{% endblocktrans %}') == []
    assert chinese_outside_trans('{% include "x.html" with label=_("标题") %}') == []
    assert [line for line, _ in chinese_outside_trans("<p>\n{% if x %}\n未标记</p>{% endif %}")] == [2]
    assert chinese_outside_trans('{{ x|default:"无" }}') != []
    assert chinese_outside_trans('{% blocktrans with n=x|default:"无" %}{{ n }}{% endblocktrans %}') != []
    source = '"""模块说明"""\nfrom django.utils.translation import gettext as _\nA = _("好")\nB = "坏"\nC = f"坏{A}"\n'
    assert [line for line, _ in chinese_literals_outside_gettext(source)] == [4, 5]
