"""The Sammanträden page's section on a meeting's documents and life (issue 18).

Every role downloads the kallelse med handlingar, the protocol (DOCX draft after the meeting,
PDF once justerat) and the attached beslutsunderlag. The admin moves the meeting to its next
state, adds the standard items, new items (with presenter, or as a correction of a justerat
decision) and attachments. The documents are made when the button is pressed, on their own
connection: a download runs in another thread than the page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st

from dashboard import config, forms, ui
from portfolio.auth import Action
from portfolio.governance import attachments as files
from portfolio.governance import service as governance
from portfolio.governance.model import STATES, AgendaItemInput, JusteringInput, paragraph_label, parse
from registers.database import open_database
from registers.meetings import documents

STATE_TEXT = {
    "planerat": "○ planerat (ingen kallelse ännu)",
    "kallat": "✉ kallat (kallelsen är skickad)",
    "genomfört": "✔ genomfört (protokollet skrivs)",
    "justerat": "🔒 justerat (protokollet är låst)",
}
MIME = {
    "pdf": "application/pdf",
    "docx": files.KINDS["docx"],
    "xlsx": files.KINDS["xlsx"],
}


def _deferred(build: Callable[[Any, int], bytes], meeting_id: int) -> Callable[[], bytes]:
    path = str(config.db_path())

    def make() -> bytes:
        conn = open_database(path, migrate=False)
        try:
            return build(conn, meeting_id)
        finally:
            conn.close()

    return make


def _attachment(attachment_id: int) -> Callable[[], bytes]:
    path = str(config.db_path())

    def read() -> bytes:
        conn = open_database(path, migrate=False)
        try:
            return governance.attachment_content(conn, attachment_id)[2]
        finally:
            conn.close()

    return read


def show(meeting_id: int) -> None:
    """The section: state and justering, downloads for everyone, the admin's tools."""
    forms.prepare()  # the values a save left for this section's widgets, before they are drawn
    conn = ui.db()
    meeting = governance.meeting(conn, meeting_id)
    items = governance.meeting_items(conn, meeting_id)
    st.header("Kallelse, protokoll och bilagor")
    st.markdown(f"**Läge:** {STATE_TEXT[meeting['state']]}")
    if meeting["state"] == "justerat":
        _justering_facts(meeting)
    _corrections(items)
    _downloads(meeting, items)
    _attachments(meeting_id)
    if ui.can(Action.MANAGE_MEETINGS):
        _admin(meeting, items)


def _justering_facts(meeting: dict[str, Any]) -> None:
    facts = [
        f"Justerat {meeting['justering_date']}" if meeting["justering_date"] else "Justeringsdatum okänt",
        f"plats: {ui.plain(meeting['justering_place'])}" if meeting["justering_place"] else None,
        f"justerare: {ui.plain(meeting['justerare'])}" if meeting["justerare"] else None,
        f"anslag {meeting['anslag_up']} – {meeting['anslag_down']}" if meeting["anslag_up"] else None,
    ]
    st.markdown("; ".join(f for f in facts if f) + ".")
    if meeting["justering_note"]:
        st.caption(ui.plain(meeting["justering_note"]))
    st.caption(
        "Ett justerat protokoll ändras inte; ett fel rättas genom ett nytt beslut vid ett senare sammanträde."
    )


def _label(item: dict[str, Any]) -> str:
    return paragraph_label(item["number_kind"], item["number"]) or "punkt utan nummer"


def _corrections(items: list[dict[str, Any]]) -> None:
    lines = []
    for item in items:
        for later in item["corrected_by"]:
            number = paragraph_label(later["number_kind"], later["number"]) or ""
            lines.append(
                f"{_label(item)} ”{ui.plain(item['title'])}” är rättat genom beslut {later['date']}"
                f" {number} ”{ui.plain(later['title'])}”."
            )
        if item["corrects"]:
            old = item["corrects"]
            lines.append(
                f"{_label(item)} ”{ui.plain(item['title'])}” rättar beslutet {old['meeting_date']}"
                f" {paragraph_label(old['number_kind'], old['number']) or ''} ”{ui.plain(old['title'])}”."
            )
    if lines:
        st.markdown("**Rättelser:**  \n" + "  \n".join(lines))


def _downloads(meeting: dict[str, Any], items: list[dict[str, Any]]) -> None:
    held = meeting["state"] in ("genomfört", "justerat")
    # (ready, label, builder, file name stem, file kind, widget key, what to say until it is ready)
    documents_offered = (
        (
            bool(items),
            "Kallelse med handlingar (PDF)",
            documents.kallelse_pdf,
            "kallelse",
            "pdf",
            "meetings_pack_kallelse",
            "Kallelsen kan tas ut när föredragningslistan har ärenden.",
        ),
        (
            held,
            "Protokollsutkast (DOCX)",
            documents.protocol_docx,
            "protokoll-utkast",
            "docx",
            "meetings_pack_draft",
            "Protokollsutkastet finns när sammanträdet är genomfört.",
        ),
        (
            meeting["state"] == "justerat",
            "Justerat protokoll (PDF)",
            documents.protocol_pdf,
            "protokoll",
            "pdf",
            "meetings_pack_protocol",
            "Protokollet som PDF finns när sammanträdet är justerat.",
        ),
    )
    for column, (ready, label, build, stem, kind, key, not_yet) in zip(
        st.columns(3), documents_offered, strict=True
    ):
        if ready:
            column.download_button(
                label,
                _deferred(build, meeting["id"]),
                file_name=documents.file_name(meeting, stem, kind),
                mime=MIME[kind],
                key=key,
                on_click="ignore",
            )
        else:
            column.caption(not_yet)
    st.caption(
        "PDF-filerna är tillgängliga dokument: taggade, på svenska och med bokmärken för varje ärende."
    )


def _attachments(meeting_id: int) -> None:
    frame = governance.attachments(ui.db(), meeting_id)
    if frame.height == 0:
        return
    st.subheader("Bifogade beslutsunderlag")
    titles = {i["id"]: f"{_label(i)} {i['title']}" for i in governance.meeting_items(ui.db(), meeting_id)}
    for row in frame.iter_rows(named=True):
        left, right = st.columns([3, 1])
        left.markdown(
            f"{ui.plain(titles.get(row['item_id'], ''))}: **{ui.plain(row['filename'])}**"
            f" ({documents.size_text(row['size'])})  \nSHA-256 `{row['sha256']}`"
        )
        right.download_button(
            "Ladda ned",
            _attachment(row["id"]),
            file_name=row["filename"],
            mime=MIME.get(row["kind"], "application/octet-stream"),
            key=f"meetings_pack_file_{row['id']}",
            on_click="ignore",
        )


def _admin(meeting: dict[str, Any], items: list[dict[str, Any]]) -> None:
    st.subheader("Sammanträdets gång (administratör)")
    _state_form(meeting)
    forms.confirmation("meetings_pack_state_flash")  # also after the last step, when the form is gone
    if meeting["state"] == "justerat":
        st.info(
            "Sammanträdet är justerat: ärenden, beslut och bilagor kan inte ändras. Lägg en rättelse som"
            " ett nytt ärende vid ett senare sammanträde."
        )
        return
    if meeting["state"] in ("planerat", "kallat"):
        if st.button("Lägg till standardpunkterna", key="meetings_pack_standard"):
            with forms.saving_here("Standardpunkterna finns på föredragningslistan."):
                governance.add_standard_items(ui.db(), ui.require_user(), meeting["id"])
        st.caption(
            "Val av justerare och tid för justering, fastställande av föredragningslista (först)"
            " och informationer (sist); de som redan finns läggs inte till igen."
        )
        _item_form(meeting)
    if items:
        _attach_form(meeting, items)


def _state_form(meeting: dict[str, Any]) -> None:
    position = STATES.index(meeting["state"])
    if position + 1 >= len(STATES):
        return
    following = STATES[position + 1]
    with st.form("meetings_pack_state_form", enter_to_submit=False):
        st.markdown(f"Nästa läge: **{following}**")
        if following == "genomfört":
            st.caption("När sammanträdet är genomfört får ärendena sina §-nummer i årets serie.")
        if following == "justerat":
            day = date.fromisoformat(meeting["date"])
            j_date = st.date_input(
                "Justeringens datum", value=None, min_value=day, key="meetings_pack_j_date"
            )
            j_place = st.text_input("Justeringens plats", key="meetings_pack_j_place")
            j_by = st.text_input("Justerare", key="meetings_pack_j_by")
            up = st.date_input("Anslaget sätts upp", value=None, min_value=day, key="meetings_pack_j_up")
            down = st.date_input("Anslaget tas ned", value=None, min_value=day, key="meetings_pack_j_down")
        moved = st.form_submit_button(f"Gör sammanträdet {following}", key="meetings_pack_state_save")
    if moved:
        with forms.saving("meetings_pack_state_flash", f"Sammanträdet {meeting['date']} är nu {following}."):
            justering = None
            if following == "justerat":
                justering = parse(
                    JusteringInput,
                    {
                        "date": j_date,
                        "place": j_place.strip() or None,
                        "justerare": j_by.strip() or None,
                        "anslag_up": up,
                        "anslag_down": down,
                    },
                )
            governance.change_state(ui.db(), ui.require_user(), meeting["id"], following, justering=justering)


def _item_form(meeting: dict[str, Any]) -> None:
    every = governance.decisions(ui.db())
    earlier = every.filter((every["date"] < meeting["date"]) & every["decision"].is_not_null())
    corrections = {
        r["item_id"]: f"{r['date']} {paragraph_label(r['number_kind'], r['number']) or ''} {r['title']}"
        for r in earlier.iter_rows(named=True)
    }
    with st.form("meetings_pack_item_form", enter_to_submit=False):
        st.markdown("**Nytt ärende på föredragningslistan**")
        title = st.text_input("Ärendets rubrik", key="meetings_pack_item_title")
        case = st.text_input(
            "Ärendenummer (valfritt)", key="meetings_pack_item_case", placeholder="GNS/8/2018"
        )
        presenter = st.text_input("Föredragande", key="meetings_pack_item_presenter")
        summary = st.text_area("Ärendebeskrivning", key="meetings_pack_item_summary")
        proposal = st.text_area("Förslag till beslut", key="meetings_pack_item_proposal")
        corrects = ui.choose(
            "Rättar ett tidigare beslut (valfritt)",
            corrections,
            key="meetings_pack_item_corrects",
            none="–",
            format_func=lambda i: ui.plain(corrections[i]),
        )
        added = st.form_submit_button("Lägg till ärendet", key="meetings_pack_item_save")
    if added:
        with forms.saving(
            "meetings_pack_item_flash",
            f"”{ui.plain(title)}” finns på föredragningslistan.",
            then={
                "meetings_pack_item_title": "",
                "meetings_pack_item_case": "",
                "meetings_pack_item_presenter": "",
                "meetings_pack_item_summary": "",
                "meetings_pack_item_proposal": "",
                "meetings_pack_item_corrects": None,
            },
        ):
            data = parse(
                AgendaItemInput,
                {
                    "meeting_date": meeting["date"],
                    "number_kind": "punkt",
                    "title": title.strip(),
                    "case": case.strip() or None,
                    "presenter": presenter.strip() or None,
                    "summary": summary,
                    "proposal": proposal,
                    "corrects_item_id": corrects,
                },
            )
            governance.add_agenda_item(ui.db(), ui.require_user(), data)
    forms.confirmation("meetings_pack_item_flash")


def _attach_form(meeting: dict[str, Any], items: list[dict[str, Any]]) -> None:
    choices = {i["id"]: f"{_label(i)} {i['title']}" for i in items}
    with st.form("meetings_pack_attach_form", enter_to_submit=False):
        st.markdown("**Bifoga beslutsunderlag**")
        item_id = ui.choose(
            "Ärende",
            list(choices),
            format_func=lambda i: ui.plain(choices[i]),
            key="meetings_pack_attach_item",
        )
        upload = st.file_uploader(
            "Fil (PDF, DOCX eller XLSX)",
            type=["pdf", "docx", "xlsx"],
            key=forms.uploader_key("meetings_pack_attach_file"),
            help=f"Högst {files.MAX_MB} MB. Filens innehåll kontrolleras, inte bara namnet.",
        )
        attached = st.form_submit_button("Bifoga filen", key="meetings_pack_attach_save")
    if attached:
        if upload is None:
            st.error("Välj en fil att bifoga.")
        else:
            with forms.saving("meetings_pack_attach_flash", f"{ui.plain(upload.name)} är bifogad."):
                governance.attach_file(ui.db(), ui.require_user(), item_id, upload.name, upload.getvalue())
                forms.renew_uploader("meetings_pack_attach_file")
    forms.confirmation("meetings_pack_attach_flash")
