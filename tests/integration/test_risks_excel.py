"""Excel round trip and every bad file: all or nothing, each problem by sheet, row and column."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from dashboard.cli import main
from portfolio import accounts, users_store
from portfolio import store as core_store
from portfolio.db import Database
from portfolio.errors import ImportRejectedError, PermissionDeniedError
from registers.database import open_database
from registers.risks import excel_import, service

LINK2 = "GNS/8/2018"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "risks"


def user(db: Database, email: str):
    found = users_store.find_user(db, email)
    assert found is not None
    return found[0]


def snapshot(db: Database) -> dict[str, Any]:
    """Everything an import could touch."""
    return {
        table: db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
        for table in ("risk_registers", "risks", "risk_actions", "audit_log")
    }


def edited(db: Database, change: Callable[[Worksheet, Worksheet], None]) -> bytes:
    """Export LINK2's register, change it as a spreadsheet user would, and save."""
    pid = core_store.project_id_for(db, LINK2)
    wb = load_workbook(io.BytesIO(excel_import.export_register(db, pid)))
    change(wb["Risker"], wb["Åtgärder"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def column(ws: Worksheet, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def row_of(ws: Worksheet, risk_id: int) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == risk_id)


def set_cell(ws: Worksheet, row: int, header: str, value: Any) -> None:
    ws.cell(row, column(ws, header)).value = value


def refused(db: Database, content: bytes) -> list[str]:
    """Import as LINK2's leader, expecting a refusal that changed nothing; the messages."""
    before = snapshot(db)
    leader = user(db, "projektledare.link2@gns.example")
    with pytest.raises(ImportRejectedError) as caught:
        excel_import.import_register(db, leader, core_store.project_id_for(db, LINK2), content)
    assert snapshot(db) == before
    return caught.value.messages


# --- round trip ----------------------------------------------------------------------------------


def test_an_unchanged_export_imports_as_no_change(seeded: Database) -> None:
    before = snapshot(seeded)
    summary = excel_import.import_register(
        seeded,
        user(seeded, "projektledare.link2@gns.example"),
        core_store.project_id_for(seeded, LINK2),
        edited(seeded, lambda risks, actions: None),
    )
    assert (summary.updated_risks, summary.unchanged_risks, summary.unchanged_actions) == (0, 8, 8)
    assert snapshot(seeded) == before


def test_an_edited_export_changes_exactly_what_was_edited(seeded: Database) -> None:
    def change(risks: Worksheet, actions: Worksheet) -> None:
        set_cell(risks, row_of(risks, 3), "Titel", "Att man inte får testa LINK2 i tid")
        set_cell(risks, row_of(risks, 3), "Nästa uppföljning", "2025-06-30")
        set_cell(actions, row_of(actions, 5), "Status", "pågår")
        new = risks.max_row + 1
        for header, value in {
            "Register": "Informationssäkerhet",
            "Titel": "=Fel mottagare",
            "Sannolikhet": 2,
            "Konsekvens": 4,
            "Ägare": "elsy bäckström",
            "Visa i portföljen": "ja",
        }.items():
            set_cell(risks, new, header, value)
        risks.cell(new, column(risks, "Titel")).data_type = "s"  # typed as text in the spreadsheet
        arow = actions.max_row + 1
        set_cell(actions, arow, "Risk (titel)", "=Fel mottagare")
        actions.cell(arow, column(actions, "Risk (titel)")).data_type = "s"
        set_cell(actions, arow, "Beskrivning", "Kontrollera adress före sändning")
        set_cell(actions, arow, "Förfallodatum", "2025-05-01")

    before = snapshot(seeded)
    leader = user(seeded, "projektledare.link2@gns.example")
    summary = excel_import.import_register(
        seeded, leader, core_store.project_id_for(seeded, LINK2), edited(seeded, change)
    )
    assert (summary.created_risks, summary.updated_risks, summary.unchanged_risks) == (1, 1, 8 - 1)
    assert (summary.created_actions, summary.updated_actions, summary.unchanged_actions) == (1, 1, 8 - 1)
    after = snapshot(seeded)
    changed_risks = [a for b, a in zip(before["risks"], after["risks"], strict=False) if a != b]
    assert [r[0] for r in changed_risks] == [3]
    risk3 = service.risk(seeded, 3)
    assert (risk3["title"], risk3["next_review"], risk3["version"]) == (
        "Att man inte får testa LINK2 i tid",
        "2025-06-30",
        2,
    )
    assert risk3["probability"] == 3 and risk3["status_note"] is None  # untouched fields stay
    changed_actions = [
        a for b, a in zip(before["risk_actions"], after["risk_actions"], strict=False) if a != b
    ]
    assert [a[0] for a in changed_actions] == [5]
    new = service.risk(seeded, 9)
    assert (new["title"], new["owner"], new["show_in_portfolio"]) == (
        "=Fel mottagare",
        "Elsy Bäckström",
        True,
    )
    assert service.action(seeded, 9)["risk_id"] == 9
    imported = after["audit_log"][len(before["audit_log"]) :]
    assert sorted((r[5], r[6], r[4]) for r in imported) == [
        ("risk", "3", "ändra via Excel"),
        ("risk", "9", "skapa via Excel"),
        ("åtgärd", "5", "ändra via Excel"),
        ("åtgärd", "9", "skapa via Excel"),
    ]
    assert all(r[3] == leader.email and r[7] == core_store.project_id_for(seeded, LINK2) for r in imported)


# --- bad files -----------------------------------------------------------------------------------


def test_a_probability_outside_the_registers_scale_is_refused(seeded: Database) -> None:
    content = edited(seeded, lambda r, a: set_cell(r, row_of(r, 6), "Sannolikhet", 5))
    (message,) = refused(seeded, content)
    assert message.startswith("Blad Risker, rad 7, kolumn Sannolikhet: 5 ligger utanför registrets skala")
    assert "skalan 4×4" in message


def test_an_unknown_owner_is_refused(seeded: Database) -> None:
    content = edited(seeded, lambda r, a: set_cell(a, 3, "Ägare", "Kalle Anka"))
    assert refused(seeded, content) == [
        "Blad Åtgärder, rad 3, kolumn Ägare: 'Kalle Anka' är ingen känd ägare; ange namn eller e-postadress "
        "för en användare i portfolj eller en person i projektets ledning eller styrgrupp"
    ]


def test_an_unknown_status_is_refused_on_both_sheets(seeded: Database) -> None:
    def change(risks: Worksheet, actions: Worksheet) -> None:
        set_cell(risks, 2, "Status", "pausad")
        set_cell(actions, 2, "Status", "försenad")

    assert refused(seeded, edited(seeded, change)) == [
        "Blad Risker, rad 2, kolumn Status: okänd status 'pausad'; "
        "välj öppen, hanteras, stängd eller inträffad",
        "Blad Åtgärder, rad 2, kolumn Status: okänd status 'försenad'; välj planerad, pågår eller klar",
    ]


def test_text_in_a_number_cell_is_refused(seeded: Database) -> None:
    def change(risks: Worksheet, actions: Worksheet) -> None:
        set_cell(risks, 5, "Sannolikhet", "hög")
        set_cell(risks, 6, "Version", "senaste")

    assert refused(seeded, edited(seeded, change)) == [
        "Blad Risker, rad 5, kolumn Sannolikhet: 'hög' är ingen siffra; skriv en siffra från 1 till 5",
        "Blad Risker, rad 6, kolumn Version: 'senaste' är inget versionsnummer; skriv ett heltal",
    ]


def test_a_missing_column_is_refused(seeded: Database) -> None:
    content = edited(seeded, lambda r, a: r.delete_cols(column(r, "Sannolikhet")))
    messages = refused(seeded, content)
    assert messages[0] == "Blad Risker: kolumnen 'Sannolikhet' saknas; den måste finnas på rad 1"


def test_a_duplicate_id_is_refused(seeded: Database) -> None:
    def change(risks: Worksheet, actions: Worksheet) -> None:
        risks.cell(9, 1).value = 2  # the row of risk 8 now claims to be risk 2

    messages = refused(seeded, edited(seeded, change))
    assert (
        "Blad Risker, rad 9, kolumn Id: id 2 finns också på rad 3; varje risk får bara finnas på en rad"
        in messages
    )


def test_a_formula_cell_is_refused(seeded: Database) -> None:
    content = edited(seeded, lambda r, a: set_cell(r, 4, "Konsekvens", "=2+2"))
    assert refused(seeded, content)[0].startswith(
        "Blad Risker, rad 4, kolumn Konsekvens: cellen innehåller en formel (=2+2); formler läses inte in"
    )


def test_a_file_that_is_not_an_xlsx_is_refused(seeded: Database) -> None:
    (message,) = refused(seeded, (FIXTURES / "risker.csv").read_bytes())
    assert message.startswith("Filen är en textfil (CSV?), inte en Excel-arbetsbok (.xlsx)")


def test_a_row_changed_in_portfolj_since_the_export_is_refused(seeded: Database) -> None:
    content = edited(seeded, lambda r, a: set_cell(r, row_of(r, 8), "Status", "stängd"))
    admin = user(seeded, "e-strateg@gns.example")
    current = service.risk(seeded, 8)
    service.close_risk(seeded, admin, 8, version=current["version"], note="Stängd i appen")
    (message,) = refused(seeded, content)
    assert message.startswith(
        "Blad Risker, rad 9, kolumn Version: risken har ändrats i portfolj av e-strateg"
    )


def test_every_problem_is_listed_and_nothing_is_written(seeded: Database) -> None:
    def change(risks: Worksheet, actions: Worksheet) -> None:
        set_cell(risks, 2, "Sannolikhet", 9)
        set_cell(risks, 3, "Ägare", "Okänd")
        set_cell(risks, 4, "Titel", None)
        set_cell(actions, 2, "Förfallodatum", "snart")
        set_cell(actions, 3, "Id", 999)

    messages = refused(seeded, edited(seeded, change))
    assert len(messages) == 5
    assert all(m.startswith(("Blad Risker, rad", "Blad Åtgärder, rad")) for m in messages)


def test_import_needs_the_right_to_edit_the_projects_risks(seeded: Database) -> None:
    content = edited(seeded, lambda r, a: set_cell(r, 2, "Titel", "Ändrad"))
    before = snapshot(seeded)
    with pytest.raises(PermissionDeniedError):
        excel_import.import_register(
            seeded, user(seeded, "ledamot@gns.example"), core_store.project_id_for(seeded, LINK2), content
        )
    assert snapshot(seeded) == before


# --- command line --------------------------------------------------------------------------------


def test_cli_lists_link2s_eight_risks_in_two_registers_each_with_an_action(
    seeded_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["risks", "--project", LINK2, "--format", "json", "--db", str(seeded_path)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 8
    assert {r["register"] for r in rows} == {"Arbetsmiljö", "Informationssäkerhet"}
    assert all(r["actions"] >= 1 for r in rows)
    assert list(rows[0]) == [
        "id",
        "project",
        "register",
        "title",
        "probability",
        "consequence",
        "score",
        "residual_score",
        "status",
        "owner",
        "actions",
        "open_actions",
    ]
    assert rows[3]["score"] == rows[3]["probability"] * rows[3]["consequence"]


def test_cli_table_lists_every_project_without_a_project_option(
    seeded_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["risks", "--db", str(seeded_path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["id", "project", "register", "title"]
    assert "Åtkomst och inloggningsproblem" in out


def test_cli_export_edit_import_round_trip(
    seeded_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "risker.xlsx"
    assert main(["risks", "export", "--project", LINK2, "--out", str(out), "--db", str(seeded_path)]) == 0
    wb = load_workbook(out)
    set_cell(wb["Risker"], 2, "Konsekvens", 5)
    wb.save(out)
    code = main(
        [
            "risks",
            "import",
            str(out),
            "--project",
            LINK2,
            "--user",
            "projektledare.link2@gns.example",
            "--db",
            str(seeded_path),
        ]
    )
    assert code == 0
    assert "0 nya och 1 ändrade risker" in capsys.readouterr().out
    assert service.risk(open_database(seeded_path), 1)["consequence"] == 5


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("okand@gns.example", "Det finns inget konto med e-postadressen okand@gns.example"),
        ("ledamot@gns.example", "får inte ändra riskregister"),
        ("projektledare.link2@gns.example", "Kontot projektledare.link2@gns.example är avstängt"),
    ],
)
def test_cli_import_refuses_an_unknown_unauthorized_or_disabled_user(
    seeded_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], email: str, message: str
) -> None:
    db = open_database(seeded_path)
    if "projektledare" in email:
        accounts.set_active(db, user(db, "e-strateg@gns.example"), email, False)
    out = tmp_path / "risker.xlsx"
    main(["risks", "export", "--project", LINK2, "--out", str(out), "--db", str(seeded_path)])
    before = snapshot(db)
    code = main(["risks", "import", str(out), "--project", LINK2, "--user", email, "--db", str(seeded_path)])
    assert code != 0
    assert message in capsys.readouterr().err
    assert snapshot(db) == before


def test_cli_import_of_a_bad_file_lists_the_problems_and_changes_nothing(
    seeded_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(seeded_path)
    before = snapshot(db)
    code = main(
        [
            "risks",
            "import",
            str(FIXTURES / "fel.xlsx"),
            "--project",
            LINK2,
            "--user",
            "e-strateg@gns.example",
            "--db",
            str(seeded_path),
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "Importen avvisades; inget ändrades" in err
    assert "Blad Risker, rad 2, kolumn Sannolikhet: 'hög' är ingen siffra" in err
    assert "Blad Risker, rad 3, kolumn Register: registret 'Ekonomi' finns inte i projektet" in err
    assert snapshot(db) == before


def test_cli_export_needs_project_and_out(seeded_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["risks", "export", "--db", str(seeded_path)]) != 0
    assert "ange --project KOD och --out FIL.xlsx" in capsys.readouterr().err


def test_cli_refuses_an_unknown_project(seeded_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["risks", "--project", "GNS/99/2099", "--db", str(seeded_path)]) == 1
    assert "Det finns inget projekt eller ärende med koden GNS/99/2099" in capsys.readouterr().err
