"""Kostnadsfördelning: what each party pays, keys per year, populations, and applying a key."""

from __future__ import annotations

import json

import polars as pl
import streamlit as st

from dashboard import charts_ledger, forms, party_view, ui
from portfolio import clock
from portfolio import store as core_store
from portfolio.auth import Action, Role
from portfolio.errors import InvalidInputError
from portfolio.ledger import keys, keys_store, mapping_store
from portfolio.models import parse
from portfolio.money import format_kr, format_number, format_whole_kr, to_ore
from portfolio.periods import Period

user = ui.require_user()
conn = ui.db()
names: dict[str, str] = ui.party_names()
FLASH_KEY = "allocation_flash"


@st.cache_data(max_entries=8, show_spinner=False)
def _years(path: str, revision: int) -> list[int]:
    found = set(keys_store.keys_frame(ui.db())["year"].to_list()) | set(
        keys_store.items_frame(ui.db())["year"].to_list()
    )
    return sorted(found)


@st.cache_data(max_entries=16, show_spinner=False)
def _statement(path: str, revision: int, year: int, period: str) -> pl.DataFrame:
    return keys.party_statement(ui.db(), year, Period(period))


def _parts_table(parts: dict[str, int]) -> pl.DataFrame:
    rows = [(names.get(p, p), format_kr(v)) for p, v in parts.items()]
    rows.append(("Summa", format_kr(sum(parts.values()))))
    return pl.DataFrame(rows, schema=["Part", "Belopp"], orient="row")


def choose_year_and_period(years: list[int]) -> tuple[int, Period]:
    """The year (2019 if there is one, else the latest) and the period the page shows."""
    if st.session_state.get("allocation_year") not in years:
        st.session_state["allocation_year"] = 2019 if 2019 in years else years[-1]
    c1, c2 = st.columns(2)
    year = ui.choose("År", years, key="allocation_year", where=c1)
    period = Period(
        ui.choose(
            "Period",
            [p.value for p in Period],
            index=2,
            format_func=lambda v: Period(v).label,
            key="allocation_period",
            where=c2,
        )
    )
    return year, period


def party_statement_section(year: int, period: Period) -> None:
    """What each party pays this year, item by item, with the chart and the party view."""
    st.header("Vad betalar parterna?")
    try:
        statement = _statement(*ui.db_key(), year, period.value)
    except InvalidInputError as exc:
        ui.show_errors(exc)
        statement = pl.DataFrame(schema=keys.STATEMENT_SCHEMA)
    if statement.is_empty():
        st.caption("Inget fördelas detta år.")
    else:
        items = list(dict.fromkeys(statement["item"].to_list()))
        wide = (
            statement.pivot(on="item", index="party", values="amount_ore", aggregate_function="sum")
            .with_columns(pl.col(items).fill_null(0))
            .with_columns(pl.sum_horizontal(items).alias("Summa"))
        )
        totals = {i: int(statement.filter(pl.col("item") == i)["item_total_ore"][0]) for i in items}
        display = pl.DataFrame(
            [
                (
                    names.get(r["party"], r["party"]),
                    *(format_whole_kr(r[i]) for i in items),
                    format_whole_kr(r["Summa"]),
                )
                for r in wide.iter_rows(named=True)
            ]
            + [
                ("Summa", *(format_whole_kr(totals[i]) for i in items), format_whole_kr(sum(totals.values())))
            ],
            schema=["Part", *items, "Summa"],
            orient="row",
        )
        ui.dataframe(display, width="stretch", key="allocation_statement")
        exact = all(int(wide[i].sum()) == totals[i] for i in items)
        st.caption(
            ("✓ Delarna summerar exakt till varje posts belopp. " if exact else "⚠ Delarna summerar inte! ")
            + "Beloppen visas i hela kronor; delarna räknas och sparas på öret. Nycklar: "
            + ui.plain("; ".join(f"{i}: {statement.filter(pl.col('item') == i)['key'][0]}" for i in items))
        )
        party_view.section(user, year=year, period=period, key_prefix="allocation")
        ui.chart(
            charts_ledger.party_amounts(statement, names, f"Fördelning per part {year}"),
            key="allocation_chart",
        )


def amount_source(what: str) -> tuple[str | None, int | None]:
    """The chooser for what to allocate: the reference it names, or the amount typed in öre."""
    ref: str | None = None
    amount_ore: int | None = None
    if what == "belopp":
        amount_text = st.text_input(
            "Belopp (kr)", value="100 000", key="allocation_apply_amount", live="500ms"
        )
        try:
            amount_ore = to_ore(amount_text)
        except ValueError as exc:
            st.error(f"Beloppet kan inte läsas: {exc}")
    elif what == "basfinansiering":
        ref = "basfinansiering"
    elif what == "projektbudget":
        projects = ui.projects().filter(pl.col("budget_ore").is_not_null())
        ref = ui.choose(
            "Projekt",
            {c: f"{c} – {n}" for c, n in projects.select("code", "name").iter_rows()},
            key="allocation_apply_project",
        )
    elif what == "budgetrad":
        lines = core_store.budget_line_names(conn)
        chosen = ui.choose(
            "Budgetrad", lines, format_func=lambda t: f"{t[0]}: {t[1]}", key="allocation_apply_line"
        )
        ref = f"{chosen[0]}|{chosen[1]}" if chosen else None
    else:
        objects = mapping_store.object_projects(conn)["object"].drop_nulls().unique().sort().to_list()
        ref = ui.choose("Objekt", objects, key="allocation_apply_object")
    return ref, amount_ore


def apply_key_section(key_frame: pl.DataFrame, key_names: dict[int, str], year: int, period: Period) -> None:
    """Try a key on an amount, a project's budget, a budget line or an object, before anything is saved."""
    st.header("Fördela ett belopp")
    if key_frame.is_empty():
        st.caption("Inga nycklar för året.")
    else:
        what = st.radio(
            "Vad ska fördelas?",
            list(keys.SOURCE_LABELS),
            format_func=lambda v: str(keys.SOURCE_LABELS.get(v, v)),
            horizontal=True,
            key="allocation_apply_what",
        )
        ref, amount_ore = amount_source(what)
        key_id = ui.choose(
            "Nyckel",
            key_names,
            key="allocation_apply_key",
        )
        item = {
            "source_kind": what,
            "ref": ref,
            "amount_ore": amount_ore,
            "year": year,
            "name": "valt belopp",
        }
        try:
            if what == "belopp" and amount_ore is None:
                raise InvalidInputError(["Ange ett belopp"])
            amount = keys.item_amount(conn, item, period)
            chosen_key = keys_store.get_key(conn, int(key_id or 0))
            assert chosen_key is not None
            parts = keys.apply_spec(conn, keys.spec_from_json(chosen_key["spec"]), amount)
            st.markdown(
                f"**{format_kr(amount)}** fördelat med nyckeln *{ui.plain(chosen_key['name'])}*:"
                f" {ui.plain(keys.key_text(chosen_key['spec'], names))}."
            )
            ui.table(_parts_table(parts), hide_index=True)
        except InvalidInputError as exc:
            ui.show_errors(exc)


def keys_section(key_frame: pl.DataFrame, year: int) -> None:
    """The year's keys in words, and the items they allocate."""
    st.header(f"Nycklar {year}")
    for row in key_frame.iter_rows(named=True):
        spec = keys.spec_from_json(json.loads(row["spec"])).model_dump(mode="json")
        kind_label = keys.KIND_LABELS.get(row["kind"], row["kind"])
        st.markdown(f"**{ui.plain(row['name'])}** – {kind_label}: {ui.plain(keys.key_text(spec, names))}")
        if row["note"]:
            st.caption(ui.plain(row["note"]))
        ui.source_caption(row["source"])

    items_frame = keys_store.items_frame(conn, year)
    if not items_frame.is_empty():
        st.subheader("Poster som fördelas")
        ui.dataframe(
            items_frame.select(
                pl.col("name").alias("Post"),
                pl.col("source_kind").replace_strict(keys.SOURCE_LABELS, default=None).alias("Vad"),
                pl.col("ref").alias("Avser"),
                pl.col("key_name").alias("Nyckel"),
                pl.col("note").alias("Anteckning"),
            ),
            width="stretch",
            key="allocation_items",
        )


def new_key_form(year: int) -> None:
    """A new key for the year, of any kind."""
    with st.expander("Ny nyckel"), st.form("allocation_key_form", enter_to_submit=False):
        kind = ui.choose(
            "Typ",
            keys.KIND_LABELS,
            key="allocation_key_kind",
        )
        name = st.text_input("Namn", key="allocation_key_name")
        chosen_parties = ui.choose_many(
            "Parter (lika delar/befolkning; tomt = alla)",
            names,
            key="allocation_key_parties",
        )
        population_year = st.number_input(
            "Befolkningsår", value=year - 1, step=1, key="allocation_key_population_year"
        )
        shares_text = st.text_area(
            "Andelar, en per rad: PARTKOD=tal (egna andelar)", key="allocation_key_shares"
        )
        payer = ui.choose(
            "Betalare (namngiven betalare)",
            names,
            key="allocation_key_payer",
        )
        region_weight = st.text_input("Tvåsteg: regionens del (kr)", key="allocation_key_region")
        municipal_weight = st.text_input("Tvåsteg: kommunernas del (kr)", key="allocation_key_municipal")
        note = st.text_input("Anteckning", key="allocation_key_note")
        if st.form_submit_button("Spara nyckeln", key="allocation_key_submit"):
            with forms.saving(
                FLASH_KEY,
                f"Nyckeln '{name}' är sparad.",
                refused={ValueError: lambda exc: st.error(str(exc))},
            ):
                new_spec = keys.spec_from_form(
                    kind, chosen_parties, population_year, shares_text, payer, region_weight, municipal_weight
                )
                data = parse(
                    keys.KeyInput, {"year": year, "name": name, "spec": new_spec, "note": note or None}
                )
                keys.save_key(conn, user, data)


def new_item_form(key_names: dict[int, str], year: int) -> None:
    """A new item for the year to allocate by one of its keys."""
    with st.expander("Ny post att fördela"), st.form("allocation_item_form", enter_to_submit=False):
        item_name = st.text_input("Namn", key="allocation_item_name")
        item_kind = ui.choose(
            "Vad",
            keys.SOURCE_LABELS,
            key="allocation_item_kind",
        )
        item_ref = st.text_input(
            "Avser (projektkod, objekt, eller 'projektkod|budgetrad')", key="allocation_item_ref"
        )
        item_amount = st.text_input("Belopp (kr, för 'Ett belopp')", key="allocation_item_amount")
        item_key = ui.choose(
            "Nyckel",
            key_names,
            key="allocation_item_key",
        )
        if st.form_submit_button("Spara posten", key="allocation_item_submit"):
            with forms.saving(FLASH_KEY, f"Posten '{item_name}' är sparad."):
                data_item = parse(
                    keys.AllocationItemInput,
                    {
                        "year": year,
                        "name": item_name,
                        "source_kind": item_kind,
                        "ref": item_ref or None,
                        "amount_ore": item_amount or None,
                        "key_id": int(item_key or 0),
                    },
                )
                keys.save_item(conn, user, data_item)


def population_form(current: dict[str, tuple[int, int]], pop_year: int) -> None:
    """A municipality's new population, saved as a new version."""
    with st.form("allocation_population_form", enter_to_submit=False):
        municipality = ui.choose(
            "Kommun",
            sorted(current),
            format_func=lambda p: names.get(p, p),
            key="allocation_population_party",
        )
        value = st.number_input(
            "Invånare",
            min_value=1,
            value=current[municipality][0],
            step=100,
            key="allocation_population_value",
        )
        pop_note = st.text_input("Källa eller anteckning", key="allocation_population_note")
        if st.form_submit_button("Spara befolkningen", key="allocation_population_submit"):
            version: int
            with forms.saving(
                FLASH_KEY,
                lambda: (
                    f"Befolkningen för {names.get(municipality, municipality)} {pop_year} är sparad"
                    f" (version {version})."
                ),
            ):
                version = keys.set_population(
                    conn,
                    user,
                    party=municipality,
                    year=pop_year,
                    population=int(value),
                    version=current[municipality][1],
                    note=pop_note or None,
                )


def populations_section(year: int, editable: bool) -> None:
    """The populations in force, their history, and (for those who may) the form to change one."""
    st.header("Befolkning")
    population_years = sorted({year - 1, year})
    pop_year = ui.choose("Befolkningsår", population_years, key="allocation_population_year")
    current = keys_store.current_populations(conn, pop_year)
    ui.dataframe(
        pl.DataFrame(
            [
                (names.get(p, p), format_number(n), "grunddata" if v == 0 else f"version {v}")
                for p, (n, v) in sorted(current.items(), key=lambda kv: names.get(kv[0], kv[0]))
            ],
            schema=["Kommun", "Invånare", "Version"],
            orient="row",
        ),
        key="allocation_populations",
    )
    st.caption(
        "Invånare 1 november; grunddatan är avrundad SCB-statistik (illustrativ)."
        " Varje ändring sparas som en ny version."
    )
    history = keys_store.population_history(conn, pop_year)
    if not history.is_empty():
        with st.expander("Ändringshistorik"):
            st.dataframe(
                history.select(
                    pl.col("party_code").replace_strict(names, default=None).alias("Kommun"),
                    pl.col("version").alias("Version"),
                    pl.col("population").alias("Invånare"),
                    pl.col("user_email").alias("Ändrad av"),
                    clock.local_column("changed_at").alias("Tidpunkt"),
                    pl.col("note").alias("Anteckning"),
                ),
                hide_index=True,
                placeholder="–",
            )
    if editable and current:
        population_form(current, pop_year)
    elif user.role is not Role.ADMIN:
        st.caption("E-strategen och sekretariatet ändrar nycklar och befolkning.")


def main() -> None:
    """Choose a year and period; then what the parties pay, trying a key, the keys, and populations."""
    st.title("Kostnadsfördelning")
    st.caption(
        "Fördelningsnycklar per år: lika delar, befolkning, egna andelar, en namngiven betalare och LINK2:s"
        " tvåstegsregel. Varje fördelning görs i öre med största-rest-metoden, så delarna summerar"
        " exakt till helheten."
    )
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash)

    years = _years(*ui.db_key())
    if not years:
        st.info("Det finns inga fördelningsnycklar ännu.")
        st.stop()
    year, period = choose_year_and_period(years)
    key_frame = keys_store.keys_frame(conn, year)
    key_names: dict[int, str] = dict(key_frame.select("id", "name").iter_rows())
    editable = ui.can(Action.MANAGE_KEYS)
    party_statement_section(year, period)
    apply_key_section(key_frame, key_names, year, period)
    keys_section(key_frame, year)
    if editable:
        new_key_form(year)
        if key_names:
            new_item_form(key_names, year)
    populations_section(year, editable)


main()
