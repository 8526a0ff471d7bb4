"""Writes and reads of meetings, decisions, phases and price-list debits.

Every write takes the acting user, checks the right, validates against the database,
and runs in one transaction with its audit row: all or nothing.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import polars as pl

from portfolio.auth import Action, User, require
from portfolio.db import Database, audit_by, found_or_raise, write
from portfolio.errors import InvalidInputError, NotFoundError, StaleEditError
from portfolio.governance import attachments as files
from portfolio.governance import store
from portfolio.governance.logic import debit_amount_ore, hours_to_centi, parse_decision_query
from portfolio.governance.model import (
    STATES,
    AgendaItemInput,
    DebitInput,
    JusteringInput,
    MeetingInput,
    NewCaseInput,
    PhaseChangeInput,
    PriceRateInput,
    paragraph_label,
)
from portfolio.models import Phase
from portfolio.money import format_kr
from portfolio.projects import service as projects
from portfolio.projects.model import ProjectInput
from portfolio.store import price_rates_frame

# --- meetings -----------------------------------------------------------------------------


def create_meeting(db: Database, actor: User, data: MeetingInput) -> int:
    """Add a meeting to the plan; refused if a meeting already is on that date."""
    require(actor, Action.MANAGE_MEETINGS)
    if store.meeting_on(db, data.date) is not None:
        raise InvalidInputError([f"Det finns redan ett sammanträde den {data.date}; välj ett annat datum"])
    with write(db):
        meeting_id = store.insert_meeting(db, data)
        audit_by(db, actor, "skapa", "sammanträde", data.date.isoformat(), after=data.model_dump(mode="json"))
    return meeting_id


def update_meeting(db: Database, actor: User, meeting_id: int, data: MeetingInput, *, based_on: dict) -> None:
    """Correct a meeting; refused if it changed since the user read `based_on`."""
    require(actor, Action.MANAGE_MEETINGS)
    current = _meeting(db, meeting_id)
    _refuse_if_justerat(current)
    other = store.meeting_on(db, data.date)
    if other is not None and other["id"] != meeting_id:
        raise InvalidInputError([f"Det finns redan ett sammanträde den {data.date}; välj ett annat datum"])
    with write(db):
        if store.meeting(db, meeting_id) != based_on:
            raise StaleEditError(
                "Sammanträdet har ändrats av någon annan sedan du öppnade det; läs in sidan igen.",
                current=current,
            )
        store.update_meeting(db, meeting_id, data)
        audit_by(
            db,
            actor,
            "ändra",
            "sammanträde",
            data.date.isoformat(),
            before=current,
            after=data.model_dump(mode="json"),
        )


def move_meeting(db: Database, actor: User, meeting_id: int, new_date: date, reason: str) -> None:
    """Move a meeting to another day, keeping its original date and the reason."""
    require(actor, Action.MANAGE_MEETINGS)
    current = _meeting(db, meeting_id)
    _refuse_if_justerat(current)
    problems = []
    if not reason.strip():
        problems.append("Ange skälet till flytten (till exempel regionens budgetdag)")
    if new_date.isoformat() == current["date"]:
        problems.append(f"Sammanträdet ligger redan den {new_date}; välj det nya datumet")
    elif store.meeting_on(db, new_date) is not None:
        problems.append(f"Det finns redan ett sammanträde den {new_date}; välj ett annat datum")
    if problems:
        raise InvalidInputError(problems)
    original = date.fromisoformat(current["moved_from"] or current["date"])
    data = MeetingInput(
        date=new_date,
        kind=current["kind"],
        place=current["place"],
        paragraphs=current["paragraphs"],
        planned=bool(current["planned"]),
        moved_from=None if original == new_date else original,
        moved_reason=None if original == new_date else reason.strip(),
        time=current["time"],
        chair=current["chair"],
        members=current["members"],
    )
    with write(db):
        store.update_meeting(db, meeting_id, data)
        audit_by(
            db,
            actor,
            "flytta",
            "sammanträde",
            new_date.isoformat(),
            before=current,
            after=data.model_dump(mode="json"),
        )


def _meeting(db: Database, meeting_id: int) -> dict[str, Any]:
    return found_or_raise(store.meeting(db, meeting_id), f"Sammanträdet med id {meeting_id} finns inte")


def meeting(db: Database, meeting_id: int) -> dict[str, Any]:
    """One meeting with its state and justering details; NotFoundError otherwise."""
    return _meeting(db, meeting_id)


def meeting_on(db: Database, day: date) -> dict[str, Any]:
    """The meeting on `day`; NotFoundError naming the date otherwise."""
    return found_or_raise(store.meeting_on(db, day), f"Det finns inget sammanträde den {day}")


def _refuse_if_justerat(meeting: dict[str, Any]) -> None:
    if meeting["state"] == "justerat":
        raise InvalidInputError(
            [
                f"Protokollet från sammanträdet {meeting['date']} är justerat och kan inte ändras;"
                " rätta genom ett nytt beslut vid ett senare sammanträde som hänvisar till det gamla"
            ]
        )


def change_state(
    db: Database, actor: User, meeting_id: int, to: str, *, justering: JusteringInput | None = None
) -> None:
    """Move a meeting one step: planerat → kallat → genomfört → justerat.

    Kallat needs items on the agenda; genomfört gives the items their § numbers, continuing the
    year's series; justerat needs the justering's details and locks the protocol.
    """
    require(actor, Action.MANAGE_MEETINGS)
    current = _meeting(db, meeting_id)
    state = current["state"]
    if to not in STATES:
        raise InvalidInputError([f"Okänt läge {to}; välj {', '.join(STATES)}"])
    position = STATES.index(state)
    if position + 1 >= len(STATES) or STATES[position + 1] != to:
        following = STATES[position + 1] if position + 1 < len(STATES) else None
        hint = f"kan bara gå vidare till {following}" if following else "är justerat och ändras inte mer"
        raise InvalidInputError([f"Sammanträdet {current['date']} är {state} och {hint}"])
    items = store.meeting_items(db, meeting_id)
    if to == "kallat" and not items:
        raise InvalidInputError(
            [
                f"Sammanträdet {current['date']} har inga ärenden;"
                " lägg in föredragningslistan innan kallelsen skickas"
            ]
        )
    if to == "justerat":
        if justering is None:
            raise InvalidInputError(["Ange justeringens datum, plats och justerare"])
        if justering.date is not None and justering.date.isoformat() < current["date"]:
            raise InvalidInputError(
                [f"Justeringen ({justering.date}) kan inte ske före sammanträdet ({current['date']})"]
            )
    numbered: list[tuple[int, int]] = []
    if to == "genomfört":
        year = int(current["date"][:4])
        next_number = store.last_paragraph(db, year) + 1
        for item in items:
            # An unnumbered § item (the seeds' history, § unknown) keeps none.
            if item["number_kind"] == "punkt":
                numbered.append((item["id"], next_number))
                next_number += 1
    with write(db):
        if not store.set_meeting_state(db, meeting_id, to, expected=state):
            raise StaleEditError(
                "Sammanträdet har ändrats av någon annan; läs in sidan igen.",
                current=_meeting(db, meeting_id),
            )
        for item_id, number in numbered:
            store.set_paragraph(db, item_id, number)
        after: dict[str, Any] = {"state": to}
        if numbered:
            after["paragrafer"] = [f"§{n}" for _, n in numbered]
        if to == "justerat" and justering is not None:
            store.set_justering(db, meeting_id, justering)
            after["justering"] = justering.model_dump(mode="json")
        audit_by(
            db, actor, "ändra läge", "sammanträde", current["date"], before={"state": state}, after=after
        )


STANDARD_ITEMS_FIRST = ("Val av justerare och tid för justering", "Fastställande av föredragningslista")
STANDARD_ITEMS_LAST = ("Informationer",)


def _is_closing(title: str) -> bool:
    return title.strip().casefold().startswith(tuple(t.casefold() for t in STANDARD_ITEMS_LAST))


def add_standard_items(db: Database, actor: User, meeting_id: int) -> list[int]:
    """Add the nämnd's fixed items (justerare, föredragningslista first; informationer last).

    Items already on the agenda by that title are not added again; returns the new items' ids.
    """
    require(actor, Action.MANAGE_MEETINGS)
    current = _meeting(db, meeting_id)
    _refuse_if_justerat(current)
    if current["state"] == "genomfört":
        raise InvalidInputError([f"Sammanträdet {current['date']} är genomfört; dagordningen är fastställd"])
    titles = {i["title"].strip().casefold() for i in store.meeting_items(db, meeting_id)}
    first = [t for t in STANDARD_ITEMS_FIRST if t.casefold() not in titles]
    last = [t for t in STANDARD_ITEMS_LAST if not any(x.startswith(t.casefold()) for x in titles)]
    day = date.fromisoformat(current["date"])
    if not first and not last:
        return []
    added = []
    with write(db):
        if first:
            store.shift_points(db, meeting_id, len(first))
        for number, title in [*enumerate(first, start=1), *((None, t) for t in last)]:
            if number is None:
                number = store.last_point(db, meeting_id) + 1
            data = AgendaItemInput(meeting_date=day, number_kind="punkt", number=number, title=title)
            item_id = store.insert_agenda_item(db, meeting_id, data)
            audit_by(db, actor, "skapa", "dagordningspunkt", item_id, after=data.model_dump(mode="json"))
            added.append(item_id)
    return added


def meeting_plan(db: Database, year: int | None = None) -> pl.DataFrame:
    """The meetings of a year with moved dates and reasons."""
    return store.meeting_plan(db, year)


def upcoming_meetings(db: Database, today: date, limit: int = 5) -> pl.DataFrame:
    """The next meetings from `today`."""
    return store.upcoming_meetings(db, today, limit)


def meeting_years(db: Database) -> list[int]:
    """Years with meetings."""
    return store.meeting_years(db)


# --- agenda items and decisions ---------------------------------------------------------------


def _check_item(db: Database, data: AgendaItemInput, *, item_id: int | None = None) -> int:
    """The meeting id for the item, or InvalidInputError naming every problem."""
    problems = []
    if not data.title.strip():
        problems.append("Ange en rubrik för ärendet")
    meeting = store.meeting_on(db, data.meeting_date)
    if meeting is not None:
        _refuse_if_justerat(meeting)
    if meeting is None:
        problems.append(
            f"Det finns inget sammanträde den {data.meeting_date}; lägg först in sammanträdet i planen"
        )
    elif data.number is not None:
        if data.number_kind == "paragraf":
            used = store.paragraph_in_year(
                db, data.meeting_date.year, data.number, other_meeting=meeting["id"]
            )
            if used is not None:
                problems.append(
                    f"§{data.number} används redan {data.meeting_date.year} (sammanträdet {used['date']},"
                    f" ”{used['title']}”); §-numren löper i en serie per år"
                )
        taken = store.item_with_number(db, meeting["id"], data.number_kind, data.number, other_than=item_id)
        if taken is not None:
            label = paragraph_label(data.number_kind, data.number)
            problems.append(
                f"{label} används redan i sammanträdet {data.meeting_date} (”{taken['title']}”);"
                " välj ett annat nummer"
            )
    if data.case and store.project_by_code(db, data.case) is None:
        problems.append(
            f"Ärendet {data.case} finns inte i portföljen; kontrollera numret eller lägg upp ärendet först"
        )
    if data.corrects_item_id is not None:
        old = store.agenda_item(db, data.corrects_item_id)
        if old is None:
            problems.append(f"Beslutet som ska rättas (punkt {data.corrects_item_id}) finns inte")
        elif old["meeting_date"] >= data.meeting_date.isoformat():
            problems.append(
                f"En rättelse görs vid ett senare sammanträde än beslutet som rättas ({old['meeting_date']})"
            )
    if problems:
        raise InvalidInputError(problems)
    assert meeting is not None
    return int(meeting["id"])


def add_agenda_item(db: Database, actor: User, data: AgendaItemInput) -> int:
    """Add an item (and its decision, if taken) to a meeting's agenda; returns its id."""
    require(actor, Action.MANAGE_MEETINGS)
    meeting_id = _check_item(db, data)
    closing = None
    if data.number is None and data.number_kind == "punkt":
        # Before the meeting an item's place on the agenda is its punkt; § comes when it is held.
        # A new item goes before a closing "Informationer", which stays last.
        last = store.last_point(db, meeting_id)
        closing = next(
            (
                i
                for i in store.meeting_items(db, meeting_id)
                if i["number_kind"] == "punkt" and i["number"] == last and _is_closing(i["title"])
            ),
            None,
        )
        number = last if closing else last + 1
        data = data.model_copy(update={"number_kind": "punkt", "number": number})
    project = store.project_by_code(db, data.case) if data.case else None
    with write(db):
        if closing is not None:
            store.set_point(db, closing["id"], closing["number"] + 1)
        item_id = store.insert_agenda_item(db, meeting_id, data)
        audit_by(
            db,
            actor,
            "skapa",
            "dagordningspunkt",
            item_id,
            after=data.model_dump(mode="json"),
            project_id=project["id"] if project else None,
        )
    return item_id


def agenda_item(db: Database, item_id: int) -> dict[str, Any]:
    """One agenda item as the edit form reads it; NotFoundError otherwise."""
    return found_or_raise(store.agenda_item(db, item_id), f"Dagordningspunkten med id {item_id} finns inte")


_KEPT = {"presenter": "presenter", "corrects_item_id": "corrects_item_id"}


def update_agenda_item(
    db: Database, actor: User, item_id: int, data: AgendaItemInput, *, based_on: dict
) -> None:
    """Edit an item, e.g. record the decision taken; refused if it changed since `based_on`."""
    require(actor, Action.MANAGE_MEETINGS)
    current = agenda_item(db, item_id)
    _refuse_if_justerat(_meeting(db, current["meeting_id"]))
    # A form that does not show the presenter or the corrected decision keeps them as they are.
    kept = {f: current[c] for f, c in _KEPT.items() if f not in data.model_fields_set}
    data = data.model_copy(update=kept)
    meeting_id = _check_item(db, data, item_id=item_id)
    project = store.project_by_code(db, data.case) if data.case else None
    with write(db):
        if store.agenda_item(db, item_id) != based_on:
            raise StaleEditError(
                "Punkten har ändrats av någon annan sedan du öppnade den; läs in sidan igen.",
                current=current,
            )
        store.update_agenda_item(db, item_id, meeting_id, data)
        audit_by(
            db,
            actor,
            "ändra",
            "dagordningspunkt",
            item_id,
            before=current,
            after=data.model_dump(mode="json"),
            project_id=project["id"] if project else None,
        )


def meeting_items(db: Database, meeting_id: int) -> list[dict[str, Any]]:
    """A meeting's items in agenda order, each with the later decisions that correct it."""
    items = store.meeting_items(db, meeting_id)
    for item in items:
        item["corrected_by"] = store.corrections_of(db, item["id"])
        item["corrects"] = (
            store.agenda_item(db, item["corrects_item_id"]) if item["corrects_item_id"] else None
        )
    return items


def attach_file(db: Database, actor: User, item_id: int, name: str, content: bytes) -> int:
    """Attach a beslutsunderlag (PDF, DOCX or XLSX, at most 20 MB) to an item; returns its id.

    The type is read from the file's first bytes, not only its name; a name with a path part
    is refused. The file is stored with its SHA-256.
    """
    require(actor, Action.MANAGE_MEETINGS)
    item = agenda_item(db, item_id)
    _refuse_if_justerat(_meeting(db, item["meeting_id"]))
    cleaned, kind, problems = files.check(name, content)
    if not problems and store.attachment_named(db, item_id, cleaned) is not None:
        problems.append(f"Punkten har redan en bilaga som heter {cleaned}; byt namn på filen")
    if problems:
        raise InvalidInputError(problems)
    digest = hashlib.sha256(content).hexdigest()
    with write(db):
        attachment_id = store.insert_attachment(
            db, item_id, filename=cleaned, kind=kind, sha256=digest, content=content
        )
        audit_by(
            db,
            actor,
            "bifoga",
            "beslutsunderlag",
            attachment_id,
            after={"item_id": item_id, "filename": cleaned, "size": len(content), "sha256": digest},
        )
    return attachment_id


def attachments(db: Database, meeting_id: int) -> pl.DataFrame:
    """The files attached to a meeting's items: name, kind, size and SHA-256."""
    return store.attachments_frame(db, meeting_id)


def attachment_content(db: Database, attachment_id: int) -> tuple[str, str, bytes]:
    """An attachment's name, kind (pdf, docx, xlsx) and bytes; NotFoundError otherwise."""
    return found_or_raise(
        store.attachment_content(db, attachment_id), f"Bilagan med id {attachment_id} finns inte"
    )


def decisions(db: Database, *, case_code: str | None = None) -> pl.DataFrame:
    """Every agenda item with its meeting, for one case or all (NotFoundError for an unknown case)."""
    if case_code and store.project_by_code(db, case_code) is None:
        raise NotFoundError(f"Det finns inget projekt eller ärende med koden {case_code}")
    return store.decisions_frame(db, case_code=case_code)


def search_decisions(db: Database, query: str) -> pl.DataFrame:
    """Items whose texts hold every meaningful word of `query`, best first.

    A date ("2019-06-03", "juni 2019") keeps the items of the meetings on it, a "§17" that item.
    """
    asked = parse_decision_query(query)
    return store.search_decisions(
        db,
        asked.terms,
        first_day=asked.first_day,
        last_day=asked.last_day,
        number=asked.number,
        number_kind=asked.number_kind,
    )


def decision_text(decision: str | None, proposal: str | None) -> str | None:
    """The decision; where only the agenda exists, the proposal, marked as such."""
    if decision:
        return decision
    if proposal:
        return f"Förslag till beslut (beslutet finns inte i handlingarna): {proposal}"
    return None


def decision_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Decisions as rows of date, paragraph, case, title, decision (for the command line)."""
    return [
        {
            "date": r["date"],
            "paragraph": paragraph_label(r["number_kind"], r["number"]),
            "case": r["case_code"],
            "title": r["title"],
            "decision": decision_text(r["decision"], r["proposal"]),
        }
        for r in frame.iter_rows(named=True)
    ]


# --- cases and phases -------------------------------------------------------------------------


def create_case(db: Database, actor: User, data: NewCaseInput, *, origin: str | None = None) -> int:
    """Open a new case in the portfolio (the short form of the project register); returns its id."""
    require(actor, Action.MANAGE_PROJECTS)  # before the input is checked: refusals say nothing of it
    reason = "Nytt ärende; ingen statusrapport ännu." + (f" {origin}" if origin else "")
    return projects.create_project(
        db,
        actor,
        ProjectInput(
            code=data.code,
            name=data.name,
            kind=data.kind,
            phase=data.phase,
            purpose=data.purpose,
            owner_party=data.owner_party,
            start_date=data.opened_on,
            status_reason=reason,
            source=data.source,
        ),
        opened_on=data.opened_on,
        origin=origin or "Ärendet öppnat",
    )


def record_phase_change(db: Database, actor: User, data: PhaseChangeInput) -> int:
    """Record that a project enters a phase on a date by a decision, and move the project there."""
    require(actor, Action.MANAGE_PROJECTS)
    project = found_or_raise(
        store.project(db, data.project_id), f"Projektet med id {data.project_id} finns inte"
    )
    problems = []
    if data.phase.value == project["phase"] and not (data.note or "").strip():
        problems.append(
            f"{project['code']} är redan i fasen {data.phase.value}; ange i kommentaren vad beslutet"
            " ändrar (till exempel förlängd projekttid)"
        )
    latest = store.latest_phase_change(db, data.project_id)
    if latest is not None and data.changed_on.isoformat() < latest["changed_on"]:
        problems.append(
            f"Datumet {data.changed_on} ligger före projektets senaste fasändring ({latest['changed_on']})"
        )
    if data.agenda_item_id is not None:
        item = store.agenda_item(db, data.agenda_item_id)
        if item is None:
            problems.append(f"Beslutet (dagordningspunkt {data.agenda_item_id}) finns inte")
        elif item["case_code"] != project["code"]:
            label = paragraph_label(item["number_kind"], item["number"]) or "punkten"
            problems.append(
                f"Beslutet {item['meeting_date']} {label} gäller {item['case_code'] or 'inget ärende'},"
                f" inte {project['code']}"
            )
    if problems:
        raise InvalidInputError(problems)
    with write(db):
        if not store.set_project_phase(
            db, data.project_id, data.phase.value, expected_version=project["version"]
        ):
            raise StaleEditError("Projektet har ändrats av någon annan; läs in sidan igen.", current=project)
        change_id = store.insert_phase_change(
            db,
            project_id=data.project_id,
            changed_on=data.changed_on,
            from_phase=project["phase"],
            to_phase=data.phase.value,
            agenda_item_id=data.agenda_item_id,
            note=data.note,
            source=data.source,
        )
        audit_by(
            db,
            actor,
            "fasändring",
            "projekt",
            project["code"],
            before={"phase": project["phase"]},
            after=data.model_dump(mode="json"),
            project_id=data.project_id,
        )
    return change_id


def phase_history(db: Database, project_id: int) -> pl.DataFrame:
    """A project's phase changes with the decision behind each."""
    return store.phase_history(db, project_id)


def phase_changes_between(db: Database, after: date | None, until: date) -> pl.DataFrame:
    """Every project's phase changes after `after` up to `until` (what changed between meetings)."""
    return store.phase_changes_between(db, after, until)


def previous_meeting(db: Database, day: date) -> dict[str, Any] | None:
    """The last meeting before `day` that was held (genomfört or justerat), or None."""
    plan = store.meeting_plan(db)
    earlier = [
        r["id"] for r in plan.iter_rows(named=True) if r["date"] < day.isoformat() and not r["planned"]
    ]
    return store.meeting(db, earlier[-1]) if earlier else None


def phases() -> list[str]:
    """The phases in the order a case passes through them."""
    return [p.value for p in Phase]


# --- price list and debits --------------------------------------------------------------------


def set_price_rate(db: Database, actor: User, data: PriceRateInput) -> None:
    """Set a year's price per hour for a resource (each year is its own version of the list)."""
    require(actor, Action.MANAGE_KEYS)
    before = store.price_rate(db, data.year, data.resource)
    with write(db):
        store.upsert_price_rate(db, data)
        audit_by(
            db,
            actor,
            "skapa" if before is None else "ändra",
            "prislista",
            f"{data.year} {data.resource}",
            before=None if before is None else {"rate_ore": before},
            after=data.model_dump(mode="json"),
        )


def debit_resource(db: Database, actor: User, data: DebitInput) -> int:
    """Debit hours of a resource to a project at the rate of the year the work was done."""
    require(actor, Action.MANAGE_PROJECTS)
    found_or_raise(store.project(db, data.project_id), f"Projektet med id {data.project_id} finns inte")
    year = data.work_date.year
    rate = store.price_rate(db, year, data.resource)
    if rate is None:
        years = store.price_years(db)
        known = ", ".join(store.price_resources(db, year)) if year in years else ""
        hint = (
            f" (prislistan {year} har {known})"
            if known
            else f"; prislistor finns för {', '.join(map(str, years)) or 'inget år'}"
        )
        raise InvalidInputError(
            [f"Prislistan för {year} saknar resursen {data.resource}{hint}; lägg in {year} års pris först"]
        )
    amount = debit_amount_ore(data.hours, rate)
    with write(db):
        debit_id = store.insert_debit(
            db,
            project_id=data.project_id,
            work_date=data.work_date,
            resource=data.resource,
            hours_centi=hours_to_centi(data.hours),
            rate_ore=rate,
            amount_ore=amount,
            note=data.note,
        )
        audit_by(
            db,
            actor,
            "debitera",
            "debitering",
            debit_id,
            after={
                **data.model_dump(mode="json"),
                "rate": format_kr(rate),
                "amount": format_kr(amount),
            },
            project_id=data.project_id,
        )
    return debit_id


def debits(db: Database, project_id: int | None = None) -> pl.DataFrame:
    """Debited hours for one project or all."""
    return store.debits_frame(db, project_id)


def debit_totals(db: Database) -> pl.DataFrame:
    """Debited outcome per project and year (öre), to add to a project's outcome."""
    return store.debit_totals(db)


def price_list(db: Database) -> pl.DataFrame:
    """The price list, every year."""
    return price_rates_frame(db)


def price_resources(db: Database, year: int | None = None) -> list[str]:
    """Resource types of a year's price list (or any year's)."""
    return store.price_resources(db, year)
