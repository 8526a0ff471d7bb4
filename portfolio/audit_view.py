"""Which audit entries a user may see, and how people read them."""

from __future__ import annotations

import json
import re
from typing import Any

import polars as pl

from portfolio import clock
from portfolio.audit_store import AuditQuery
from portfolio.auth import Role, User
from portfolio.textsafe import escape_frame

# Account entries (logins, passwords set) are the secretariat's business, except one's own.
PRIVATE_ENTITIES = ("användare",)


def visible_to(query: AuditQuery, user: User) -> AuditQuery:
    """Admin sees every entry; others all but other people's account entries."""
    if user.role is Role.ADMIN:
        return query
    return AuditQuery(**{**query.__dict__, "hide_entities_except_own": (PRIVATE_ENTITIES, str(user.id))})


def csv_export(table: pl.DataFrame) -> bytes:
    """The log as CSV for Swedish Excel: semicolons, UTF-8 with BOM, text cells never run as formulas."""
    return escape_frame(table).write_csv(separator=";").encode("utf-8-sig")


# The stored field names as people read them in the log (Swedish keys are already readable).
FIELD_LABELS = {
    "activity": "aktivitet", "activity_row": "rad i bruttolistan", "actual_end_date": "faktiskt slut",
    "actual_kr": "utfall, kr", "agenda_item_id": "punkt", "amount_kr": "belopp, kr",
    "amount_ore": "belopp, öre", "areas": "områden", "baseline": "nollmätning", "budget_kr": "budget, kr",
    "case": "ärende", "categories": "kategorier", "category": "kategori", "cause": "orsak",
    "chair": "ordförande", "changed_on": "ändrat", "code": "kod", "columns": "kolumner",
    "comment": "kommentar", "consequence": "konsekvens", "consequence_text": "konsekvensens beskrivning",
    "corrects_item_id": "rättar punkt", "count": "antal", "date": "datum", "date_note": "om datumet",
    "date_source": "datumets källa", "decided": "beslutad", "decision": "beslut",
    "definition_source": "definitionens källa", "deliverable": "leverabel", "delivered": "levererad",
    "description": "beskrivning", "details": "detaljer", "direction": "riktning",
    "distribution": "fördelning", "documents": "handlingar", "due_date": "förfallodatum",
    "email": "e-post", "extra_kr": "tillkommande, kr", "failed_logins": "misslyckade inloggningar",
    "financing_parties": "finansierande parter", "findings": "iakttagelser", "goals": "mål",
    "groups": "grupper", "id": "id", "indicator": "indikator", "key": "nyckel", "kind": "typ",
    "leader_accounts": "projektledarkonton", "leaders": "projektledare", "lines": "rader",
    "locked_until": "låst till", "mean_range": "medelvärdenas spann", "measured": "mätt",
    "meeting_date": "sammanträdesdatum", "members": "ledamöter", "monetary": "i kronor",
    "moved_from": "flyttad från", "moved_reason": "skäl till flytten", "name": "namn",
    "name_source": "namnets källa", "need": "behov", "next_review": "nästa uppföljning",
    "note": "anteckning", "notes": "anteckningar", "number": "nummer", "number_kind": "numrering",
    "objects": "objekt", "observations": "iakttagelser", "outcome": "utfall", "owner": "ägare",
    "owner_email": "ägarens e-post", "owner_party": "ägande part", "paragraphs": "paragrafer",
    "parties": "parter", "party": "part", "password": "lösenord", "period": "period", "phase": "fas",
    "place": "plats", "plan": "plan", "plan_year": "planår", "planned": "planerad",
    "planned_date": "planerat datum", "planned_end_date": "planerat slut", "population": "invånare",
    "population_note": "om befolkningen", "potential_outcome": "möjligt utfall",
    "presenter": "föredragande", "probability": "sannolikhet", "project": "projekt",
    "project_id": "projekt", "projects": "projekt", "proposal": "förslag", "purpose": "syfte",
    "rates": "priser", "red_from": "röd från", "ref": "referens", "reference": "underlag",
    "register_id": "register", "residual_consequence": "konsekvens efter åtgärd",
    "residual_probability": "sannolikhet efter åtgärd", "resources": "resurser",
    "respondents": "svarande", "result_tkr": "resultat, tkr", "risk_id": "risk", "role": "roll",
    "row": "rad", "scale": "skala", "scale_source": "skalans källa", "score_source": "värderingens källa",
    "section": "avsnitt", "show_in_portfolio": "visas i portföljen", "sign": "tecken",
    "source": "källa", "source_kind": "typ av källa", "spec": "fördelning", "start_date": "start",
    "state": "läge", "statements": "påståenden", "statements_note": "om påståendena",
    "status": "status", "status_note": "om statusen", "status_reason": "skäl till status",
    "status_text": "status i text", "steering_group": "styrgrupp", "summary": "sammanfattning",
    "target": "målvärde", "text": "text", "time": "tid", "title": "titel", "topic": "ämne",
    "total_cost_kr": "total kostnad, kr", "totals": "summor", "type": "typ", "unit": "enhet",
    "value_kr_per_year": "värde, kr per år", "values": "värden",
    "variance_explanation": "förklaring till avvikelsen", "version": "version", "year": "år",
    "yellow_from": "gul från",
}  # fmt: skip


def field_label(key: str) -> str:
    """A stored field name as people read it: `failed_logins` → `misslyckade inloggningar`."""
    return FIELD_LABELS.get(key, key.replace("_", " "))


_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?$")


def _value_text(value: Any) -> str:
    """One stored value as people read it: ja/nej, "–" for nothing, lists joined, times local."""
    if value is None or value == "" or value == [] or value == {}:
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, dict):
        return ", ".join(f"{field_label(k)} {_value_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value)
    if isinstance(value, str) and _STAMP.match(value):
        return clock.local_text(value)
    return str(value)


def readable_change(text: str | None) -> str:
    """An audit row's JSON before/after as `fält: värde` lines people read (the JSON stays in the CSV)."""
    if not text:
        return ""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    if not isinstance(data, dict):
        return _value_text(data)
    return "\n".join(f"{field_label(key)}: {_value_text(value)}" for key, value in data.items())
