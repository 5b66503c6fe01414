"""python manage.py evaluate FILE — run the rules engine over cases in JSON (shared/domain/rules.md)."""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from tqr.rules.engine import CaseError, RuleSettings, evaluate_dict

# Exit status for input that is not well-formed JSON of the contract's shape (rules.md).
MALFORMED = 2


class Command(BaseCommand):
    help = (
        "按注册规则评估案例：FILE 为一个案例对象或案例数组（JSON），'-' 表示标准输入；"
        "输出对应的结果（JSON）。Evaluate rule cases from FILE ('-' for stdin)."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("file", help="JSON 文件路径，'-' 表示标准输入 / path to a JSON file, or - for stdin")

    def handle(self, *args, file: str, **options):
        text = self._read(file, options.get("stdin") or sys.stdin)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"输入不是合法的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）。"
                f"Malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}.",
                returncode=MALFORMED,
            ) from None
        except RecursionError:
            raise CommandError("输入的 JSON 嵌套过深。JSON nested too deeply.", returncode=MALFORMED) from None
        many = isinstance(data, list)
        settings = RuleSettings()
        results = []
        for index, item in enumerate(data if many else [data]):
            try:
                results.append(evaluate_dict(item, settings))
            except CaseError as exc:
                where = f"第 {index + 1} 个案例（数组下标 {index}）：" if many else ""
                where_en = f" [array index {index}]" if many else ""
                raise CommandError(f"{where}{exc}{where_en}", returncode=MALFORMED) from None
        self.stdout.write(json.dumps(results if many else results[0], ensure_ascii=False, indent=2))

    def _read(self, file: str, stdin) -> str:
        try:
            if file == "-":
                raw = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read()
            else:
                with open(file, "rb") as handle:
                    raw = handle.read()
        except OSError as exc:
            raise CommandError(
                f"无法读取文件 {file}：{exc.strerror}。Cannot read {file}: {exc.strerror}.", returncode=MALFORMED
            ) from None
        if isinstance(raw, str):
            return raw
        try:
            # utf-8-sig: files saved by Windows Notepad start with a BOM.
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError(
                f"文件 {file} 不是 UTF-8 编码。{file} is not UTF-8 encoded.", returncode=MALFORMED
            ) from None
