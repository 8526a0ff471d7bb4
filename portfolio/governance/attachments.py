"""What a beslutsunderlag may be: PDF, DOCX or XLSX by their contents, a bounded size, a clean name."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import PurePosixPath, PureWindowsPath

MAX_BYTES = 20 * 1024 * 1024
MAX_MB = MAX_BYTES // (1024 * 1024)
MAX_NAME = 150
KINDS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_ZIP_MARK = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}


def clean_name(name: str) -> tuple[str | None, list[str]]:
    """The file name to store, or None and why it is refused (a path part, a name leaving its folder)."""
    raw = unicodedata.normalize("NFC", name or "").strip()
    problems: list[str] = []
    if not raw:
        return None, ["Filen saknar namn; ge filen ett namn (till exempel tjansteskrivelse.pdf)"]
    if any(ch in raw for ch in "/\\") or ".." in raw or ":" in raw or raw.startswith("~"):
        problems.append(
            f"Filnamnet ”{raw[:80]}” pekar ut ur sin mapp (innehåller / \\ : eller ..); ange bara filens namn"
        )
    if any(unicodedata.category(ch).startswith("C") for ch in raw):
        problems.append("Filnamnet innehåller styrtecken; byt namn på filen")
    if len(raw) > MAX_NAME:
        problems.append(f"Filnamnet är längre än {MAX_NAME} tecken; korta det")
    if problems:
        return None, problems
    # Belt and braces: whatever a platform calls a path, keep the last part only.
    base = PureWindowsPath(PurePosixPath(raw).name).name
    return base, []


def kind_of(name: str, content: bytes) -> tuple[str | None, list[str]]:
    """`pdf`, `docx` or `xlsx` when the name's ending and the bytes agree; otherwise why not."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in KINDS:
        return None, [f"Filtypen .{suffix or '?'} tas inte emot; bifoga PDF, DOCX eller XLSX"]
    if suffix == "pdf":
        ok = content.startswith(b"%PDF-")
    else:
        ok = content.startswith(b"PK\x03\x04") and _zip_has(content, _ZIP_MARK[suffix])
    if not ok:
        return None, [f"Filen {name} är inte en {suffix.upper()}-fil (innehållet stämmer inte med namnet)"]
    return suffix, []


def _zip_has(content: bytes, member: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return member in archive.namelist()
    except zipfile.BadZipFile:
        return False


def check(name: str, content: bytes) -> tuple[str, str, list[str]]:
    """The cleaned name, the kind and every reason to refuse the file (empty when it is accepted)."""
    problems: list[str] = []
    if len(content) > MAX_BYTES:
        problems.append(
            f"Filen är {len(content) / 1024 / 1024:.1f} MB; en bilaga får vara högst {MAX_MB} MB".replace(
                ".", ","
            )
        )
    elif not content:
        problems.append("Filen är tom")
    cleaned, name_problems = clean_name(name)
    problems += name_problems
    kind = ""
    if cleaned and len(content) <= MAX_BYTES and content:
        found, kind_problems = kind_of(cleaned, content)
        problems += kind_problems
        kind = found or ""
    return cleaned or "", kind, problems
