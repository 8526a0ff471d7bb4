"""The meeting's documents read back: the kallelse and protocol PDFs (tags, language, bookmarks,
text in order) and the protocol's DOCX draft, on the seeds' two meetings."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from portfolio.accounts import persona_user
from portfolio.errors import InvalidInputError
from portfolio.governance import service as governance
from portfolio.governance.model import AgendaItemInput, parse
from portfolio.pdf import tagged_pdf
from registers.database import open_database
from registers.meetings import documents

# The föredragningslista of the seed document dagordning-2020-02-14, in its order.
AGENDA_2020_02_14 = [
    "Val av justerare och tid för justering",
    "Fastställande av föredragningslista",
    "Slutrapport - Införande av nytt IT-stöd för samordnad planering, LINK2",
    "Årsbokslut 2019 Gemensam nämnd för samverkan",
    "Gemensam löneadministration mellan Åre kommun och Region Jämtland Härjedalen",
    "Ändring av sammanträdestider 2020",
    "Information pågående ärenden",
    "Projekt Digital transformation",
    "Återstående medel från 2018",
    "Tjänsteskrivelse Digitalisering tillsammans nedifrån och upp, begäran om stöd",
]


@pytest.fixture(scope="module")
def db(_seeded_template: Path, tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("documents") / "portfolj.db"
    shutil.copy(_seeded_template, path)
    return open_database(path)


def meeting_id(db, day: str) -> int:
    return int(governance.meeting_on(db, date.fromisoformat(day))["id"])


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def struct_nodes(reader: PdfReader) -> Iterator[DictionaryObject]:
    """Every element of the PDF's structure tree (the tags a screen reader follows)."""
    stack: list[Any] = [reader.root_object["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        if not isinstance(node, DictionaryObject):
            continue
        yield node
        kids = node.get("/K")
        if kids is not None:
            kids = kids.get_object() if hasattr(kids, "get_object") else kids
            stack.extend(kids if isinstance(kids, list) else [kids])


def struct_types(reader: PdfReader) -> list[str]:
    return [str(node["/S"]) for node in struct_nodes(reader) if "/S" in node]


def outline_titles(reader: PdfReader) -> list[str]:
    titles: list[str] = []
    stack: list[Any] = [reader.outline]
    while stack:
        for entry in stack.pop():
            if isinstance(entry, list):
                stack.append(entry)
            else:
                titles.append(str(entry["/Title"]))
    return titles


def text_of(reader: PdfReader) -> str:
    return flat(" ".join(page.extract_text() for page in reader.pages))


@pytest.fixture(scope="module")
def kallelse(db) -> PdfReader:
    return PdfReader(io.BytesIO(documents.kallelse_pdf(db, meeting_id(db, "2020-02-14"))))


@pytest.fixture(scope="module")
def protocol(db) -> PdfReader:
    return PdfReader(io.BytesIO(documents.protocol_pdf(db, meeting_id(db, "2019-06-03"))))


@pytest.fixture(scope="module")
def draft(db):
    return Document(io.BytesIO(documents.protocol_docx(db, meeting_id(db, "2019-06-03"))))


# --- kallelse 2020-02-14 ------------------------------------------------------------------------


def test_the_kallelse_is_a_tagged_swedish_pdf_with_a_title(kallelse):
    root = kallelse.root_object
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "sv-SE"
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert kallelse.metadata.title == "Kallelse med handlingar – sammanträde 2020-02-14"
    tags = set(struct_types(kallelse))
    assert {"/H1", "/H2", "/H3", "/L", "/LI", "/Table", "/TH", "/TD", "/P"} <= tags


def test_the_kallelse_agenda_has_the_seed_documents_items_in_its_order(kallelse):
    text = text_of(kallelse)
    agenda = text[text.index("Föredragningslista") : text.index("Punkt 1 Val av justerare")]
    positions = [agenda.find(title) for title in AGENDA_2020_02_14]
    assert -1 not in positions, [t for t, p in zip(AGENDA_2020_02_14, positions, strict=True) if p < 0]
    assert positions == sorted(positions)


def test_the_kallelse_has_a_bookmark_for_every_item_and_the_portfolio_section(kallelse):
    titles = outline_titles(kallelse)
    for number, title in enumerate(AGENDA_2020_02_14, start=1):
        assert any(t.startswith(f"Punkt {number} {title}") for t in titles), title
    assert "Portföljens läge" in titles
    assert "Bilagor" in titles


def test_the_kallelse_has_each_items_proposal_the_cover_and_the_portfolio_status(kallelse):
    text = text_of(kallelse)
    assert "Slutrapport för införande av Cosmic Link2 godkänns och läggs till handlingarna." in text
    assert "Plats Styrelserummet" in text and "Tid 09:00-12:00" in text
    assert "Jörgen Persson (S)" in text  # a member, from the agenda's cover
    assert "Aktiva projekt och ärenden" in text and "De allvarligaste riskerna" in text
    assert "Nyttor efter plan" in text
    assert "Ändrat sedan förra sammanträdet (2019-12-06)" in text


def test_the_february_kallelse_carries_the_annual_report_of_the_year_before(kallelse):
    assert "Årsbokslut 2019 – Nämnden totalt" in outline_titles(kallelse)
    assert "Resultaträkning (tkr)" in text_of(kallelse)


# --- protocol 2019-06-03 ------------------------------------------------------------------------


def test_the_protocol_pdf_is_tagged_and_has_every_paragraph_and_the_justering(protocol):
    root = protocol.root_object
    assert "/StructTreeRoot" in root and root["/Lang"] == "sv-SE"
    assert "/TH" in struct_types(protocol)
    titles = outline_titles(protocol)
    assert [n for n in range(13, 21) if not any(t.startswith(f"§{n} ") for t in titles)] == []
    text = text_of(protocol)
    assert "Justeringens plats och tid Regionens hus, kl. 10:00 2019-06-11" in text
    assert "Datum för anslags uppsättande 2019-06-12" in text
    assert "Datum för anslags nedtagande 2019-07-04" in text
    assert "till och med 31 oktober 2019" in text


def test_the_protocol_draft_has_paragraphs_13_to_20_with_their_decisions(draft):
    headings = [p.text for p in draft.paragraphs if p.style.name == "Heading 1"]
    numbers = [int(m.group(1)) for h in headings if (m := re.match(r"§(\d+) ", h))]
    assert numbers == list(range(13, 21))
    texts = [p.text for p in draft.paragraphs]
    at = texts.index(next(h for h in headings if h.startswith("§17 ")))
    section = texts[at : texts.index(next(h for h in headings if h.startswith("§18 ")))]
    decision = section[section.index("Beslut") + 1 :]
    assert decision[0].startswith("1. Projekttiden för införandet av Cosmic LINK2 förlängs")
    assert "till och med 31 oktober 2019" in decision[0]
    assert "Nämnden har tagit del av informationen." in texts  # §14, information without a decision


# --- refusals and attachments ------------------------------------------------------------------


def test_a_kallelse_for_a_meeting_without_items_is_refused(db):
    with pytest.raises(InvalidInputError, match="har inga ärenden"):
        documents.kallelse_pdf(db, meeting_id(db, "2020-05-29"))


def test_the_protocol_pdf_waits_for_the_justering(db):
    with pytest.raises(InvalidInputError, match="är inte justerat ännu; ta ut utkastet som DOCX"):
        documents.protocol_pdf(db, meeting_id(db, "2019-10-11"))
    with pytest.raises(InvalidInputError, match="protokollet skrivs när det är genomfört"):
        documents.protocol_docx(db, meeting_id(db, "2020-02-14"))


def test_attached_pdfs_follow_the_kallelse_bookmarked_and_other_files_are_listed(db):
    admin = persona_user(db, "admin")
    data = parse(
        AgendaItemInput,
        {"meeting_date": "2020-08-28", "number_kind": "punkt", "title": "Budget <2021> & *mål*"},
    )
    item_id = governance.add_agenda_item(db, admin, data)
    appendix = tagged_pdf(
        '<html lang="sv-SE"><head><title>B</title></head><body><h1>Bilagans text</h1></body></html>'
    )
    governance.attach_file(db, admin, item_id, "tjänsteskrivelse.pdf", appendix)
    reader = PdfReader(io.BytesIO(documents.kallelse_pdf(db, meeting_id(db, "2020-08-28"))))
    assert "Bilaga: tjänsteskrivelse.pdf" in outline_titles(reader)
    text = text_of(reader)
    assert "Budget <2021> & *mål*" in text  # user text prints as written
    assert text.rstrip().endswith("Bilagans text")
    assert "/StructTreeRoot" in reader.root_object


# --- the tertial handout ------------------------------------------------------------------------


def test_the_tertial_pdf_is_tagged_with_header_cells_and_a_chart_with_alternative_text(db):
    from portfolio.ledger.exports import report_pdf
    from portfolio.ledger.tertial import load_report
    from portfolio.periods import Period

    reader = PdfReader(io.BytesIO(report_pdf(load_report(db, 2019, Period.T1), {"BRA": "Bräcke kommun"})))
    root = reader.root_object
    mark_info = root["/MarkInfo"].get_object()
    assert isinstance(mark_info, DictionaryObject)
    assert root["/Lang"] == "sv-SE" and bool(mark_info["/Marked"])
    assert reader.metadata is not None and (reader.metadata.title or "").startswith("Tertialrapport T1 2019")
    tags = struct_types(reader)
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Figure"} <= set(tags)
    figures = [str(node.get("/Alt")) for node in struct_nodes(reader) if node.get("/S") == "/Figure"]
    assert figures == [
        "Stapeldiagram, Budget − utfall per objekt (tkr). 6663 Serverdrift Åre: budget − utfall 23 tkr;"
        " 6674 LINK2 – Införande av nytt IT-stöd för samordnad planering (Cosmic Link):"
        " budget − utfall −258 tkr."
    ]
    assert "Avvikelser per objekt och projekt" in outline_titles(reader)
