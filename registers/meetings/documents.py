"""Kallelse med handlingar (tagged PDF) and protokoll (DOCX draft, tagged PDF once justerat).

Everything is read through the services of `portfolio/` and `registers/`; the templates are
rendered with autoescape, so every text from the database prints as written.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from portfolio import store as core_store
from portfolio.db import Database
from portfolio.errors import InvalidInputError, NotFoundError
from portfolio.governance import service as governance
from portfolio.governance.model import paragraph_label
from portfolio.ledger.exports import STATEMENT_COLUMNS, STATEMENT_HEADERS, _tkr_text
from portfolio.models import Status
from portfolio.money import format_kr, format_tkr
from portfolio.pdf import paragraphs, render_html, tagged_pdf
from portfolio.periods import Period
from portfolio.reporting import store as reporting_store
from portfolio.reporting.model import DIMENSIONS, snapshot_label
from registers.benefits import service as benefits
from registers.risks import service as risks

COMMITTEE = "Gemensam nämnd för samverkan inom drift och service, utveckling samt specialistfunktioner"
TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_RISKS = 10
MAX_SNAPSHOT_RISKS = 5


def status_text(status: str | None) -> str:
    """A status as symbol and word (colour never carries it alone)."""
    return Status(status).display if status else "– ej rapporterad"


def size_text(size: int) -> str:
    """`312 kB` or `4,2 MB`."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} kB"
    return f"{size / 1024 / 1024:.1f} MB".replace(".", ",")


def tertial_for(day: date) -> tuple[int, Period] | None:
    """The tertial report a meeting on `day` takes: T1 in May–June, T2 in Sept–Oct, helår in February."""
    if day.month == 2:
        return day.year - 1, Period.HELAR
    if day.month in (5, 6):
        return day.year, Period.T1
    if day.month in (9, 10):
        return day.year, Period.T2
    return None


def _label(item: dict[str, Any]) -> str:
    label = paragraph_label(item["number_kind"], item["number"]) or "ärende"
    return label[:1].upper() + label[1:]


def _items(db: Database, meeting_id: int) -> list[dict[str, Any]]:
    items = governance.meeting_items(db, meeting_id)
    for item in items:
        item["label"] = _label(item)
        item["documents"] = core_store.json_list(item["documents"])
        if item["corrects"]:
            item["corrects"]["label"] = _label(item["corrects"])
    return items


def _latest_status(db: Database, code: str | None, day: date) -> dict[str, Any] | None:
    """The project's published report for the meeting: the period this meeting presents (by the
    reporting calendar), else the latest published on or before the day; with its frozen snapshot."""
    if not code:
        return None
    try:
        project_id = core_store.project_id_for(db, code)
    except NotFoundError:
        return None
    report = reporting_store.report_for_meeting(db, project_id, day)
    if report is None:
        return None
    snap = report["snapshot"]
    return {
        "reported_on": report["reported_on"],
        "period": f"{report['period']} {report['year']}" if report["year"] else "",
        "version": report["report_version"],
        "correction_reason": report["correction_reason"] or "",
        "rows": [
            {
                "aspect": name,
                "status": status_text(report[f"{key}_status"]),
                "reason": report[f"{key}_reason"] or "",
            }
            for key, name in DIMENSIONS.items()
            if report[f"{key}_status"] is not None
        ],
        "next_steps": report["next_steps"] or "",
        "snapshot_text": snapshot_label(snap),
        "money": None
        if not snap
        else f"Budget {format_kr(snap['budget_ore'])}, utfall {format_kr(snap['actual_ore'])},"
        f" prognos {format_kr(snap['forecast_ore'], empty='ingen angiven')}",
        "risks": []
        if not snap
        else [
            f"{r['title']} (riskvärde {r['score']}, {r['band']})" for r in snap["risks"][:MAX_SNAPSHOT_RISKS]
        ],
    }


def _tertial(db: Database, day: date) -> dict[str, Any] | None:
    from portfolio.ledger.tertial import load_report

    which = tertial_for(day)
    if which is None:
        return None
    report = load_report(db, which[0], which[1])
    if report.statement.is_empty() and report.objects.height == 0 and report.result_ore is None:
        return None
    return {
        "title": report.title,
        "result_text": report.result_text,
        "source_text": report.source_text,
        "headers": [*STATEMENT_HEADERS],
        "rows": [
            [r["line"], *(_tkr_text(r[c]) for c in STATEMENT_COLUMNS)]
            for r in report.statement.iter_rows(named=True)
        ],
        "objects": [
            [
                str(r["object"]),
                str(r["name"] or ""),
                format_tkr(r["deviation_ore"], signed=True),
                str(r["comment"] or r["text"] or ("kommentar saknas" if r["comment_missing"] else "")),
            ]
            for r in report.objects.iter_rows(named=True)
        ],
    }


def _portfolio(db: Database, day: date) -> dict[str, Any]:
    projects = core_store.projects_frame(db).filter(
        (pl.col("phase") != "avslutad") & pl.col("actual_end_date").is_null()
    )
    open_risks = (
        risks.risks_with_bands(db)
        .filter(pl.col("status") != "stängd")
        .sort(["score", "project"], descending=[True, False])
        .head(MAX_RISKS)
    )
    previous = governance.previous_meeting(db, day)
    since = date.fromisoformat(previous["date"]) if previous else None
    reports = core_store.status_reports_frame(db).filter(
        (pl.col("reported_on") > (since.isoformat() if since else ""))
        & (pl.col("reported_on") <= day.isoformat())
    )
    codes = dict(core_store.projects_frame(db).select("id", "code").iter_rows())
    changes = [
        f"{r['reported_on']}: statusrapport för {codes.get(r['project_id'], '?')}"
        f" – {status_text(r['overall_status'])}"
        for r in reports.iter_rows(named=True)
    ]
    changes += [
        f"{r['changed_on']}: {r['code']} {r['name']} "
        + (
            f"går från {r['from_phase'] or '–'} till {r['to_phase']}"
            if r["from_phase"] != r["to_phase"]
            else f"nytt beslut i fasen {r['to_phase']}"
        )
        for r in governance.phase_changes_between(db, since, day).iter_rows(named=True)
    ]
    behind = benefits.register(db, today=day).filter(pl.col("status") == "efter plan")
    return {
        "benefits": [
            {
                "project": r["project"],
                "title": r["title"],
                "latest": f"{r['latest_value']} {r['unit'] or ''} ({r['latest_date']})".strip(),
                "target": f"{r['target_value']} {r['unit'] or ''} ({r['target_date']})".strip(),
            }
            for r in behind.iter_rows(named=True)
        ],
        "projects": [
            {
                "code": p["code"],
                "name": p["name"],
                "phase": p["phase"],
                "status": status_text(p["status"]),
                "reason": p["status_reason"] or "",
                "budget": format_kr(p["budget_ore"]) if p["budget_ore"] is not None else "–",
                "actual": format_kr(p["actual_ore"]) if p["actual_ore"] is not None else "–",
            }
            for p in projects.iter_rows(named=True)
        ],
        "risks": [
            {
                "project": r["project"],
                "title": r["title"],
                "score": r["score"],
                "band": r["band"] or "",
                "owner": r["owner"] or "",
            }
            for r in open_risks.iter_rows(named=True)
        ],
        "since": previous["date"] if previous else None,
        "changes": sorted(changes),
    }


def kallelse_pdf(db: Database, meeting_id: int) -> bytes:
    """The kallelse med handlingar as one tagged PDF; refused for a meeting without items."""
    meeting = governance.meeting(db, meeting_id)
    items = _items(db, meeting_id)
    if not items:
        raise InvalidInputError(
            [f"Sammanträdet {meeting['date']} har inga ärenden; lägg in föredragningslistan först"]
        )
    day = date.fromisoformat(meeting["date"])
    files = governance.attachments(db, meeting_id)
    by_item: dict[int, list[dict[str, Any]]] = {}
    appended: list[tuple[str, bytes]] = []
    listed: list[dict[str, Any]] = []
    labels = {i["id"]: f"{i['label']} {i['title']}" for i in items}
    for row in files.iter_rows(named=True):
        entry = {**row, "size_text": size_text(row["size"]), "appended": row["kind"] == "pdf"}
        entry["item"] = labels.get(row["item_id"], "")
        by_item.setdefault(row["item_id"], []).append(entry)
        listed.append(entry)
        if row["kind"] == "pdf":
            appended.append((row["filename"], governance.attachment_content(db, row["id"])[2]))
    for item in items:
        item["files"] = by_item.get(item["id"], [])
        item["status"] = _latest_status(db, item["case_code"], day)
    html = render_html(
        "kallelse.html",
        TEMPLATES,
        title=f"Kallelse med handlingar – sammanträde {meeting['date']}",
        committee=COMMITTEE,
        meeting=meeting,
        items=items,
        tertial=_tertial(db, day),
        portfolio=_portfolio(db, day),
        attachments=listed,
    )
    return tagged_pdf(html, appended=appended)


def _held(db: Database, meeting_id: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    meeting = governance.meeting(db, meeting_id)
    if meeting["state"] not in ("genomfört", "justerat"):
        raise InvalidInputError(
            [f"Sammanträdet {meeting['date']} är {meeting['state']}; protokollet skrivs när det är genomfört"]
        )
    return meeting, _items(db, meeting_id)


def decision_as_handled(item: dict[str, Any]) -> str:
    """The decision as recorded; an item without one was information the nämnd took note of."""
    if item["decision"]:
        return str(item["decision"])
    return "Nämnden har tagit del av informationen."


def protocol_pdf(db: Database, meeting_id: int) -> bytes:
    """The justerat protocol as a tagged PDF with the justering's details; refused before justering."""
    meeting, items = _held(db, meeting_id)
    if meeting["state"] != "justerat":
        raise InvalidInputError(
            [
                f"Protokollet från {meeting['date']} är inte justerat ännu; ta ut utkastet som DOCX"
                " och justera sammanträdet först"
            ]
        )
    for item in items:
        item["handled"] = decision_as_handled(item)
    html = render_html(
        "protokoll.html",
        TEMPLATES,
        title=f"Protokoll – sammanträde {meeting['date']}",
        committee=COMMITTEE,
        meeting=meeting,
        items=items,
        paragraphs_text=_paragraph_span(items),
    )
    return tagged_pdf(html)


def _paragraph_span(items: list[dict[str, Any]]) -> str:
    numbers = [i["number"] for i in items if i["number_kind"] == "paragraf" and i["number"] is not None]
    if not numbers:
        return ""
    return f"§§{min(numbers)}–{max(numbers)}" if len(numbers) > 1 else f"§{numbers[0]}"


def protocol_docx(db: Database, meeting_id: int) -> bytes:
    """A draft of the protocol in Word: heading, facts, each § with its decision as handled."""
    from docx import Document
    from docx.shared import Pt

    meeting, items = _held(db, meeting_id)
    doc = Document()
    doc.core_properties.title = f"Protokoll {meeting['date']}"
    doc.core_properties.language = "sv-SE"
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(f"Protokoll – sammanträde {meeting['date']}", level=0)
    doc.add_paragraph(COMMITTEE)
    facts = doc.add_table(rows=0, cols=2)
    facts.style = "Table Grid"
    for name, value in (
        ("Datum", meeting["date"]),
        ("Plats och tid", " ".join(v for v in (meeting["place"], meeting["time"]) if v) or "…"),
        ("Paragrafer", _paragraph_span(items) or "…"),
        ("Beslutande ledamöter", meeting["members"] or "…"),
        ("Ordförande", meeting["chair"] or "…"),
        ("Justerare", meeting["justerare"] or "…"),
        (
            "Justeringens plats och tid",
            " ".join(v for v in (meeting["justering_place"], meeting["justering_date"]) if v) or "…",
        ),
    ):
        cells = facts.add_row().cells
        cells[0].text, cells[1].text = name, str(value)
    if meeting["state"] != "justerat":
        doc.add_paragraph("Utkast – protokollet är inte justerat.")
    for item in items:
        case = f" ({item['case_code']})" if item["case_code"] else ""
        doc.add_heading(f"{item['label']} {item['title']}{case}", level=1)
        if item["corrects"]:
            c = item["corrects"]
            doc.add_paragraph(f"Rättar beslutet {c['meeting_date']} {c['label']} ”{c['title']}”.")
        if item["summary"]:
            doc.add_heading("Sammanfattning", level=2)
            for text in paragraphs(item["summary"]):
                doc.add_paragraph(text)
        if item["proposal"]:
            doc.add_heading("Förslag till beslut", level=2)
            for text in paragraphs(item["proposal"]):
                doc.add_paragraph(text)
        doc.add_heading("Beslut", level=2)
        for text in paragraphs(decision_as_handled(item)):
            doc.add_paragraph(text)
        if item["documents"]:
            doc.add_heading("Beslutsunderlag", level=2)
            for name in item["documents"]:
                doc.add_paragraph(name, style="List Bullet")
    doc.add_heading("Underskrifter", level=1)
    for role in ("Sekreterare", "Ordförande", "Justerande"):
        doc.add_paragraph(f"{role} ……………………………………")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def file_name(meeting: dict[str, Any], kind: str, ext: str) -> str:
    """`kallelse-2020-02-14.pdf`, `protokoll-2019-06-03.docx`."""
    return f"{kind}-{meeting['date']}.{ext}"
