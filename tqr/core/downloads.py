import re
import unicodedata
from urllib.parse import quote

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|%]")


def safe_filename(name: str, limit: int = 100) -> str:
    """A display name for an uploaded file: no path, no control or shell characters, bounded length."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .") or "file"
    stem, dot, suffix = name.rpartition(".")
    if dot and len(suffix) <= 10:
        return stem[: limit - len(suffix) - 1] + "." + suffix
    return name[:limit]


def attachment_response(response, filename: str):
    """Make a response a safe download: attachment with an RFC 5987 name, never sniffed or cached."""
    ascii_name = "".join(c if c.isascii() and c.isalnum() or c in "._-" else "_" for c in filename) or "file"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    response["Content-Security-Policy"] = "sandbox"
    return response
