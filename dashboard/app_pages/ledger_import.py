"""Import av redovisning (admin): SIE 4 (previewed before it is confirmed) and CSV/Excel uploads,
the organisations whose ledgers belong to the nämnd, the import log, the account mapping per
organisation, and which objects belong to which project."""

from __future__ import annotations

import io

import polars as pl
import streamlit as st

from dashboard import forms, ui
from portfolio import clock, uploads
from portfolio.auth import Action
from portfolio.errors import ImportRejectedError, PermissionDeniedError
from portfolio.ledger import imports_store, mapping, mapping_store
from portfolio.ledger.csv_import import import_lines
from portfolio.ledger.organisations import add_organisation
from portfolio.ledger.organisations import organisations as listed_organisations
from portfolio.ledger.sie_import import (
    ImportSummary,
    SieImportRejectedError,
    SiePreview,
    import_sie,
    preview_sie,
    project_dimension,
    remove_import,
)

user = ui.require_user()
conn = ui.db()
forms.prepare()


def _show_summary(summary: ImportSummary) -> None:
    if summary.already_imported:
        st.info(
            f"Filen {ui.plain(summary.file_name)} är redan importerad (import {summary.import_id}); "
            "inget ändrades."
        )
    else:
        st.success(f"Filen {ui.plain(summary.file_name)} är importerad (import {summary.import_id}).")
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Verifikationer", summary.vouchers)
    c2.metric("Transaktionsrader", summary.trans_rows)
    c3.metric("Projektobjekt", summary.objects)
    c4.metric("Budgetrader", summary.budget_rows)
    period = f"{summary.first_date} – {summary.last_date}" if summary.first_date else "inga transaktioner"
    st.markdown(
        f"- Period: {period}\n- Organisation: {ui.plain(summary.organisation)}\n"
        f"- Rader som inte summeras (#RTRANS/#BTRANS): {summary.ignored_rows}\n"
        f"- Periodsaldon (#PSALDO): {summary.balance_rows}\n- {summary.encoding_message}"
    )
    if summary.superseded:
        st.caption("Ersätter tidigare import av samma år: " + ", ".join(map(str, summary.superseded)))
    if summary.warnings:
        with st.expander(f"Varningar ({len(summary.warnings)})", expanded=True):
            for warning in summary.warnings:
                st.markdown(f"- {ui.plain(warning)}")
    else:
        st.caption("Inga varningar.")


def _show_rejection(exc: ImportRejectedError) -> None:
    st.error(
        "Filen importerades inte; inget ändrades. Rätta följande (radnummer i filen):\n\n"
        + "\n".join(f"- {ui.plain(m)}" for m in exc.messages)
    )


def _imported(tab: str, summary: ImportSummary, uploader: str) -> None:
    """Show the summary under the button of `tab` after the rerun, with the uploader emptied."""
    st.session_state["ledger_import_result"] = (tab, summary)
    forms.renew_uploader(uploader)
    st.rerun()


def _show_result(tab: str) -> None:
    """The summary of the import just made from `tab`, under its button."""
    last = st.session_state.get("ledger_import_result")
    if isinstance(last, tuple) and last[0] == tab:
        del st.session_state["ledger_import_result"]
        _show_summary(last[1])


PENDING = "ledger_import_pending"


def _show_preview(preview: SiePreview) -> None:
    """Everything about the file the admin should see before confirming."""
    st.subheader("Granskning av filen (inget är importerat än)")
    org = preview.organisation or "inget användbart organisationsnummer"
    listed = (
        f"finns i listan som {ui.plain(preview.listed_name)}"
        if preview.listed_name
        else "finns inte i listan över organisationer"
    )
    fiscal = (
        f"{preview.fiscal_start} – {preview.fiscal_end}" if preview.fiscal_start else "anges inte (#RAR 0)"
    )
    period = f"{preview.first_date} – {preview.last_date}" if preview.first_date else "inga transaktioner"
    st.markdown(
        f"- Fil: {ui.plain(preview.file_name)}\n"
        f"- Organisation: {ui.plain(preview.company or '(namn saknas i filen)')}, {ui.plain(org)}"
        + (f" ({listed})" if preview.organisation else "")
        + f"\n- Typ: {ui.plain(preview.type_text)}\n- Räkenskapsår: {fiscal}\n"
        f"- Verifikationer: {preview.vouchers}, transaktionsrader: {preview.trans_rows}, period: {period}\n"
        f"- Kontrollsumma: {ui.plain(preview.checksum)}"
    )
    if preview.comparison is not None:
        st.markdown(
            f"**Ersätter import {', '.join(map(str, preview.replaces))}.** Rader som försvinner ur"
            f" huvudboken: {preview.comparison.rows_disappearing}."
        )
        facts = [*preview.comparison.before, preview.comparison.after]
        st.dataframe(
            pl.DataFrame(
                {
                    "Huvudbok": [
                        ("Före: " if f in preview.comparison.before else "Efter: ") + f.label for f in facts
                    ],
                    "Verifikationer": [f.vouchers for f in facts],
                    "Rader": [f.trans_rows for f in facts],
                    "Första datum": [f.first_date or "–" for f in facts],
                    "Sista datum": [f.last_date or "–" for f in facts],
                }
            ),
            hide_index=True,
            key="ledger_import_compare_counts",
        )
        table = preview.comparison.table()
        st.dataframe(
            ui.kr_column(table, ["före_ore", "efter_ore", "skillnad_ore"]).rename(
                {"klass": "Kontoklass", "före_ore": "Före", "efter_ore": "Efter", "skillnad_ore": "Skillnad"}
            ),
            hide_index=True,
            key="ledger_import_compare_classes",
        )
    if preview.warnings:
        with st.expander(f"Varningar ({len(preview.warnings)})", expanded=True):
            for warning in preview.warnings:
                st.markdown(f"- {ui.plain(warning)}")
    else:
        st.caption("Inga varningar.")


def _preview(pending: dict) -> SiePreview | None:
    """The chosen file's preview (read once and kept); None when the file was refused or, being
    already imported, needed no confirmation: then what happened is shown instead."""
    preview: SiePreview | None = pending.get("preview")
    if preview is not None:
        return preview
    try:
        with st.spinner("Läser filen …"):
            result = preview_sie(
                conn,
                user,
                io.BytesIO(pending["data"]),
                file_name=pending["name"],
                allow_unbalanced=pending["allow"],
                organisation=pending.get("organisation"),
            )
    except ImportRejectedError as exc:
        del st.session_state[PENDING]
        _show_rejection(exc)
        return None
    except PermissionDeniedError as exc:
        del st.session_state[PENDING]
        st.error(str(exc))
        return None
    if isinstance(result, ImportSummary):
        del st.session_state[PENDING]
        _show_summary(result)
        return None
    preview = pending["preview"] = result
    return preview


def _review(pending: dict) -> None:
    """Preview the chosen file, then import it when the admin confirms what it needs."""
    preview = _preview(pending)
    if preview is None:
        return
    _show_preview(preview)
    if preview.blocking:
        st.error(
            "Filen kan inte importeras; inget ändrades:\n\n"
            + "\n".join(f"- {ui.plain(m)}" for m in preview.blocking)
        )
        if st.button("Välj en annan fil", key="ledger_import_cancel"):
            del st.session_state[PENDING]
            st.rerun()
        return
    if preview.needs:
        st.warning(
            "Innan filen importeras behöver du ta ställning till:\n\n"
            + "\n".join(f"- {ui.plain(m)}" for m in preview.messages)
        )
    listed = listed_organisations(conn)
    with st.form("ledger_import_confirm_form", enter_to_submit=False):
        chosen = None
        if "organisation" in preview.needs:
            orgs = {o: f"{o} {n}" for o, n in listed.select("org_no", "name").iter_rows()}
            chosen = ui.choose(
                "Organisationen filen hör till",
                orgs,
                key="ledger_import_organisation",
                prompt="Välj en organisation i listan",
            )
        new_org = "ny-organisation" in preview.needs and st.checkbox(
            f"Lägg till {ui.plain(preview.company or 'organisationen')} ({preview.organisation})"
            " i listan över organisationer vars bokföring hör till nämnden",
            key="ledger_import_new_organisation",
        )
        replace = "ersätt" in preview.needs and st.checkbox(
            f"Ersätt import {', '.join(map(str, preview.replaces))} med den här filen (jämförelsen ovan)",
            key="ledger_import_replace",
        )
        addition = ""
        if "tillägg" in preview.needs:
            addition = st.text_input(
                "Spara delexporten som tillägg med namnet", key="ledger_import_addition", max_chars=100
            )
        ignore = "kontrollsumma" in preview.needs and st.checkbox(
            "Importera trots att kontrollsumman inte stämmer (filen har ändrats eller är ofullständig)",
            key="ledger_import_ignore_checksum",
        )
        confirming = st.form_submit_button("Importera", type="primary", key="ledger_import_submit")
    if st.button("Avbryt", key="ledger_import_cancel"):
        del st.session_state[PENDING]
        st.rerun()
    if not confirming:
        return
    try:
        summary = import_sie(
            conn,
            user,
            io.BytesIO(pending["data"]),
            file_name=pending["name"],
            allow_unbalanced=pending["allow"],
            organisation=chosen or pending.get("organisation"),
            new_organisation=bool(new_org),
            replace=bool(replace),
            addition=addition or None,
            ignore_checksum=bool(ignore),
        )
    except SieImportRejectedError as exc:
        if exc.preview is not None and chosen:
            # The organisation chosen may bring a replacement to confirm: show that preview.
            pending["organisation"] = chosen
            pending["preview"] = exc.preview
            st.rerun()
        _show_rejection(exc)
        return
    except ImportRejectedError as exc:
        _show_rejection(exc)
        return
    except PermissionDeniedError as exc:
        st.error(str(exc))
        return
    del st.session_state[PENDING]
    _imported("sie", summary, "ledger_import_file")


def sie_section() -> None:
    """Upload a SIE 4 file, review it, and import it once confirmed."""
    st.markdown(
        "Ladda upp en SIE 4-fil från ekonomisystemet och granska den: sidan visar organisation, typ,"
        " räkenskapsår, antal, kontrollsumma, varningar och vad filen skulle ersätta. Ingenting"
        " ändras förrän du bekräftar. Samma fil två gånger ändrar inget."
    )
    uploaded = forms.uploader(
        "SIE-fil (.se, .si, .sie)", ["se", "si", "sie", "txt"], "ledger_import_file", uploads.SIE_FILE
    )
    allow = st.checkbox(
        "Tillåt obalanserade verifikationer (de listas som varningar)", key="ledger_import_allow_unbalanced"
    )
    reviewing = st.button(
        "Granska filen", type="primary", key="ledger_import_review", disabled=uploaded is None
    )
    _show_result("sie")
    if reviewing:
        assert uploaded is not None
        st.session_state[PENDING] = {
            "name": uploaded.name,
            "data": uploaded.getvalue(),
            "allow": allow,
            "preview": None,
        }
    if isinstance(st.session_state.get(PENDING), dict):
        _review(st.session_state[PENDING])


def organisations_section() -> None:
    """The organisations whose ledgers belong to the nämnd, and a form to add one."""
    st.markdown(
        "Organisationer vars bokföring hör till nämnden (regionen och parterna). En SIE-fil från en"
        " organisation som inte står här importeras först när du lägger till den, här eller när du"
        " bekräftar importen."
    )
    listed_now = listed_organisations(conn)
    if listed_now.is_empty():
        st.caption("Listan är tom.")
    else:
        ui.dataframe(
            listed_now.select(
                pl.col("org_no").alias("Organisationsnummer"),
                pl.col("name").alias("Namn"),
                clock.local_column("added_at").alias("Tillagd"),
                pl.col("added_by").alias("Av"),
            ),
            key="ledger_org_list",
        )
    with st.form("ledger_org_form", enter_to_submit=False):
        org_no = st.text_input("Organisationsnummer (NNNNNN-NNNN)", key="ledger_org_no")
        org_name = st.text_input("Namn", key="ledger_org_name")
        adding = st.form_submit_button("Lägg till organisationen", key="ledger_org_submit")
    forms.confirmation("ledger_org_flash")
    if adding:
        with forms.saving(
            "ledger_org_flash",
            f"{ui.plain(org_name.strip())} är tillagd i listan över organisationer.",
            then={"ledger_org_no": "", "ledger_org_name": ""},
        ):
            add_organisation(conn, user, org_no, org_name)


def lines_section() -> None:
    """Import a CSV or Excel table of ledger lines for an organisation without SIE export."""
    st.markdown(
        "För organisationer utan SIE-export: en tabell med kolumnerna **år, månad, konto, projekt**"
        " (eller objekt), **belopp** och **text**, och gärna **typ** (budget eller utfall). Belopp i"
        " kronor med huvudbokens tecken: kostnader positiva, intäkter negativa."
    )
    lines_file = forms.uploader(
        "Fil (.csv eller .xlsx)", ["csv", "xlsx"], "ledger_lines_file", uploads.LEDGER_LINES
    )
    kind = st.radio(
        "Radtyp när kolumnen typ saknas", ["utfall", "budget"], horizontal=True, key="ledger_lines_kind"
    )
    importing_lines = st.button("Importera tabellen", key="ledger_lines_submit", disabled=lines_file is None)
    _show_result("lines")
    if importing_lines:
        assert lines_file is not None
        try:
            summary = import_lines(conn, user, lines_file.getvalue(), file_name=lines_file.name, kind=kind)  # type: ignore[arg-type]
            _imported("lines", summary, "ledger_lines_file")
        except ImportRejectedError as exc:
            _show_rejection(exc)
        except PermissionDeniedError as exc:
            st.error(str(exc))


def remove_import_form(log: pl.DataFrame) -> None:
    """Take a live import out of the ledger; the log keeps it, marked as removed."""
    live = log.filter(pl.col("superseded_by").is_null() & pl.col("removed_at").is_null())
    if not live.is_empty():
        with st.form("ledger_remove_form", enter_to_submit=False):
            imports = {i: f"{i}: {name}" for i, name in live.select("id", "file_name").iter_rows()}
            chosen = ui.choose(
                "Ta bort en import ur huvudboken (loggen finns kvar)", imports, key="ledger_remove_import"
            )
            removing = st.form_submit_button("Ta bort importen", key="ledger_remove_submit")
        if removing:
            with forms.saving(
                "ledger_remove_flash",
                f"Import {chosen} är borttagen ur huvudboken; loggen visar den som borttagen.",
            ):
                remove_import(conn, user, int(chosen))
    forms.confirmation("ledger_remove_flash")  # also when no import is left to remove


def import_log_section() -> None:
    """Every import made, with its status, and the form to remove one."""
    log = imports_store.imports_frame(conn)
    if log.is_empty():
        st.caption("Inga importer ännu.")
    else:
        ui.dataframe(
            log.select(
                pl.col("id").alias("Import"),
                pl.col("file_name").alias("Fil"),
                pl.col("kind").alias("Typ"),
                clock.local_column("imported_at").alias("Tidpunkt"),
                pl.col("user_email").alias("Av"),
                pl.col("organisation").alias("Organisation"),
                pl.col("year").alias("År"),
                pl.when(pl.col("fiscal_start").is_not_null())
                .then(pl.format("{} – {}", pl.col("fiscal_start"), pl.col("fiscal_end")))
                .otherwise(pl.lit("–"))
                .alias("Räkenskapsår"),
                pl.col("addition").fill_null("–").alias("Tillägg"),
                pl.col("checksum").fill_null("–").alias("Kontrollsumma"),
                pl.col("vouchers").alias("Verifikationer"),
                pl.col("trans_rows").alias("Rader"),
                pl.col("budget_rows").alias("Budgetrader"),
                pl.format("{} – {}", pl.col("first_date"), pl.col("last_date")).alias("Period"),
                pl.when(pl.col("removed_at").is_not_null())
                .then(pl.lit("borttagen"))
                .when(pl.col("superseded_by").is_not_null())
                .then(pl.format("ersatt av {}", pl.col("superseded_by")))
                .otherwise(pl.lit("gäller"))
                .alias("Status"),
                pl.col("fingerprint").str.slice(0, 12).alias("Fingeravtryck"),
            ),
            width="stretch",
            key="ledger_import_log",
        )
        remove_import_form(log)


def mapping_section() -> None:
    """The account mapping per organisation, edited as a table."""
    organisations = sorted(
        {
            *mapping_store.mapping_organisations(conn),
            *imports_store.live_organisations(conn),
            mapping.DEFAULT_ORGANISATION,
        }
    )
    org = ui.choose("Organisation", organisations, key="ledger_mapping_org")
    current, used = mapping.mapping_for(conn, org)
    if used != org:
        st.caption(
            f"{ui.plain(org)} har ingen egen mappning; den visar '{ui.plain(used)}'."
            " Sparar du skapas en egen."
        )
    edited = st.data_editor(
        current.select("from_account", "to_account", "line", "kind"),
        num_rows="dynamic",
        column_config={
            "from_account": st.column_config.TextColumn(
                "Från konto", help="Kontots första siffror, t.ex. 30"
            ),
            "to_account": st.column_config.TextColumn("Till konto", help="Samma antal siffror, t.ex. 34"),
            "line": st.column_config.TextColumn("Rad i resultaträkningen"),
            "kind": st.column_config.SelectboxColumn("Slag", options=["intäkt", "kostnad"]),
        },
        hide_index=True,
        key="ledger_mapping_editor",
        placeholder="",  # an empty cell to fill in, not "None"
    )
    if st.button("Spara kontomappningen", key="ledger_mapping_save"):
        with forms.saving_here(f"Kontomappningen för {ui.plain(org)} är sparad."):
            mapping.save_mapping(conn, user, org, edited.to_dicts())
    st.caption(
        "Standard: SKR:s Kommun-Bas. Konton i klass 3–8 som ingen rad täcker redovisas som"
        " 'Ej mappade konton'."
    )


def objects_section() -> None:
    """Which ledger objects belong to which project, and the dimension that holds projects."""
    links = mapping_store.object_projects(conn)
    ui.dataframe(
        links.select(
            pl.col("object").alias("Objekt"),
            pl.col("project_code").alias("Projekt"),
            pl.col("name").alias("Namn"),
            pl.col("source").alias("Källa"),
        ),
        key="ledger_object_links",
    )
    codes = ui.projects()["code"].to_list()
    with st.form("ledger_object_form", enter_to_submit=False):
        obj = st.text_input("Objekt (dimension för projekt)", key="ledger_object_id")
        code = ui.choose("Hör till projekt", ["", *codes], key="ledger_object_project")
        label = st.text_input("Namn (valfritt)", key="ledger_object_name")
        linking = st.form_submit_button("Spara kopplingen", key="ledger_object_submit")
    forms.confirmation("ledger_object_flash")
    if linking:
        with forms.saving(
            "ledger_object_flash",
            f"Objekt {ui.plain(obj)} är kopplat till {code or 'inget projekt'}; "
            "tabellen ovan visar kopplingen.",
            then={"ledger_object_id": "", "ledger_object_project": "", "ledger_object_name": ""},
        ):
            mapping.link_object(conn, user, obj, code or None, label)
    with st.form("ledger_dimension_form", enter_to_submit=False):
        dimension = st.text_input(
            "Dimension som innehåller projekt", value=project_dimension(conn), key="ledger_project_dimension"
        )
        if st.form_submit_button("Spara dimensionen", key="ledger_dimension_submit"):
            with forms.saving_here(
                f"Projekt läses från dimension {ui.plain(dimension.strip())} vid kommande importer."
            ):
                mapping.set_project_dimension(conn, user, dimension)


def main() -> None:
    """Admins only: one tab for each kind of import and for what the imports depend on."""
    st.title("Import av redovisning")
    if not ui.can(Action.IMPORT_LEDGER):
        st.error("Endast e-strategen och sekretariatet importerar redovisning.")
        st.stop()
    sie_tab, org_tab, lines_tab, log_tab, mapping_tab, objects_tab = st.tabs(
        ["SIE-fil", "Organisationer", "CSV eller Excel", "Importlogg", "Kontomappning", "Objekt och projekt"]
    )
    with sie_tab:
        sie_section()
    with org_tab:
        organisations_section()
    with lines_tab:
        lines_section()
    with log_tab:
        import_log_section()
    with mapping_tab:
        mapping_section()
    with objects_tab:
        objects_section()


main()
