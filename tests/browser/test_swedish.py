"""Swedish all the way: nothing a user reads or hears is English UI text or a programmer's value
("None", "nan", "true").

What is scanned: the visible text of the page, the text of the charts (SVG, so tick labels too),
the cells of the tables (the grid's accessible copy) and every `aria-label`, `placeholder`,
`title` and `data-title` (Plotly's toolbar tooltips) attribute. What Streamlit draws in English and
offers no setting for is allowed below, each entry with its reason, as docs/accessibility-language.md
lists it for users. `english_on` is used by the walk over every page of every persona in
test_every_page.py (one visit per page for the heading, axe and this scan).
"""

from __future__ import annotations

import re

MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
# English UI text Streamlit, Plotly or the grid might draw, and values a programmer would recognise.
ENGLISH = re.compile(
    r"|".join(
        [
            r"Choose (an )?options?",
            r"Choose or add",
            r"No options( to select)?",
            r"No results",
            r"Select all",
            r"Select \d+ matches",
            r"Press (Enter|Ctrl\+Enter|⌘\+Enter) to",
            r"submit form",
            r"Drag and drop",
            r"Browse files",
            r"\bUpload\b",
            r"per file",
            r"Page not found",
            r"\bDownload",
            r"\bZoom\b",
            r"\bPan\b",
            r"Autoscale",
            r"Reset axes",
            r"Box Select",
            r"Lasso Select",
            r"Produced with Plotly",
            r"Toggle Spike",
            r"Show closest",
            r"Compare data",
            r"\bFullscreen\b",
            r"\bClose\b",
            r"\bSearch\b",
            r"Show/hide columns",
            r"Clear (selection|cache|value)",
            r"Main menu",
            r"\bDeploy\b",
            r"\bRunning\.\.\.",
            r"\bNone\b",
            r"\bnan\b",
            r"\bNaN\b",
            r"\bnull\b",
            r"\b[Tt]rue\b",
            r"\b[Ff]alse\b",
            r"\{\"",  # raw JSON
            rf"\b({MONTHS}) \d{{4}}\b",  # Plotly's date ticks: "Oct 2018"
            rf"\b({MONTHS}) \d{{1,2}}(, \d{{4}})?\b",  # "Oct 7" / "Oct 7, 2018"
            r"\d[.,]?\d*[kMG]\b",  # Plotly's SI suffixes on money: "0,5M", "200k"
            # Remarks written for developers about how a document was read, not for readers.
            r"textversionen",
            r"seed-dokument",
            r"\(sic\)",
            r"\b[a-z]+_[a-z_]+\b",  # a field name such as per_party_kr
        ]
    )
)

# What Streamlit draws in English with no setting to change it; docs/accessibility-language.md lists
# the same for users. Each entry: (where it is found, the whole text, reason).
ALLOWED: list[tuple[str, str, str]] = [
    ("text", r"Upload", "st.file_uploader's button: no setting for its text (Streamlit 1.67)"),
    (
        "text",
        r"\d+(\.\d+)?MB per file( • [A-Z, ]+)?",
        "st.file_uploader's size and type line: no setting; the label and help say it in Swedish",
    ),
    (
        r"aria-label.*|title.*|data-title.*",
        r"Fullscreen|Search|Show/hide columns|Download as CSV",
        "Streamlit's hover toolbar on tables and charts: English aria-labels, no setting",
    ),
    (
        "text",
        r"keyboard_arrow_(down|right|up|left)|expand_(more|less)",
        "Material Symbols ligatures: drawn as an arrow on expanders (aria-hidden), never read as words",
    ),
    (
        "cell",
        r"/api/v1/[a-z/]*\{[a-z_]+\}[a-z/]*",
        "API-nycklar lists the read API's addresses as a program calls them (/api/v1/risks/{risk_id})",
    ),
    (
        r"aria-label.*",
        r"Clear value",
        "the × that empties an optional number field or choice: English aria-label, no setting",
    ),
]
# Page by page: what a page shows as it was stored. (page, where, text).
PENDING: list[tuple[str, str, str]] = [
    # The log shows what was stored, including the seed's provenance remarks on how a document's
    # text version was read (kept for the secretariat; no other page shows them).
    ("Ändringslogg", r"cell", r"anteckning: .*textversionen.*"),
]


def allowed(title: str, where: str, text: str) -> bool:
    """Whether a hit is documented English (or pending in another engineer's file)."""
    text = text.strip()
    return any(re.fullmatch(w, where) and re.fullmatch(t, text) for w, t, _ in ALLOWED) or any(
        title == page and re.fullmatch(w, where) and re.fullmatch(t, text) for page, w, t in PENDING
    )


# Everything the page shows or announces: visible text, chart text, grid cells and the attributes
# screen readers and tooltips read.
COLLECT = """() => {
    const out = [];
    const main = document.querySelector('[data-testid="stApp"]') || document.body;
    // Where an attribute sits: the label of the widget around it, so a hit says which widget it is.
    const widget = (el) => {
        const box = el.closest('[data-testid^="stSelectbox"], [data-testid="stMultiSelect"], '
                               + '[data-testid="stFileUploader"], [data-testid="stDateInput"], '
                               + '[data-testid="stTextInput"], [data-testid="stElementContainer"]');
        const label = box && box.querySelector('[data-testid="stWidgetLabel"]');
        return label ? ` (${label.innerText.trim()})` : '';
    };
    out.push(['text', main.innerText]);
    for (const t of main.querySelectorAll('svg text')) out.push(['chart', t.textContent]);
    for (const c of main.querySelectorAll('[data-testid="stDataFrame"] [role="gridcell"], '
                                          + '[data-testid="stDataFrame"] td, '
                                          + '[data-testid="stDataFrame"] th')) {
        out.push(['cell', c.textContent]);
    }
    for (const el of main.querySelectorAll('[aria-label], [placeholder], [title], [data-title]')) {
        for (const attr of ['aria-label', 'placeholder', 'title', 'data-title']) {
            const v = el.getAttribute(attr);
            if (v) out.push([attr + widget(el), v]);
        }
    }
    return out;
}"""


def english_on(page, title: str) -> list[str]:
    """Every English word or programmer's value on the page, with where it was found."""
    hits: list[str] = []
    for where, text in page.evaluate(COLLECT):
        for line in str(text).splitlines():
            if allowed(title, where, line):
                continue
            hits.extend(
                f"{where}: {match.group(0)!r} i {line.strip()[:120]!r}" for match in ENGLISH.finditer(line)
            )
    return sorted(set(hits))


def test_an_unknown_address_says_so_in_swedish(page_as, server):
    page = page_as("namnd")
    page.goto(f"{server}/finns-inte")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1500)  # Streamlit tells an unknown page after its first run
    shown = page.locator("body").inner_text()
    assert english_on(page, "okänd adress") == [], shown
    assert "Page not found" not in shown and "finns inte" in shown, shown
