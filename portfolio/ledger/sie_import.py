"""Import a SIE 4 file into the ledger: one transaction, idempotent, with an import log.

The file is read as a stream (portfolio.ledger.sie) and written in batches into a scratch SQLite
file beside the database, without the write lock, so memory stays flat and pages, logins and
other writers go on meanwhile. Only the final step takes the lock: one short write transaction
copies the staged rows in (INSERT … SELECT) with the import log, the columnar sums and the
audit row, so a refused file changes nothing. For a million rows the lock is held for about
0.8 s instead of the whole 16 s import. Only `#TRANS` rows
are summed; `#RTRANS`/`#BTRANS` are counted and left out. A file is refused when any problem
is a "fel" (its money cannot be read) and, unless allowed, when a voucher does not balance.
Importing the same bytes again is recognised by their SHA-256 and changes nothing; a new
file for the same organisation and fiscal year replaces the earlier one.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import queue
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import polars as pl

from portfolio.auth import Action, User, require
from portfolio.db import Database, audit_by, json_functions_available, usable_from_another_thread, write
from portfolio.errors import ImportRejectedError, capped
from portfolio.ledger import columns_store, imports_store, organisations_store, store
from portfolio.ledger.import_log import finish_import, start_import
from portfolio.ledger.mapping import mapping_for, unmapped_accounts
from portfolio.ledger.orgno import normalise_org_no
from portfolio.ledger.sie import (
    Balance,
    ChecksumResult,
    PeriodBalance,
    SieHeader,
    SieProblem,
    SieReader,
    Voucher,
    verify_checksum,
)
from portfolio.ledger.sie_compare import Comparison, LedgerFacts, class_sums
from portfolio.money import MAX_IMPORT_ORE, format_kr
from portfolio.uploads import SIE_FILE, check_size

__all__ = [
    "BATCH_ROWS",
    "ImportSummary",
    "SieImportRejectedError",
    "SiePreview",
    "fingerprint_of",
    "import_sie",
    "preview_sie",
    "project_dimension",
    "summary_from_log",
]

BATCH_ROWS = 50_000
MAX_STORED_WARNINGS = 200
PROJECT_DIMENSION_KEY = "projektdimension"
DEFAULT_PROJECT_DIMENSION = "6"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, when `already_imported`, what the earlier import did)."""

    import_id: int
    file_name: str
    fingerprint: str
    already_imported: bool
    vouchers: int
    trans_rows: int
    ignored_rows: int
    budget_rows: int
    balance_rows: int
    objects: int
    first_date: str | None
    last_date: str | None
    year: int | None
    organisation: str
    encoding_message: str
    warnings: tuple[str, ...] = ()
    unmapped_accounts: tuple[str, ...] = ()
    superseded: tuple[int, ...] = ()
    seconds: float = 0.0
    kind: str = "sie"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rows_per_second(self) -> float:
        """Import throughput (ledger rows per second)."""
        return self.trans_rows / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        """The summary as Swedish sentences, for the command line and the page."""
        if self.already_imported:
            head = (
                f"Filen {self.file_name} är redan importerad (import {self.import_id}, samma innehåll);"
                " inget ändrades."
            )
        else:
            head = f"Filen {self.file_name} är importerad (import {self.import_id})."
        period = f"{self.first_date} – {self.last_date}" if self.first_date else "inga transaktioner"
        out = [
            head,
            f"Verifikationer: {self.vouchers}",
            f"Transaktionsrader (#TRANS): {self.trans_rows}",
            f"Rader som inte summeras (#RTRANS/#BTRANS): {self.ignored_rows}",
            f"Budgetrader (#PBUDGET): {self.budget_rows}",
            f"Periodsaldon (#PSALDO): {self.balance_rows}",
            f"Projektobjekt: {self.objects}",
            f"Period: {period}",
            f"Organisation: {self.organisation}",
            self.encoding_message,
        ]
        if self.superseded:
            out.append("Ersätter tidigare import av samma år: " + ", ".join(map(str, self.superseded)))
        if self.unmapped_accounts:
            out.append(
                "Konton utan rad i kontomappningen (redovisas som 'Ej mappade konton'): "
                + ", ".join(self.unmapped_accounts)
            )
        out.append(f"Varningar: {len(self.warnings)}")
        out += [f"  {w}" for w in self.warnings]
        return out


def fingerprint_of(source: Path | BinaryIO) -> str:
    """SHA-256 of the file's bytes, read in chunks (a binary stream is rewound afterwards)."""
    digest = hashlib.sha256()
    if isinstance(source, Path):
        with source.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    else:
        start = source.tell()
        for chunk in iter(lambda: source.read(1 << 20), b""):
            digest.update(chunk)
        source.seek(start)
    return digest.hexdigest()


# The import id the scratch file's rows carry until the final copy gives them the real one.
STAGED_IMPORT_ID = 0


@contextlib.contextmanager
def _scratch_file(db: Database) -> Iterator[str]:
    """An owner-only scratch file beside the database (or in the temp folder), removed afterwards."""
    main = imports_store.database_file(db)
    handle, path = tempfile.mkstemp(
        prefix=".portfolj-import-", suffix=".db", dir=str(Path(main).parent) if main else None
    )
    os.close(handle)
    try:
        yield path
    finally:
        for suffix in ("", "-journal"):
            Path(path + suffix).unlink(missing_ok=True)


def _size_of(stream: Path | BinaryIO) -> int:
    if isinstance(stream, Path):
        return stream.stat().st_size
    at = stream.tell()
    size = stream.seek(0, io.SEEK_END)
    stream.seek(at)
    return size


def project_dimension(db: Database) -> str:
    """The dimension whose objects are projects (6 unless changed)."""
    return store.get_setting(db, PROJECT_DIMENSION_KEY) or DEFAULT_PROJECT_DIMENSION


def summary_from_log(row: dict[str, Any], *, already: bool, seconds: float = 0.0) -> ImportSummary:
    """An import's summary from its log row."""

    return ImportSummary(
        import_id=int(row["id"]),
        file_name=str(row["file_name"]),
        fingerprint=str(row["fingerprint"]),
        already_imported=already,
        vouchers=int(row["vouchers"] or 0),
        trans_rows=int(row["trans_rows"] or 0),
        ignored_rows=int(row["ignored_rows"] or 0),
        budget_rows=int(row["budget_rows"] or 0),
        balance_rows=int(row["balance_rows"] or 0),
        objects=int(row["objects"] or 0),
        first_date=row["first_date"],
        last_date=row["last_date"],
        year=row["year"],
        organisation=str(row["organisation"]),
        encoding_message=str(row["encoding_message"] or ""),
        warnings=tuple(json.loads(row["warnings"] or "[]")),
        unmapped_accounts=tuple(json.loads(row["unmapped_accounts"] or "[]")),
        seconds=seconds,
        kind=str(row["kind"]),
    )


def _iso(yyyymmdd: int | None) -> str | None:
    if yyyymmdd is None:
        return None
    return f"{yyyymmdd // 10000:04d}-{yyyymmdd // 100 % 100:02d}-{yyyymmdd % 100:02d}"


@dataclass(frozen=True)
class SiePreview:
    """What a SIE file is and what importing it would do, shown before the admin confirms.

    `blocking` are reasons no confirmation can overcome; `needs` names the confirmations still
    missing ('ny-organisation', 'organisation', 'ersätt', 'tillägg', 'kontrollsumma'), each
    explained in `messages`.
    """

    file_name: str
    fingerprint: str
    organisation: str | None
    org_raw: str
    company: str | None
    listed_name: str | None
    sie_type: str
    partial: bool
    fiscal_start: str | None
    fiscal_end: str | None
    year: int | None
    vouchers: int
    trans_rows: int
    first_date: str | None
    last_date: str | None
    checksum: str
    warnings: tuple[str, ...]
    blocking: tuple[str, ...]
    needs: tuple[str, ...]
    messages: tuple[str, ...]
    replaces: tuple[int, ...]
    comparison: Comparison | None

    def lines(self) -> list[str]:
        """The preview as Swedish lines for the command line."""
        org = self.organisation or "okänt organisationsnummer"
        listed = f", på listan som {self.listed_name}" if self.listed_name else ", inte på listan"
        period = f"{self.first_date} – {self.last_date}" if self.first_date else "inga transaktioner"
        fiscal = f"{self.fiscal_start} – {self.fiscal_end}" if self.fiscal_start else "anges inte (#RAR 0)"
        out = [
            f"Fil: {self.file_name}",
            f"Organisation: {self.company or '(namn saknas)'} ({org}{listed if self.organisation else ''})",
            f"Typ: {self.type_text}",
            f"Räkenskapsår: {fiscal}",
            f"Verifikationer: {self.vouchers}, transaktionsrader: {self.trans_rows}, period: {period}",
            f"Kontrollsumma: {self.checksum}",
        ]
        if self.comparison is not None:
            out += self.comparison.lines()
        return out

    @property
    def type_text(self) -> str:
        """The file's SIE type in words."""
        if self.partial:
            return f"SIE {self.sie_type}I (delexport, t.ex. lön, fakturering eller anläggningsregister)"
        return f"SIE {self.sie_type} (huvudbok med verifikationer)"


class SieImportRejectedError(ImportRejectedError):
    """The file was refused; `problems` are every problem found, with line numbers."""

    def __init__(
        self, messages: list[str], problems: list[SieProblem], preview: SiePreview | None = None
    ) -> None:
        super().__init__(messages)
        self.problems = problems
        self.preview = preview


def import_sie(
    db: Database,
    actor: User,
    source: str | Path | BinaryIO,
    *,
    file_name: str | None = None,
    allow_unbalanced: bool = False,
    progress: Progress | None = None,
    new_organisation: bool = False,
    organisation: str | None = None,
    replace: bool = False,
    addition: str | None = None,
    ignore_checksum: bool = False,
) -> ImportSummary:
    """Import a SIE 4 file; refuses it (ImportRejectedError, nothing written) when it cannot be trusted.

    A file from an organisation not on the list needs `new_organisation`; a file without a usable
    organisation number needs `organisation`; a ledger that would replace a live one of the same
    organisation and fiscal year needs `replace`; a partial export (SIE 4I) is only kept as an
    addition named by `addition`; a #KSUMMA that does not match needs `ignore_checksum`.
    """
    result = _run(
        db,
        actor,
        source,
        file_name=file_name,
        allow_unbalanced=allow_unbalanced,
        progress=progress,
        confirmed=_Confirmed(new_organisation, organisation, replace, addition, ignore_checksum),
        preview=False,
    )
    assert isinstance(result, ImportSummary)
    return result


def preview_sie(
    db: Database,
    actor: User,
    source: str | Path | BinaryIO,
    *,
    file_name: str | None = None,
    allow_unbalanced: bool = False,
    progress: Progress | None = None,
    organisation: str | None = None,
    addition: str | None = None,
) -> SiePreview | ImportSummary:
    """Read a file and say what importing it would do, writing nothing.

    Returns the earlier import's summary when the same bytes are already imported. A file that
    cannot be read at all raises SieImportRejectedError as the import would.
    """
    return _run(
        db,
        actor,
        source,
        file_name=file_name,
        allow_unbalanced=allow_unbalanced,
        progress=progress,
        confirmed=_Confirmed(False, organisation, False, addition, False),
        preview=True,
    )


@dataclass(frozen=True)
class _Confirmed:
    new_organisation: bool
    organisation: str | None
    replace: bool
    addition: str | None
    ignore_checksum: bool


def _run(
    db: Database,
    actor: User,
    source: str | Path | BinaryIO,
    *,
    file_name: str | None,
    allow_unbalanced: bool,
    progress: Progress | None,
    confirmed: _Confirmed,
    preview: bool,
) -> SiePreview | ImportSummary:
    require(actor, Action.IMPORT_LEDGER)
    started = time.perf_counter()
    stream: Path | BinaryIO = Path(source) if isinstance(source, str | Path) else source
    name = file_name or (stream.name if isinstance(stream, Path) else "uppladdad fil")
    if not isinstance(stream, Path) and not stream.seekable():
        # Hashing and reading need two passes, and progress needs the size.
        stream = io.BytesIO(stream.read(SIE_FILE.max_bytes + 1))
    check_size(SIE_FILE, _size_of(stream))
    fingerprint = fingerprint_of(stream)
    earlier = imports_store.import_by_fingerprint(db, fingerprint)
    if earlier is not None:
        return summary_from_log(earlier, already=True, seconds=time.perf_counter() - started)

    checksum = verify_checksum(stream)
    pdim = project_dimension(db)
    reader = SieReader(stream, progress=progress)
    # The file is parsed into a scratch database first, without the write lock: pages, logins
    # and other writers go on meanwhile, and the lock is held only for the final copy.
    with _scratch_file(db) as scratch:
        staging = imports_store.create_staging(db, scratch)
        try:
            facts = _read_into(staging, reader, STAGED_IMPORT_ID, pdim)
            staging.conn.commit()
        finally:
            staging.close()
        problems = list(reader.problems) + facts.pop("own_problems")
        errors = [p for p in problems if p.severity == "fel"]
        unbalanced = [p for p in problems if p.code == "obalanserad"]
        if errors or (unbalanced and not allow_unbalanced):
            messages = _rejection(errors, unbalanced, allow_unbalanced)
            checksum_needs: dict[str, str] = {}
            _checksum_check(checksum, confirmed.ignore_checksum, checksum_needs, [])
            # A failed checksum explains the other problems (a cut or edited file): said first.
            raise SieImportRejectedError(capped([*checksum_needs.values(), *messages]), problems)

        header = reader.header
        fiscal = header.fiscal_years.get(0)
        first, last = facts["first_date"], facts["last_date"]
        year = fiscal[0].year if fiscal else (first // 10000 if first else None)
        actual = facts.pop("actual_frame")
        budget_sums = facts.pop("budget_frame")
        blocking: list[str] = []
        needs: dict[str, str] = {}
        warnings = [p.message for p in problems if p.severity == "varning"]

        sie_type = (header.sie_type or "4").strip().upper()
        partial = sie_type == "4I" or name.lower().endswith(".si")
        sie_type = sie_type.removesuffix("I").removesuffix("E") or "4"
        if sie_type in ("1", "2", "3"):
            blocking.append(
                f"Filen är SIE typ {sie_type}: den innehåller bara saldon, inga verifikationer. En"
                " tertialrapport behöver SIE typ 4 (med verifikationer); exportera SIE 4 från"
                " ekonomisystemet och importera den i stället."
            )
        elif facts["vouchers"] == 0 and facts["budget_rows"] == 0:
            blocking.append(
                "Filen har inga verifikationer (#VER) och ingen budget (#PBUDGET); den skulle ge"
                " utfall 0. Exportera SIE typ 4 med verifikationer."
            )
        if year is None and not blocking:
            blocking.append(
                "Filen anger inget räkenskapsår (#RAR 0) och har inga verifikationer; den verkar inte"
                " vara en SIE 4-fil med bokföring."
            )

        checksum_text = _checksum_check(checksum, confirmed.ignore_checksum, needs, warnings)
        org, listed = _organisation_check(db, header, confirmed, needs, warnings, blocking)
        if partial and not (confirmed.addition or "").strip():
            needs["tillägg"] = (
                "Filen är en delexport (SIE 4I: t.ex. lön, fakturering, anläggningsregister eller"
                " bokslutsposter) och ersätter aldrig en huvudbok. Den kan sparas som ett tillägg"
                " till huvudboken med ett namn du anger (på kommandoraden --addition NAMN)."
            )
        warnings += _fiscal_warning(fiscal)
        warnings += _outside_year(actual, fiscal)
        balances = facts.pop("balances")
        if not blocking:
            warnings += _balance_warnings(balances, actual, budget_sums, fiscal)
        names = dict(header.objects)
        # An object another import names keeps that name; only the unnamed get the placeholder.
        known = columns_store.object_names(db)
        missing = sorted(k for k in facts.pop("used_objects") if k not in names and k not in known)
        for key in missing:
            names[key] = MISSING_OBJECT_NAME
        if missing:
            shown = ", ".join(f"{d} {o}" for d, o in missing[:20])
            more = f" och {len(missing) - 20} till" if len(missing) > 20 else ""
            warnings.append(
                f"Objekt som används i #TRANS utan #OBJEKT-rad (dimension och objekt): {shown}{more};"
                f" de visas som '{MISSING_OBJECT_NAME}'."
            )
        warnings += _damaged_text(header, facts.pop("damaged"))
        mapping, _ = mapping_for(db, org or "")
        unmapped = unmapped_accounts(actual, mapping)
        if unmapped:
            warnings.append(
                "Konton utan rad i kontomappningen redovisas som 'Ej mappade konton': " + ", ".join(unmapped)
            )

        replaces: list[int] = []
        comparison: Comparison | None = None
        addition_name = (confirmed.addition or "").strip() or None if partial else None
        if org is not None and year is not None and (addition_name or not partial):
            replaces = _same_kind(db, org, year, addition_name)
            if replaces:
                comparison = _comparison(db, replaces, name, facts, actual)
                if not confirmed.replace:
                    what = f"ett tillägg med namnet '{addition_name}'" if addition_name else "en huvudbok"
                    needs["ersätt"] = (
                        f"Det finns redan {what} för {org} räkenskapsåret {year} (import "
                        + ", ".join(map(str, replaces))
                        + "). Den nya filen ersätter den bara om du bekräftar efter att ha sett"
                        " jämförelsen (på kommandoraden --replace)."
                    )

        shown_preview = SiePreview(
            file_name=name,
            fingerprint=fingerprint,
            organisation=org,
            org_raw=(header.org_no or "").strip(),
            company=header.company_name,
            listed_name=listed,
            sie_type=sie_type,
            partial=partial,
            fiscal_start=fiscal[0].isoformat() if fiscal else None,
            fiscal_end=fiscal[1].isoformat() if fiscal else None,
            year=year,
            vouchers=facts["vouchers"],
            trans_rows=facts["trans_rows"],
            first_date=_iso(first),
            last_date=_iso(last),
            checksum=checksum_text,
            warnings=tuple(warnings),
            blocking=tuple(blocking),
            needs=tuple(needs),
            messages=tuple(blocking) + tuple(needs.values()),
            replaces=tuple(replaces),
            comparison=comparison,
        )
        if preview:
            return shown_preview
        if blocking or needs:
            raise SieImportRejectedError(
                capped([*blocking, *needs.values()]), problems, preview=shown_preview
            )
        assert org is not None and year is not None
        kind = "sie-tillägg" if partial else "sie"
        stored_warnings = warnings[:MAX_STORED_WARNINGS]
        if len(warnings) > MAX_STORED_WARNINGS:
            stored_warnings.append(f"… och {len(warnings) - MAX_STORED_WARNINGS} varningar till.")
        imports_store.attach_staging(db, scratch)
        try:
            with write(db):
                earlier = imports_store.import_by_fingerprint(db, fingerprint)
                if earlier is None:  # else the same file was imported while this one was read
                    superseded: list[int] = []
                    if addition_name or not partial:
                        superseded = _same_kind(db, org, year, addition_name)
                        if superseded and not confirmed.replace:
                            raise SieImportRejectedError(
                                [
                                    "Medan filen lästes importerades en annan huvudbok för samma"
                                    " organisation och år; inget ändrades. Granska och bekräfta igen."
                                ],
                                problems,
                            )
                    if listed is None:
                        organisations_store.insert_organisation(
                            db, org, header.company_name or org, actor.email
                        )
                        audit_by(
                            db,
                            actor,
                            "lägg till",
                            "organisation",
                            org,
                            after={"organisationsnummer": org, "namn": header.company_name or org},
                        )
                    import_id = start_import(
                        db,
                        actor,
                        kind,
                        name,
                        fingerprint,
                        organisation="",
                        pdim=pdim,
                        allow_unbalanced=allow_unbalanced,
                    )
                    imports_store.copy_staged(db, import_id)
                    columns_store.insert_columns(db, import_id, "utfall", actual)
                    columns_store.insert_columns(db, import_id, "budget", budget_sums)
                    for old in superseded:
                        imports_store.delete_import_rows(db, old)
                        imports_store.mark_superseded(db, old, import_id)
                    imports_store.insert_objects(db, [(import_id, d, o, n) for (d, o), n in names.items()])
                    log = {
                        "organisation": org,
                        "company": header.company_name,
                        "fiscal_start": fiscal[0].isoformat() if fiscal else None,
                        "fiscal_end": fiscal[1].isoformat() if fiscal else None,
                        "year": year,
                        "encoding": reader.encoding,
                        "encoding_message": reader.encoding_message,
                        "vouchers": facts["vouchers"],
                        "trans_rows": facts["trans_rows"],
                        "ignored_rows": facts["ignored_rows"],
                        "budget_rows": facts["budget_rows"],
                        "balance_rows": facts["balance_rows"],
                        "objects": facts["objects"],
                        "first_date": _iso(first),
                        "last_date": _iso(last),
                        "warnings": stored_warnings,
                        "unbalanced": len(unbalanced),
                        "unmapped_accounts": unmapped,
                        "sie_type": shown_preview.type_text,
                        "addition": addition_name,
                        "checksum": checksum_text,
                    }
                    finish_import(
                        db,
                        actor,
                        import_id,
                        log,
                        facts={
                            "fil": name,
                            "fingeravtryck": fingerprint,
                            "ersätter": superseded,
                            "bekräftat": {
                                "ny_organisation": listed is None,
                                "ersätt": bool(superseded),
                                "kontrollsumma_åsidosatt": confirmed.ignore_checksum
                                and checksum is not None
                                and checksum.status != "ok",
                            },
                        },
                        counts={"varningar": len(warnings)},
                    )
        finally:
            imports_store.detach_staging(db)
    if earlier is not None:
        return summary_from_log(earlier, already=True, seconds=time.perf_counter() - started)
    row = imports_store.get_import(db, import_id)
    assert row is not None
    summary = summary_from_log(row, already=False, seconds=time.perf_counter() - started)
    return ImportSummary(**{**summary.__dict__, "superseded": tuple(superseded), "warnings": tuple(warnings)})


def _same_kind(db: Database, org: str, year: int, addition: str | None) -> list[int]:
    """Live imports a new file of the same kind replaces: the ledger, or the addition of that name."""
    if addition is None:
        return imports_store.earlier_imports_of_year(db, org, year, "sie", STAGED_IMPORT_ID)
    earlier = imports_store.earlier_imports_of_year(db, org, year, "sie-tillägg", STAGED_IMPORT_ID)
    return [i for i in earlier if (imports_store.get_import(db, i) or {}).get("addition") == addition]


MISSING_OBJECT_NAME = "(namn saknas i filen)"
CHECKSUM_MISMATCH = "filen har ändrats eller är ofullständig"


def _checksum_check(
    checksum: ChecksumResult | None, ignore: bool, needs: dict[str, str], warnings: list[str]
) -> str:
    """The checksum's result in words; a mismatch needs the admin's explicit override."""
    if checksum is None:
        return "saknas (filen har ingen #KSUMMA)"
    if checksum.status == "ok":
        return f"stämmer (#KSUMMA {checksum.stated})"
    if checksum.status == "missing-end":
        why = (
            f"Kontrollsumman kan inte stämma: {CHECKSUM_MISMATCH}. Filen börjar med #KSUMMA men den"
            " avslutande #KSUMMA-raden saknas, så filen är troligen avkortad."
        )
        text = "avslutande #KSUMMA saknas (filen är troligen avkortad)"
    else:
        why = (
            f"Kontrollsumman stämmer inte: {CHECKSUM_MISMATCH}. Filen anger #KSUMMA {checksum.stated},"
            f" innehållet ger {checksum.computed}."
        )
        text = f"stämmer inte (anger {checksum.stated}, beräknad {checksum.computed})"
    if ignore:
        warnings.append(why + " Importerad ändå efter uttryckligt beslut.")
    else:
        needs["kontrollsumma"] = (
            why + " Exportera filen igen, eller importera ändå med --ignore-checksum om du vet varför."
        )
    return text


def _organisation_check(
    db: Database,
    header: SieHeader,
    confirmed: _Confirmed,
    needs: dict[str, str],
    warnings: list[str],
    blocking: list[str],
) -> tuple[str | None, str | None]:
    """(normalised organisation number or None, its name on the list or None)."""
    read = normalise_org_no(header.org_no)
    company = header.company_name or "(namn saknas)"
    key = read.key
    if read.problem:
        unusable = " Filen slås inte ihop med någon annan import på namnet." if key is None else ""
        warnings.append(read.problem + unusable)
    if confirmed.organisation:
        chosen = normalise_org_no(confirmed.organisation)
        if chosen.key is None:
            blocking.append(f"Den angivna organisationen: {chosen.problem}")
            return None, None
        if key is not None and chosen.key != key:
            blocking.append(
                f"Filen anger organisationsnummer {key}, inte {chosen.key}; en fil med eget"
                " organisationsnummer importeras under det."
            )
            return key, organisations_store.organisation_name(db, key)
        key = chosen.key
    if key is None:
        needs["organisation"] = (
            f"Filen från {company} har inget användbart organisationsnummer. Ange vilken organisation"
            " i listan den hör till (på kommandoraden --organisation NNNNNN-NNNN)."
        )
        return None, None
    listed = organisations_store.organisation_name(db, key)
    if listed is None and not confirmed.new_organisation:
        needs["ny-organisation"] = (
            f"Filen kommer från {company} ({key}), som inte finns i listan över organisationer vars"
            " bokföring hör till nämnden. Lägg till organisationen om den hör dit (på sidan genom att"
            " bekräfta, på kommandoraden med --new-organisation)."
        )
    return key, listed


def _fiscal_warning(fiscal: tuple[date, date] | None) -> list[str]:
    if fiscal is None:
        return ["Filen anger inget räkenskapsår (#RAR 0); året tas från verifikationernas datum."]
    start, end = fiscal
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return []
    if start.year == end.year:
        where = f"alla dess månader visas under {start.year}"
    else:
        where = (
            f"månaderna {start:%Y-%m} – {start.year}-12 visas under {start.year} och"
            f" {end.year}-01 – {end:%Y-%m} under {end.year}; i rapporten för {end.year} är kolumnen"
            " föregående år då en del av samma räkenskapsår"
        )
    return [
        f"Räkenskapsåret är {start.isoformat()} – {end.isoformat()}, inte ett kalenderår."
        f" Tertialrapporten räknar kalenderår: {where}."
    ]


def _balance_warnings(
    balances: dict[tuple[str, str], int],
    actual: pl.DataFrame,
    budget_sums: pl.DataFrame,
    fiscal: tuple[date, date] | None,
) -> list[str]:
    """#RES, #UB and #PSALDO for the file's own year compared with its #TRANS sums."""
    if fiscal is None:
        return []
    lo = fiscal[0].year * 100 + fiscal[0].month
    hi = fiscal[1].year * 100 + fiscal[1].month
    in_year = actual.filter((pl.col("year") * 100 + pl.col("month")).is_between(lo, hi))
    per_account = dict(in_year.group_by("account").agg(pl.col("amount_ore").sum()).iter_rows())
    out: list[str] = []
    differences: list[str] = []
    for (kind, account), stated in sorted(balances.items()):
        if kind == "RES":
            computed = per_account.get(account, 0)
        elif kind == "UB":
            computed = balances.get(("IB", account), 0) + per_account.get(account, 0)
        else:
            continue
        if computed != stated:
            differences.append(
                f"#{kind} {account}: filen anger {format_kr(stated)}, #TRANS ger {format_kr(computed)}"
                f" (skillnad {format_kr(stated - computed)})"
            )
    # A #PSALDO without objects is the month's #TRANS change for every account, balance accounts
    # too: so the real exports in tests/fixtures/sie and the SIE-gruppen samples write it.
    psaldo = budget_sums.filter(
        (pl.col("kind") == "PSALDO") & (pl.col("year_index") == 0) & pl.col("is_total")
    )
    if not psaldo.is_empty() and not actual.is_empty():
        months = actual.group_by("year", "month", "account").agg(pl.col("amount_ore").sum().alias("trans"))
        joined = (
            psaldo.group_by("year", "month", "account")
            .agg(pl.col("amount_ore").sum())
            .join(months, on=["year", "month", "account"], how="left")
            .with_columns(pl.col("trans").fill_null(0))
            .filter(pl.col("amount_ore") != pl.col("trans"))
            .sort("year", "month", "account")
        )
        for y, m, account, stated, trans in joined.select(
            "year", "month", "account", "amount_ore", "trans"
        ).iter_rows():
            differences.append(
                f"#PSALDO {y}-{m:02d} {account}: filen anger {format_kr(stated)}, #TRANS ger"
                f" {format_kr(trans)} (skillnad {format_kr(stated - trans)})"
            )
    if differences:
        shown = differences[:20]
        more = f"; … och {len(differences) - 20} till" if len(differences) > 20 else ""
        out.append(
            "Filens egna saldon stämmer inte med dess #TRANS-rader (filen kan vara ofullständig): "
            + "; ".join(shown)
            + more
            + "."
        )
    return out


# ISO 646-SE ("7-bit Swedish") writes å ä ö Å Ä Ö as } { | ] [ \ .
_SEVEN_BIT = re.compile(r"[A-Za-z][{}|\[\]\\][a-z]")


def _damaged_text(header: SieHeader, texts: dict[str, int]) -> list[str]:
    """Names with replacement characters (�) or 7-bit å/ä/ö, and voucher texts with �, by label."""
    labels: dict[str, list[str]] = {}

    def look(label: str, text: str | None) -> None:
        if not text:
            return
        if "\ufffd" in text or _SEVEN_BIT.search(text):
            labels.setdefault(label, []).append(text)

    look("#FNAMN", header.company_name)
    for text in header.accounts.values():
        look("#KONTO", text)
    for text in header.objects.values():
        look("#OBJEKT", text)
    for text in header.dimensions.values():
        look("#DIM", text)
    if not labels and not texts:
        return []
    parts = [f"{label} (t.ex. '{found[0]}', {len(found)} st)" for label, found in labels.items()]
    parts += [f"{label} ({count} texter med �)" for label, count in texts.items()]
    return [
        "Texten ser skadad ut (ersättningstecken � eller 7-bitars å/ä/ö som { | }) i "
        + ", ".join(parts)
        + "; beloppen påverkas inte, men namnen kan visas fel."
    ]


def _comparison(
    db: Database, replaces: list[int], name: str, facts: dict[str, Any], actual: pl.DataFrame
) -> Comparison:
    before = []
    for old in replaces:
        row = imports_store.get_import(db, old)
        assert row is not None
        before.append(
            LedgerFacts(
                label=f"import {old} ({row['file_name']})",
                vouchers=int(row["vouchers"] or 0),
                trans_rows=int(row["trans_rows"] or 0),
                first_date=row["first_date"],
                last_date=row["last_date"],
                sums=class_sums(columns_store.import_actual(db, old)),
            )
        )
    after = LedgerFacts(
        label=f"ny fil ({name})",
        vouchers=facts["vouchers"],
        trans_rows=facts["trans_rows"],
        first_date=_iso(facts["first_date"]),
        last_date=_iso(facts["last_date"]),
        sums=class_sums(actual),
    )
    return Comparison(tuple(before), after)


def _rejection(errors: list[SieProblem], unbalanced: list[SieProblem], allowed: bool) -> list[str]:
    messages = [p.message for p in errors]
    if unbalanced and not allowed:
        messages += [p.message for p in unbalanced]
        messages.append(
            f"{len(unbalanced)} verifikation(er) balanserar inte. Rätta filen, eller importera med"
            " --allow-unbalanced (på sidan: 'Tillåt obalanserade verifikationer') om differensen är känd."
        )
    return capped(messages)


def _outside_year(actual: pl.DataFrame, fiscal: tuple[date, date] | None) -> list[str]:
    if fiscal is None or actual.is_empty():
        return []
    lo = fiscal[0].year * 100 + fiscal[0].month
    hi = fiscal[1].year * 100 + fiscal[1].month
    outside = actual.filter(~(pl.col("year") * 100 + pl.col("month")).is_between(lo, hi))
    if outside.is_empty():
        return []
    months = sorted({f"{y}-{m:02d}" for y, m in outside.select("year", "month").iter_rows()})
    return [
        f"Det finns #TRANS-rader i månaderna {', '.join(months)}, utanför räkenskapsåret"
        f" {fiscal[0]} – {fiscal[1]}; de räknas till sina egna månader."
    ]


class _BatchWriter:
    """Insert batches on a worker thread, so SQLite's C work overlaps with parsing.

    sqlite3 releases the GIL while it steps a statement, so on two cores the B-tree work runs
    beside the reader. At most two batches wait in the queue: memory stays flat. The main
    thread does not touch the connection until `close()` has joined the worker. A connection
    opened with check_same_thread=True refuses other threads; then batches are written inline.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        # #TRANS sums per (year*100 + month, account, object), summed by SQLite from each
        # inserted batch: on the writer's core, not per row on the parser's.
        self.totals: dict[tuple[int, str, str | None], int] = {}
        self._queue: queue.Queue[tuple[str, list[tuple[Any, ...]]] | None] = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        # executemany takes the GIL back for every row, so beside a busy parser it crawls; one
        # JSON statement per batch runs in C without it. Inline, executemany is cheaper.
        self._json = False
        if usable_from_another_thread(db):
            self._json = json_functions_available(db)
            self._thread = threading.Thread(target=self._run, name="ledger-import-writer", daemon=True)
            self._thread.start()

    def _insert(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        if table != "rows":
            imports_store.insert_budget_rows(self._db, rows)
            return
        last = imports_store.last_row_id(self._db)
        if self._json:
            imports_store.insert_rows_json(self._db, rows)
        else:
            imports_store.insert_rows(self._db, rows)
        totals = self.totals
        for key_ym, account, obj, amount in imports_store.month_sums_after(self._db, last):
            key = (key_ym, account, obj)
            totals[key] = totals.get(key, 0) + amount

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is not None:
                continue
            try:
                self._insert(*item)
            except BaseException as exc:  # re-raised on the main thread by put() or close()
                self._error = exc

    def put(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        """Queue a batch (or write it now when inline); a worker's error is raised here."""
        if self._thread is None:
            self._insert(table, rows)
            return
        if self._error is not None:
            raise self._error
        self._queue.put((table, rows))

    def close(self) -> None:
        """Wait until every queued batch is written; raise the worker's error, if any."""
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


def _check_sum(amounts: list[int]) -> None:
    """Refuse a file whose amounts add up beyond what a report can sum without overflow."""
    if sum(abs(a) for a in amounts) > MAX_IMPORT_ORE:
        raise SieImportRejectedError(
            [
                f"Filens belopp summerar till mer än ±{format_kr(MAX_IMPORT_ORE)}; det är inte en"
                " nämnds bokföring. Kontrollera beloppen i filen."
            ],
            [],
        )


def _read_into(db: Database, reader: SieReader, import_id: int, pdim: str) -> dict[str, Any]:
    """Stream the file into the ledger tables in batches; return counts and the month totals."""
    rows: list[tuple[Any, ...]] = []
    budget: list[tuple[Any, ...]] = []
    budget_sums: dict[tuple[Any, ...], int] = {}
    object_cache: dict[tuple[tuple[str, str], ...], tuple[str | None, str]] = {}
    date_cache: dict[date | None, int] = {}
    own_problems: list[SieProblem] = []
    # #IB, #UB and #RES of the file's own year without objects, to check against the #TRANS sums.
    balances: dict[tuple[str, str], int] = {}
    # Texts with the replacement character (�): the file was decoded with the wrong table somewhere.
    damaged: dict[str, int] = {}
    vouchers = trans_rows = ignored = budget_rows = balance_rows = 0
    writer = _BatchWriter(db)
    try:
        for record in reader:
            if type(record) is Voucher:
                vouchers += 1
                vdate = record.date
                if "\ufffd" in record.text:
                    damaged["#VER"] = damaged.get("#VER", 0) + 1
                ref = f"{record.series} {record.number}".strip()
                append = rows.append
                for row in record.rows:
                    if row.kind != "TRANS":
                        ignored += 1
                        continue
                    when = row.date or vdate
                    days = date_cache.get(when)
                    if days is None:
                        if when is None:
                            own_problems.append(
                                SieProblem(
                                    row.line,
                                    "fel",
                                    f"Rad {row.line}: raden saknar datum och verifikationen har inget"
                                    " läsbart datum.",
                                    "datum",
                                )
                            )
                            continue
                        days = when.year * 10000 + when.month * 100 + when.day
                        date_cache[when] = days
                    objs = row.objects
                    if objs:
                        cached = object_cache.get(objs)
                        if cached is None:
                            cached = (
                                next((o for d, o in objs if d == pdim), None),
                                " ".join(f"{d}={o}" for d, o in objs),
                            )
                            object_cache[objs] = cached
                        obj, text = cached
                    else:
                        obj = text = None
                    if "\ufffd" in row.text:
                        damaged["#TRANS"] = damaged.get("#TRANS", 0) + 1
                    append((import_id, days, row.account, obj, text, row.amount_ore, ref, row.text or None))
                if len(rows) >= BATCH_ROWS:
                    trans_rows += len(rows)
                    writer.put("rows", rows)
                    rows = []
            elif type(record) is PeriodBalance:
                objs = record.objects
                sum_key = (
                    record.kind,
                    record.year_index,
                    int(record.period[:4]),
                    int(record.period[4:]),
                    record.account,
                    next((o for d, o in objs if d == pdim), None) if objs else None,
                    not objs,
                )
                budget_sums[sum_key] = budget_sums.get(sum_key, 0) + record.amount_ore
                budget.append(
                    (
                        import_id,
                        *sum_key[:6],
                        " ".join(f"{d}={o}" for d, o in objs) if objs else None,
                        record.amount_ore,
                        not objs,
                        record.line,
                    )
                )
                if record.kind == "PBUDGET":
                    budget_rows += 1
                else:
                    balance_rows += 1
                if len(budget) >= BATCH_ROWS:
                    writer.put("budget", budget)
                    budget = []
            elif (
                type(record) is Balance
                and record.year_index == 0
                and not record.objects
                and record.kind in ("IB", "UB", "RES")
            ):
                key = (record.kind, record.account)
                balances[key] = balances.get(key, 0) + record.amount_ore
        if rows:
            trans_rows += len(rows)
            writer.put("rows", rows)
        if budget:
            writer.put("budget", budget)
    finally:
        writer.close()

    totals = writer.totals
    _check_sum([*totals.values(), *budget_sums.values()])
    days_seen = list(date_cache.values())
    actual = pl.DataFrame(
        [(ym // 100, ym % 100, account, obj, amount) for (ym, account, obj), amount in totals.items()],
        schema=columns_store.ACTUAL_SCHEMA,
        orient="row",
    )
    budget_frame = pl.DataFrame(
        [(*key[:6], amount, key[6]) for key, amount in budget_sums.items()],
        schema=columns_store.BUDGET_SUMS_SCHEMA,
        orient="row",
    )
    return {
        "vouchers": vouchers,
        "trans_rows": trans_rows,
        "ignored_rows": ignored,
        "budget_rows": budget_rows,
        "balance_rows": balance_rows,
        "objects": len({k[2] for k in totals if k[2] is not None}),
        "first_date": min(days_seen) if days_seen else None,
        "last_date": max(days_seen) if days_seen else None,
        "actual_frame": actual,
        "budget_frame": budget_frame,
        "own_problems": own_problems,
        "balances": balances,
        "damaged": damaged,
        "used_objects": {pair for objs in object_cache for pair in objs},
    }


def remove_import(db: Database, actor: User, import_id: int) -> None:
    """Remove an import's rows from the ledger (the log row stays, marked removed)."""
    from portfolio.errors import NotFoundError

    require(actor, Action.IMPORT_LEDGER)
    row = imports_store.get_import(db, import_id)
    if row is None:
        raise NotFoundError(f"Importen {import_id} finns inte")
    with write(db):
        deleted = imports_store.delete_import_rows(db, import_id)
        imports_store.mark_removed(db, import_id)
        audit_by(
            db,
            actor,
            "ta bort",
            "huvudbok",
            import_id,
            before={"fil": row["file_name"], "rader": row["trans_rows"]},
            after={"borttagna_rader": deleted},
        )
