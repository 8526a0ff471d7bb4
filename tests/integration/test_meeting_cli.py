"""`portfolj meeting`: kallelse, protokoll, state and attach on a seeded database."""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from pypdf import PdfReader

from dashboard.cli import main
from portfolio.governance import service as governance
from registers.database import open_database


def test_kallelse_and_protocol_are_written_from_the_command_line(seeded_path, tmp_path, capsys):
    kallelse, protocol, draft = tmp_path / "k.pdf", tmp_path / "p.pdf", tmp_path / "p.docx"
    db = ["--db", str(seeded_path)]
    assert main(["meeting", "kallelse", "--date", "2020-02-14", "--out", str(kallelse), *db]) == 0
    assert (
        main(["meeting", "protokoll", "--date", "2019-06-03", "--format", "pdf", "--out", str(protocol), *db])
        == 0
    )
    assert (
        main(["meeting", "protokoll", "--date", "2019-06-03", "--format", "docx", "--out", str(draft), *db])
        == 0
    )
    assert PdfReader(io.BytesIO(kallelse.read_bytes())).root_object["/Lang"] == "sv-SE"
    assert "/StructTreeRoot" in PdfReader(io.BytesIO(protocol.read_bytes())).root_object
    assert any(p.text.startswith("§17 ") for p in Document(str(draft)).paragraphs)
    assert f"Skrev {kallelse}" in capsys.readouterr().out


def test_a_meeting_is_held_and_justerat_from_the_command_line_and_then_refuses_attachments(
    seeded_path, tmp_path, capsys
):
    db = ["--db", str(seeded_path)]
    assert main(["meeting", "state", "--date", "2020-02-14", "--to", "genomfört", *db]) == 0
    pdf = tmp_path / "underlag.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert main(["meeting", "attach", "--date", "2020-02-14", "--item", "3", str(pdf), *db]) == 0
    args = ["--to", "justerat", "--justering-date", "2020-02-21", "--justerare", "Jörgen Persson"]
    assert main(["meeting", "state", "--date", "2020-02-14", *args, *db]) == 0
    conn = open_database(seeded_path)
    meeting = governance.meeting_on(conn, date(2020, 2, 14))
    assert (meeting["state"], meeting["justering_date"]) == ("justerat", "2020-02-21")
    assert governance.attachments(conn, meeting["id"])["filename"].to_list() == ["underlag.pdf"]
    capsys.readouterr()
    assert main(["meeting", "attach", "--date", "2020-02-14", "--item", "3", str(pdf), *db]) == 1
    assert "är justerat och kan inte ändras" in capsys.readouterr().err


def test_a_wrong_file_or_an_unknown_item_is_refused_in_swedish(seeded_path, tmp_path, capsys):
    db = ["--db", str(seeded_path)]
    fake = tmp_path / "program.pdf"
    fake.write_bytes(b"MZ\x90\x00")
    assert main(["meeting", "attach", "--date", "2020-02-14", "--item", "3", str(fake), *db]) == 1
    assert "är inte en PDF-fil" in capsys.readouterr().err
    assert main(["meeting", "attach", "--date", "2020-02-14", "--item", "99", str(fake), *db]) == 1
    assert "har ingen punkt 99" in capsys.readouterr().err
    assert main(["meeting", "kallelse", "--date", "2020-05-29", "--out", str(tmp_path / "x.pdf"), *db]) == 1
    assert "har inga ärenden" in capsys.readouterr().err
    assert not (tmp_path / "x.pdf").exists()
