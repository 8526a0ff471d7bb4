"""Import a SIE 4 file into the ledger: one transaction, idempotent, with an import log.

The file is read as a stream (portfolio.sie) and written in batches into a scratch SQLite
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
from portfolio.db import Database, ProgrammingError, audit, write
from portfolio.errors import ImportRejectedError, capped
from portfolio.ledger import store
from portfolio.ledger.mapping import mapping_for, unmapped_accounts
from portfolio.money import MAX_IMPORT_ORE, format_kr
from portfolio.sie import PeriodBalance, SieProblem, SieReader, Voucher
from portfolio.uploads import SIE_FILE, check_size

__all__ = [
    "BATCH_ROWS",
    "ImportSummary",
    "SieImportRejectedError",
    "fingerprint_of",
    "import_sie",
    "project_dimension",
    "summary_from_log",
]

BATCH_ROWS = 50_000
MAX_STORED_WARNINGS = 200
PROJECT_DIMENSION_KEY = "projektdimension"
DEFAULT_PROJECT_DIMENSION = "6"

Progress = Callable[[int, int], None]


class SieImportRejectedError(ImportRejectedError):
    """The file was refused; `problems` are every problem found, with line numbers."""

    def __init__(self, messages: list[str], problems: list[SieProblem]) -> None:
        super().__init__(messages)
        self.problems = problems


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
    main = store.database_file(db)
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


def import_sie(
    db: Database,
    actor: User,
    source: str | Path | BinaryIO,
    *,
    file_name: str | None = None,
    allow_unbalanced: bool = False,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a SIE 4 file; refuses it (ImportRejectedError, nothing written) when it cannot be trusted."""
    require(actor, Action.IMPORT_LEDGER)
    started = time.perf_counter()
    stream: Path | BinaryIO = Path(source) if isinstance(source, str | Path) else source
    name = file_name or (stream.name if isinstance(stream, Path) else "uppladdad fil")
    if not isinstance(stream, Path) and not stream.seekable():
        # Hashing and reading need two passes, and progress needs the size.
        stream = io.BytesIO(stream.read(SIE_FILE.max_bytes + 1))
    check_size(SIE_FILE, _size_of(stream))
    fingerprint = fingerprint_of(stream)
    earlier = store.import_by_fingerprint(db, fingerprint)
    if earlier is not None:
        return summary_from_log(earlier, already=True, seconds=time.perf_counter() - started)

    pdim = project_dimension(db)
    reader = SieReader(stream, progress=progress)
    # The file is parsed into a scratch database first, without the write lock: pages, logins
    # and other writers go on meanwhile, and the lock is held only for the final copy.
    with _scratch_file(db) as scratch:
        staging = store.create_staging(db, scratch)
        try:
            facts = _read_into(staging, reader, STAGED_IMPORT_ID, pdim)
            staging.conn.commit()
        finally:
            staging.close()
        problems = list(reader.problems) + facts.pop("own_problems")
        errors = [p for p in problems if p.severity == "fel"]
        unbalanced = [p for p in problems if p.code == "obalanserad"]
        if errors or (unbalanced and not allow_unbalanced):
            raise SieImportRejectedError(_rejection(errors, unbalanced, allow_unbalanced), problems)

        header = reader.header
        fiscal = header.fiscal_years.get(0)
        first, last = facts["first_date"], facts["last_date"]
        year = fiscal[0].year if fiscal else (first // 10000 if first else None)
        organisation = (header.org_no or header.company_name or "okänd organisation").strip()
        if year is None:
            raise SieImportRejectedError(
                [
                    "Filen anger inget räkenskapsår (#RAR 0) och har inga verifikationer; den verkar inte"
                    " vara en SIE 4-fil med bokföring."
                ],
                problems,
            )
        actual = facts.pop("actual_frame")
        budget_sums = facts.pop("budget_frame")
        mapping, _ = mapping_for(db, organisation)
        unmapped = unmapped_accounts(actual, mapping)
        warnings = [p.message for p in problems if p.severity == "varning"]
        warnings += _outside_year(actual, fiscal)
        if unmapped:
            warnings.append(
                "Konton utan rad i kontomappningen redovisas som 'Ej mappade konton': " + ", ".join(unmapped)
            )
        stored_warnings = warnings[:MAX_STORED_WARNINGS]
        if len(warnings) > MAX_STORED_WARNINGS:
            stored_warnings.append(f"… och {len(warnings) - MAX_STORED_WARNINGS} varningar till.")
        store.attach_staging(db, scratch)
        try:
            with write(db):
                earlier = store.import_by_fingerprint(db, fingerprint)
                if earlier is None:  # else the same file was imported while this one was read
                    import_id = store.insert_import(
                        db,
                        kind="sie",
                        file_name=name,
                        fingerprint=fingerprint,
                        user_id=actor.id,
                        user_email=actor.email,
                        organisation="",
                        project_dimension=pdim,
                        allow_unbalanced=allow_unbalanced,
                    )
                    store.copy_staged(db, import_id)
                    store.insert_columns(db, import_id, "utfall", actual)
                    store.insert_columns(db, import_id, "budget", budget_sums)
                    superseded = store.earlier_imports_of_year(db, organisation, year, "sie", import_id)
                    for old in superseded:
                        store.delete_import_rows(db, old)
                        store.mark_superseded(db, old, import_id)
                    store.insert_objects(db, [(import_id, d, o, n) for (d, o), n in header.objects.items()])
                    log = {
                        "organisation": organisation,
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
                    }
                    store.finish_import(db, import_id, log)
                    audit(
                        db,
                        user_id=actor.id,
                        user_email=actor.email,
                        action="importera",
                        entity="huvudbok",
                        entity_id=import_id,
                        after={
                            "fil": name,
                            "fingeravtryck": fingerprint,
                            "ersätter": superseded,
                            **{k: v for k, v in log.items() if k != "warnings"},
                            "varningar": len(warnings),
                        },
                    )
        finally:
            store.detach_staging(db)
    if earlier is not None:
        return summary_from_log(earlier, already=True, seconds=time.perf_counter() - started)
    row = store.get_import(db, import_id)
    assert row is not None
    summary = summary_from_log(row, already=False, seconds=time.perf_counter() - started)
    return ImportSummary(**{**summary.__dict__, "superseded": tuple(superseded), "warnings": tuple(warnings)})


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
        if _usable_from_another_thread(db):
            self._json = store.json_rows_supported(db)
            self._thread = threading.Thread(target=self._run, name="ledger-import-writer", daemon=True)
            self._thread.start()

    def _insert(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        if table != "rows":
            store.insert_budget_rows(self._db, rows)
            return
        last = store.last_row_id(self._db)
        if self._json:
            store.insert_rows_json(self._db, rows)
        else:
            store.insert_rows(self._db, rows)
        totals = self.totals
        for key_ym, account, obj, amount in store.month_sums_after(self._db, last):
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


def _usable_from_another_thread(db: Database) -> bool:
    result: list[bool] = []

    def probe() -> None:
        try:
            db.conn.execute("SELECT 1").fetchone()
            result.append(True)
        except ProgrammingError:
            result.append(False)

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return bool(result and result[0])


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
    vouchers = trans_rows = ignored = budget_rows = balance_rows = 0
    writer = _BatchWriter(db)
    try:
        for record in reader:
            if type(record) is Voucher:
                vouchers += 1
                vdate = record.date
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
        schema=store.ACTUAL_SCHEMA,
        orient="row",
    )
    budget_frame = pl.DataFrame(
        [(*key[:6], amount, key[6]) for key, amount in budget_sums.items()],
        schema=store.BUDGET_SUMS_SCHEMA,
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
    }


def remove_import(db: Database, actor: User, import_id: int) -> None:
    """Remove an import's rows from the ledger (the log row stays, marked removed)."""
    from portfolio.errors import NotFoundError

    require(actor, Action.IMPORT_LEDGER)
    row = store.get_import(db, import_id)
    if row is None:
        raise NotFoundError(f"Importen {import_id} finns inte")
    with write(db):
        deleted = store.delete_import_rows(db, import_id)
        store.mark_removed(db, import_id)
        audit(
            db,
            user_id=actor.id,
            user_email=actor.email,
            action="ta bort",
            entity="huvudbok",
            entity_id=import_id,
            before={"fil": row["file_name"], "rader": row["trans_rows"]},
            after={"borttagna_rader": deleted},
        )
