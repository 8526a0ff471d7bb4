"""The project page's money: budget lines per financier, the report's own totals, and their editing.

Everyone reads the tables; only the e-strateg changes money (the domain refuses anyone else).
Widget keys start with `project_budget_` and carry the line and version a form was drawn from.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from dashboard import forms, ui
from dashboard.project_facts import show_stale
from portfolio import parties
from portfolio.auth import Action, User, can
from portfolio.db import Database
from portfolio.errors import ImportRejectedError, StaleEditError
from portfolio.governance import service as governance
from portfolio.governance.model import paragraph_label
from portfolio.money import format_kr
from portfolio.projects import budget_import
from portfolio.projects import service as projects
from portfolio.projects.model import LINE_KIND_LABELS, BudgetLineInput, StatedTotalsInput

FLASH = "project_budget_flash"
NEW_LINE = 0
NO_DECISION = ""
PLAN = "project_budget_plan"


def financier_name(code: str) -> str:
    """A financier as people say it: the party's name, or "Kommunerna"."""
    return "Kommunerna (efter folkmängd)" if code == parties.KOMMUNERNA else ui.party_names().get(code, code)


def shares_table(lines: list[dict[str, Any]]) -> pl.DataFrame:
    """One row per line and financier: budget and outcome, as the page shows them."""
    rows = []
    for line in lines:
        financiers = dict.fromkeys([*line["shares"]["budget"], *line["shares"]["outcome"]])
        for code in financiers:
            rows.append(
                {
                    "Aktivitet": line["activity"],
                    "Finansiär": financier_name(code),
                    "Budget": format_kr(line["shares"]["budget"].get(code), empty=""),
                    "Utfall": format_kr(line["shares"]["outcome"].get(code), empty=""),
                }
            )
    return pl.DataFrame(rows, schema=dict.fromkeys(["Aktivitet", "Finansiär", "Budget", "Utfall"], pl.String))


def render_shares(conn: Database, project_id: int) -> None:
    """The split of every line between its financiers (region, municipalities, named parties)."""
    lines = projects.budget_lines(conn, project_id)
    table = shares_table(lines)
    if table.height:
        st.subheader("Fördelning per finansiär")
        ui.table(table, hide_index=True)


def render_history(conn: Database, project_code: str) -> None:
    """Every change of the budget: who, when, before, after and the decision behind it."""
    rows = projects.budget_history(conn, project_code)
    with st.expander(f"Budgethistorik ({len(rows)} poster)"):
        if not rows:
            st.markdown("Budgeten har inte ändrats sedan den lades in.")
            return
        ui.table(pl.DataFrame(rows), hide_index=True)


def render_editor(conn: Database, project: dict[str, Any], user: User) -> None:
    """The e-strateg's forms: a line added or changed, removed, the stated totals, a file imported."""
    if not can(user, Action.MANAGE_PROJECTS):
        return
    project_id = project["id"]
    st.subheader("Ändra budgeten")
    lines = projects.budget_lines(conn, project_id)
    decisions = _decision_options(project["code"])
    add, remove, stated, upload = st.tabs(
        ["Ny eller ändrad rad", "Ta bort rad", "Rapportens summor", "Läs in från fil"]
    )
    with add:
        _line_form(conn, project, user, lines, decisions)
    with remove:
        _remove_form(conn, user, lines, decisions)
    with stated:
        _stated_form(conn, project_id, user, decisions)
    with upload:
        _import_form(conn, project_id, user, decisions)


def _decision_options(code: str) -> dict[str, str]:
    """The case's numbered decisions as `2019-06-03 §17` → a label with the title."""
    frame = governance.decisions(ui.db(), case_code=code)
    options = {NO_DECISION: "Inget beslut anges"}
    for r in frame.filter(pl.col("number").is_not_null()).iter_rows(named=True):
        ref = f"{r['date']} {paragraph_label(r['number_kind'], r['number'])}"
        options[ref] = f"{ref} {r['title']}"
    return options


def _decision(decisions: dict[str, str], key: str) -> str | None:
    choice = ui.choose(
        "Beslut som tillåter ändringen (valfritt)",
        list(decisions),
        format_func=lambda ref: decisions.get(ref, ref),
        key=key,
    )
    return choice or None


def _kr(ore: int | None) -> str:
    return "" if ore is None else f"{ore // 100}" + (f",{ore % 100:02d}" if ore % 100 else "")


def _line_form(
    conn: Database,
    project: dict[str, Any],
    user: User,
    lines: list[dict[str, Any]],
    decisions: dict[str, str],
) -> None:
    by_id = {ln["id"]: ln for ln in lines}
    chosen = ui.choose(
        "Budgetrad",
        [NEW_LINE, *by_id],
        format_func=lambda i: "Ny budgetrad" if i == NEW_LINE else by_id[i]["activity"],
        key="project_budget_line",
    )
    line = by_id.get(chosen)
    wanted = {
        *project["financing_parties"],
        *((line["shares"]["budget"] | line["shares"]["outcome"]) if line else {}),
    }
    # The region first, then the municipalities by name (as the parties are listed), then the group.
    financiers = [c for c in ui.party_names() if c in wanted] + [parties.KOMMUNERNA]
    name = f"project_budget_{chosen}"
    version = forms.drawn_version(name, line["version"], "activity") if line else 0
    prefix = f"{name}_{version}"
    with st.form(f"{prefix}_form"):
        activity = st.text_input(
            "Aktivitet", value=line["activity"] if line else "", key=f"{prefix}_activity"
        )
        kinds = list(LINE_KIND_LABELS)
        kind = ui.choose(
            "Typ av rad",
            kinds,
            index=kinds.index(line["kind"]) if line else 0,
            format_func=lambda k: LINE_KIND_LABELS[k].capitalize(),
            key=f"{prefix}_kind",
        )
        st.markdown("Belopp i kronor per finansiär; lämna tomt för en finansiär som inte bidrar.")
        budget: list[tuple[str, str]] = []
        outcome: list[tuple[str, str]] = []
        for code in financiers:
            left, right = st.columns(2)
            b = left.text_input(
                f"Budget, {financier_name(code)}",
                value=_kr(line["shares"]["budget"].get(code)) if line else "",
                key=f"{prefix}_b_{code}",
            )
            o = right.text_input(
                f"Utfall, {financier_name(code)}",
                value=_kr(line["shares"]["outcome"].get(code)) if line else "",
                key=f"{prefix}_o_{code}",
            )
            budget += [(code, b.strip())] if b.strip() else []
            outcome += [(code, o.strip())] if o.strip() else []
        left, right = st.columns(2)
        unsplit = not (line and line["shares"]["budget"])
        budget_total = left.text_input(
            "Budget totalt, om den inte fördelas på finansiärer",
            value=_kr(line["budget_total_ore"]) if line and unsplit else "",
            key=f"{prefix}_btotal",
        )
        outcome_total = right.text_input(
            "Utfall totalt, om det inte fördelas på finansiärer",
            value=_kr(line["outcome_total_ore"]) if line and not line["shares"]["outcome"] else "",
            key=f"{prefix}_ototal",
        )
        note = st.text_input("Anteckning", value=(line["note"] or "") if line else "", key=f"{prefix}_note")
        decision = _decision(decisions, f"{prefix}_decision")
        saved = st.form_submit_button("Spara budgetraden", type="primary")
    if saved:
        with forms.saving(
            FLASH,
            lambda: f"Budgetraden {ui.plain(activity.strip())} är sparad.",
            refused={StaleEditError: lambda exc: show_stale(exc, name, line["version"] if line else 0)},
        ):
            data = projects.parse(
                BudgetLineInput,
                {
                    "activity": activity,
                    "kind": kind,
                    "budget": [{"financier": f, "amount": a} for f, a in budget],
                    "outcome": [{"financier": f, "amount": a} for f, a in outcome],
                    "budget_total": budget_total.strip() or None if not budget else None,
                    "outcome_total": outcome_total.strip() or None if not outcome else None,
                    "note": note,
                    "source": line["source"] if line else None,
                    "document_rounding": bool(line and line["document_rounding"]),
                },
            )
            line_id = projects.set_budget_line(
                conn,
                user,
                project["id"],
                data,
                line_id=line["id"] if line else None,
                version=version if line else None,
                decision=decision,
            )
            forms.rebase(f"project_budget_{line_id}", version + 1 if line else 1)
            forms.prepare_next({"project_budget_line": line_id})
    forms.confirmation(FLASH)


def _remove_form(conn: Database, user: User, lines: list[dict[str, Any]], decisions: dict[str, str]) -> None:
    if not lines:
        st.markdown("Projektet har inga budgetrader.")
        return
    by_id = {ln["id"]: ln for ln in lines}
    with st.form("project_budget_remove_form"):
        chosen = ui.choose(
            "Rad att ta bort",
            list(by_id),
            format_func=lambda i: by_id[i]["activity"],
            key="project_budget_remove",
        )
        decision = _decision(decisions, "project_budget_remove_decision")
        removed = st.form_submit_button("Ta bort budgetraden")
    if removed:
        line = by_id[chosen]
        with forms.saving(
            "project_budget_remove_flash", f"Budgetraden {ui.plain(line['activity'])} är borttagen."
        ):
            projects.remove_budget_line(conn, user, line["id"], version=line["version"], decision=decision)
    forms.confirmation("project_budget_remove_flash")


STATED_FIELDS = (
    ("budget", "total", "Budget totalt"),
    ("budget", "region", "Budget, regionen"),
    ("budget", "kommunerna", "Budget, kommunerna"),
    ("outcome", "total", "Utfall på budgetraderna"),
    ("outcome", "region", "Utfall, regionen"),
    ("outcome", "kommunerna", "Utfall, kommunerna"),
)


def _stated_form(conn: Database, project_id: int, user: User, decisions: dict[str, str]) -> None:
    stated = projects.stated_totals(conn, project_id)
    st.markdown(
        "Summor som projektets rapport själv anger, där de skiljer sig från summan av raderna"
        " (som LINK2:s slutrapport). Tomma fält betyder att radernas summa gäller."
    )
    name = f"project_budget_stated_{project_id}"
    version = forms.drawn_version(name, stated["version"], "total") if stated else 0
    prefix = f"{name}_{version}"
    values: dict[str, Any] = {"budget": {}, "outcome": {}}
    with st.form(f"{prefix}_form"):
        cols = st.columns(3)
        for i, (side, part, label) in enumerate(STATED_FIELDS):
            text = cols[i % 3].text_input(
                label,
                value=_kr(stated[f"{side}_{part}_ore"]) if stated else "",
                key=f"{prefix}_{side}_{part}",
            )
            values[side][part] = text.strip() or None
        left, right = st.columns(2)
        extra = left.text_input(
            "Tillkommande kostnader", value=_kr(stated["extra_ore"]) if stated else "", key=f"{prefix}_extra"
        )
        total = right.text_input(
            "Projektets totala kostnad",
            value=_kr(stated["total_cost_ore"]) if stated else "",
            key=f"{prefix}_total",
        )
        decision = _decision(decisions, f"{prefix}_decision")
        clear = st.checkbox("Ta bort rapportens summor (radernas summa gäller)", key=f"{prefix}_clear")
        saved = st.form_submit_button("Spara summorna")
    if saved:
        with forms.saving(
            "project_budget_stated_flash",
            "Rapportens summor är sparade.",
            refused={StaleEditError: lambda exc: show_stale(exc, name, stated["version"] if stated else 0)},
        ):
            data = None
            if not clear:
                data = projects.parse(
                    StatedTotalsInput,
                    {**values, "extra_kr": extra.strip() or None, "total_cost_kr": total.strip() or None,
                     "source": stated["source"] if stated else None},
                )  # fmt: skip
            projects.set_stated_totals(
                conn, user, project_id, data, version=version if stated else None, decision=decision
            )
            forms.rebase(name, (version + 1) if stated and data else 1)
    forms.confirmation("project_budget_stated_flash")


def _import_form(conn: Database, project_id: int, user: User, decisions: dict[str, str]) -> None:
    st.markdown(
        "En tabell med en rad per aktivitet och en kolumn per finansiär, till exempel"
        " `Aktivitet;Region;Östersund`. Ladda upp en CSV- eller Excelfil (högst"
        f" {budget_import.MAX_BYTES // 1_000_000} MB, {budget_import.MAX_ROWS} rader) eller klistra in"
        " cellerna från Excel. Du ser raderna innan något sparas."
    )
    with st.form("project_budget_import_form"):
        upload = st.file_uploader(
            "Budgetfil (CSV eller xlsx)", type=["csv", "xlsx", "txt"], key="project_budget_file"
        )
        pasted = st.text_area("…eller klistra in tabellen här", key="project_budget_paste")
        preview = st.form_submit_button("Förhandsgranska")
    if preview:
        st.session_state.pop(PLAN, None)
        try:
            if upload is not None:
                plan = budget_import.plan(conn, project_id, upload.name, upload.getvalue())
            else:
                plan = budget_import.plan_rows(conn, project_id, budget_import.read_text(pasted))
        except ImportRejectedError as exc:
            ui.show_errors(exc)
        else:
            st.session_state[PLAN] = (project_id, plan)
    stored = st.session_state.get(PLAN)
    if stored and stored[0] == project_id:
        plan = stored[1]
        ui.table(
            pl.DataFrame(
                [
                    {
                        "Rad i filen": str(r.row),
                        "Aktivitet": r.line.activity,
                        "Budget": format_kr(r.line.total("budget")),
                        "Fördelning": ", ".join(
                            f"{financier_name(s.financier)} {format_kr(s.amount)}" for s in r.line.budget
                        ),
                        "Ändring": r.change,
                    }
                    for r in plan.rows
                ]
            ),
            hide_index=True,
        )
        for note in plan.skipped:
            st.caption(note)
        decision = _decision(decisions, "project_budget_import_decision")
        changed = sum(r.change != "oförändrad" for r in plan.rows)
        if st.button(
            f"Spara {changed} rader", type="primary", key="project_budget_import_save", disabled=not changed
        ):
            with forms.saving("project_budget_import_flash", f"{changed} budgetrader är sparade."):
                budget_import.apply(conn, user, project_id, plan, decision=decision)
                st.session_state.pop(PLAN, None)
    forms.confirmation("project_budget_import_flash")
