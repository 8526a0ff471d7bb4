"""Enkäter: response rate, group shares and each statement's mean and distribution, filtered by
group (small groups never shown on their own); import of answers and links to benefit indicators."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl
import streamlit as st

from dashboard import charts_benefits, forms, ui
from portfolio import uploads
from portfolio.auth import Action, Role
from portfolio.errors import ImportRejectedError, InvalidInputError
from portfolio.money import format_number
from registers.benefits import service as benefits
from registers.surveys import logic as survey_logic
from registers.surveys import service as surveys
from registers.surveys import store as surveys_store
from registers.surveys.model import SurveyInput, parse_survey

user = ui.require_user()
conn = ui.db()
today = date.today()
forms.prepare()


def pct(share: float | None, decimals: int = 0) -> str:
    return "–" if share is None else f"{format_number(Decimal(str(share)) * 100, decimals)} %"


def mean_text(value: float | None) -> str:
    return "–" if value is None else format_number(Decimal(str(value)), 2)


st.title("Enkäter")
st.caption(
    "Resultat av enkäter i projekten. Grupper med färre än "
    f"{survey_logic.MIN_GROUP_SIZE} svarande visas inte för sig (de ingår i totalen)."
)
projects = ui.projects()
project_ids = dict(projects.select("code", "id").iter_rows())
project_names = dict(projects.select("code", "name").iter_rows())
all_surveys = surveys_store.surveys_frame(conn)
manageable = [c for c, pid in project_ids.items() if surveys.can_manage(user, pid)]

if all_surveys.is_empty():
    st.info("Det finns inga enkäter ännu.")
else:
    labels = {
        r["id"]: f"{r['title']} ({r['date']}, {r['project']})" for r in all_surveys.iter_rows(named=True)
    }
    ids = list(labels)
    # A survey or round just created is chosen by the save (forms.prepare, above).
    if st.session_state.get("surveys_select") not in ids:
        st.session_state["surveys_select"] = ids[0]
    chosen_id = ui.choose("Enkät", ids, format_func=lambda i: labels[i], key="surveys_select")
    survey_id = int(chosen_id if chosen_id is not None else ids[0])
    survey = surveys_store.get_survey(conn, survey_id)
    project_id = int(survey["project_id"])
    st.header(ui.plain(survey["title"]))
    st.caption(
        f"{survey['project']} – {ui.plain(project_names.get(survey['project'], ''))} · datum {survey['date']}"
        + (f" (källa för datumet: {ui.plain(survey['date_source'])})" if survey["date_source"] else "")
        + f" · skala 1–{survey['points']}"
        + (f": 1 = {ui.plain(survey['low_label'])}" if survey["low_label"] else "")
        + (f", {survey['points']} = {ui.plain(survey['high_label'])}" if survey["high_label"] else "")
    )
    if survey["distribution"]:
        st.markdown(ui.plain(survey["distribution"]))

    overall = surveys.results(conn, survey_id)
    m1, m2, m3 = st.columns(3)
    m1.metric("Svarande", format_number(overall.respondents) if overall.respondents is not None else "–")
    m2.metric(
        "Tillfrågade",
        ("ca " if survey["population_note"] and "ca" in survey["population_note"] else "")
        + (format_number(survey["population"]) if survey["population"] else "–"),
    )
    m3.metric(
        "Svarsfrekvens", pct(None if overall.response_rate is None else float(overall.response_rate), 1)
    )
    if survey["population_note"]:
        st.caption(f"Tillfrågade: {ui.plain(survey['population_note'])}")

    if overall.message:
        st.info(overall.message)
    else:
        st.subheader("Svarande per grupp")
        shown_groups = surveys.shown_groups(overall)
        stated = dict(overall.groups.select("group", "stated_share_pct").iter_rows())
        ui.chart(
            charts_benefits.group_shares_chart(shown_groups, "Andel av de svarande per grupp"),
            key="surveys_groups_chart",
        )
        ui.table(
            pl.DataFrame(
                [
                    (
                        g["name"],
                        format_number(g["n"]),
                        pct(g["share"], 1),
                        f"{stated[g['name']]} %" if stated.get(g["name"]) is not None else "–",
                    )
                    for g in shown_groups
                ],
                schema=["Grupp", "Svarande", "Andel", "Andel enligt rapporten"],
                orient="row",
            ),
            hide_index=True,
        )
        if overall.hidden:
            st.caption(
                f"{surveys.OTHER_GROUPS}: {ui.plain(', '.join(overall.hidden))} har för få svarande "
                "för att visas "
                "för sig och redovisas tillsammans."
            )

        visible = overall.groups.filter(~pl.col("suppressed"))["group"].to_list()
        chosen = ui.choose_many(
            "Visa resultat för grupp", visible, placeholder="Alla svarande", key="surveys_groups"
        )
        try:
            res = surveys.results(conn, survey_id, chosen or None)
        except InvalidInputError as exc:
            ui.show_errors(exc)
            res = overall
        who = ", ".join(chosen) if chosen else "alla svarande"
        st.subheader(f"Påståenden – {ui.plain(who)}")
        stats = res.stats if res.stats is not None else pl.DataFrame()
        points = int(survey["points"])
        if res.layout is not None and res.layout.height:
            ui.chart(
                charts_benefits.diverging_chart(
                    res.layout,
                    points,
                    f"Svarsfördelning per påstående ({who})",
                    survey["low_label"],
                    survey["high_label"],
                ),
                key="surveys_diverging_chart",
            )
        links = dict(res.statements.select("text", "benefit_title").iter_rows())
        rows = [
            {
                "Påstående": r["statement"],
                "Antal svar": r["n"],
                "Medelvärde": "färre än 5 svar" if r["suppressed"] else mean_text(r["mean"]),
                **{str(k): "–" if r["suppressed"] else pct(r[f"share_{k}"]) for k in range(1, points + 1)},
                "Kopplad nytta": links.get(r["statement"]) or "–",
            }
            for r in stats.iter_rows(named=True)
        ]
        if rows:
            ui.dataframe(pl.DataFrame(rows), width="stretch", key="surveys_statements_table")
            st.caption(
                "Tabellen visar samma andelar som diagrammet (andel av svaren per svarsvärde) och "
                "medelvärdet på skalan."
            )
    if survey["findings"]:
        st.subheader("Rapportens slutsatser")
        st.markdown("\n".join(f"- {ui.plain(f)}" for f in survey["findings"]))
    for note in survey["notes"]:
        st.caption(ui.plain(note))
    ui.source_caption(survey["source"])

    # --- link a statement to a benefit indicator ------------------------------------------------
    if ui.can(Action.EDIT_BENEFITS, project_id=project_id):
        st.subheader("Koppla ett påstående till en nyttoindikator")
        st.caption(
            "Påståendets medelvärde blir en mätning av nyttan, daterad med enkätens datum; varje ny "
            "enkätomgång som behåller kopplingen ger nästa mätning."
        )
        candidates = benefits.register(conn, project_id, today=today).filter(
            pl.col("baseline_date").is_not_null()
        )
        statement_texts = dict(overall.statements.select("id", "text").iter_rows())
        benefit_titles = dict(candidates.select("id", "title").iter_rows())
        if not benefit_titles:
            st.info("Projektet har ingen nytta med nollmätning och målvärde att koppla till ännu.")
        else:
            with st.form("surveys_link_form", enter_to_submit=False):
                link_statement = ui.choose("Påstående", statement_texts, key="surveys_link_statement")
                link_benefit = ui.choose(
                    "Nytta som påståendet mäter",
                    benefit_titles,
                    key="surveys_link_benefit",
                    none="Ingen koppling",
                )
                linked = st.form_submit_button("Spara kopplingen", key="surveys_link_submit")
            forms.confirmation("surveys_link_flash")
            if linked:
                made = 0
                with forms.saving(
                    "surveys_link_flash",
                    lambda: (
                        "Kopplingen är sparad"
                        + (f" och {made} mätning lades till i nyttoregistret." if made else ".")
                    ),
                ):
                    made = surveys.link_statement(
                        conn,
                        user,
                        int(link_statement or 0),
                        None if link_benefit is None else int(link_benefit),
                    )

    # --- import answers and new rounds ------------------------------------------------------
    if surveys.can_manage(user, project_id):
        st.subheader("Läs in svar")
        st.markdown(
            "CSV (semikolon, komma eller tabb) eller Excel (.xlsx, första bladet). Fyra upplägg går bra:\n"
            "- en rad per svarande: `svarande; grupp; <påstående 1>; <påstående 2>; …`\n"
            "- en rad per svar: `svarande; grupp; påstående; svar`\n"
            "- antal per svar: `påstående; grupp; svar; antal`\n"
            "- antal i kolumner: `påstående; grupp; 1; 2; …`\n\n"
            "Grupp anges med namn eller kod, påstående med text eller nummer. Ett tomt svar räknas som "
            "att frågan hoppades över. Allt eller inget: en felaktig rad och inget sparas."
        )
        upload = forms.uploader("Fil med svar", ["csv", "xlsx"], "surveys_upload_file", uploads.SURVEY_FILE)
        replace = st.checkbox("Ersätt enkätens befintliga svar", key="surveys_upload_replace")
        reading = st.button("Läs in", key="surveys_upload_submit", type="primary", disabled=upload is None)
        forms.confirmation("surveys_upload_flash")
        if reading:
            assert upload is not None
            upload_name = upload.name

            def rejected(exc: ImportRejectedError) -> None:
                st.error(
                    f"Filen {ui.plain(upload_name)} lästes inte in; inget sparades "
                    f"({len(exc.messages)} fel):\n\n" + "\n".join(f"- {ui.plain(m)}" for m in exc.messages)
                )

            def imported() -> str:
                return (
                    f"{ui.plain(upload_name)}: {result.rows} rader ({result.layout}) inlästa, "
                    f"{result.respondents} svarande"
                    + (f", {result.measurements} mätningar i nyttoregistret" if result.measurements else "")
                    + "."
                )

            with forms.saving(
                "surveys_upload_flash",
                imported,
                refused={ImportRejectedError: rejected},
                then={"surveys_upload_replace": False},
            ):
                result = surveys.import_answers(
                    conn, user, survey_id, upload.name, upload.getvalue(), replace=replace
                )
                forms.renew_uploader("surveys_upload_file")

        st.subheader("Ny enkätomgång")
        with st.form("surveys_round_form", enter_to_submit=False):
            st.caption("Samma skala, grupper, påståenden och kopplingar till nyttor som den valda enkäten.")
            c1, c2, c3 = st.columns(3)
            round_title = c1.text_input("Omgångens titel", key="surveys_round_title")
            round_date = ui.date_input(
                "Omgångens datum", value=today, max_value=today, key="surveys_round_date", where=c2
            )
            round_population = c3.number_input(
                "Antal tillfrågade i omgången",
                min_value=0,
                value=survey["population"] or 0,
                step=1,
                key="surveys_round_population",
            )
            made_round = st.form_submit_button("Skapa omgången", key="surveys_round_submit")
        forms.confirmation("surveys_round_flash")
        if made_round:
            new_round: int
            with forms.saving(
                "surveys_round_flash",
                "Den nya omgången är skapad och vald; läs in dess svar ovan.",
                then=lambda: {"surveys_select": new_round, "surveys_round_title": ""},
            ):
                new_round = surveys.new_round(
                    conn,
                    user,
                    survey_id,
                    title=round_title,
                    survey_date=round_date,
                    population=int(round_population) or None,
                )

# --- a new survey ------------------------------------------------------------------------------
if manageable:
    st.subheader("Ny enkät")
    with st.form("surveys_new_form", enter_to_submit=False):
        c1, c2 = st.columns(2)
        new_project = ui.choose(
            "Den nya enkätens projekt",
            manageable,
            index=manageable.index(ui.default_project(manageable)),
            format_func=lambda c: f"{c} – {project_names[c]}",
            key="surveys_new_project",
            where=c1,
        )
        new_title = c2.text_input("Den nya enkätens titel", key="surveys_new_title")
        c1, c2, c3 = st.columns(3)
        new_date = ui.date_input(
            "Den nya enkätens datum", value=today, max_value=today, key="surveys_new_date", where=c1
        )
        new_population = c2.number_input(
            "Antal tillfrågade i den nya enkäten", min_value=0, step=1, key="surveys_new_population"
        )
        new_points = c3.number_input(
            "Antal svarsalternativ", min_value=2, max_value=11, value=6, key="surveys_new_points"
        )
        c1, c2 = st.columns(2)
        new_low = c1.text_input("Text för 1", value="Håller inte alls med", key="surveys_new_low")
        new_high = c2.text_input(
            "Text för högsta värdet", value="Håller fullständigt med", key="surveys_new_high"
        )
        new_groups = st.text_area("Grupper, en per rad", key="surveys_new_groups")
        new_statements = st.text_area("Påståenden, ett per rad", key="surveys_new_statements")
        created = st.form_submit_button("Skapa enkäten", key="surveys_new_submit")
    forms.confirmation("surveys_new_flash")
    if created:
        new_survey: int
        data: SurveyInput
        with forms.saving(
            "surveys_new_flash",
            lambda: f"Enkäten '{ui.plain(data.title)}' är skapad och vald ovan; läs in dess svar.",
            then=lambda: {
                "surveys_select": new_survey,
                "surveys_new_title": "",
                "surveys_new_population": 0,
                "surveys_new_groups": "",
                "surveys_new_statements": "",
            },
        ):
            data = parse_survey(
                {
                    "title": new_title,
                    "date": new_date,
                    "population": int(new_population) or None,
                    "scale": {"points": int(new_points), "low_label": new_low, "high_label": new_high},
                    "groups": new_groups,
                    "statements": new_statements,
                }
            )
            new_survey = surveys.create_survey(conn, user, project_ids[new_project], data)
elif user.role is Role.ADMIN:
    st.info("Det finns inga projekt att knyta en enkät till.")
