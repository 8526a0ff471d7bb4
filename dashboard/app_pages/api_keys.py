"""API-nycklar: each user's personal keys for reading the portfolio from Power BI, Excel and scripts."""

from __future__ import annotations

from urllib.parse import urlsplit

import polars as pl
import streamlit as st

from dashboard import api, forms, ui
from portfolio import clock
from portfolio.apikeys import service as apikeys

user = ui.require_user()
forms.prepare()
conn = ui.db()
CREATED_FLASH = "api_keys_created_flash"
REVOKED_FLASH = "api_keys_revoked_flash"
NEW_KEY = "api_keys_new_key"  # the key just created, shown on the next run only


def server_address() -> str:
    """Where this server answers, for the examples (the default address when it cannot be told)."""
    try:
        parts = urlsplit(str(st.context.url or ""))
    except (AttributeError, ValueError):
        return "http://127.0.0.1:8501"
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return "http://127.0.0.1:8501"


def local_times(frame: pl.DataFrame, column: str) -> pl.Series:
    return pl.Series([clock.local_text(t, empty="") for t in frame[column]], dtype=pl.String)


def create_section() -> None:
    st.subheader("Skapa en nyckel")
    with st.form("api_keys_create", enter_to_submit=False):
        st.text_input(
            "Vad nyckeln ska användas till",
            key="api_keys_name",
            max_chars=200,
            placeholder="till exempel Power BI – tertialuppföljning",
        )
        create = st.form_submit_button("Skapa nyckel", type="primary", key="api_keys_create_submit")
    forms.confirmation(CREATED_FLASH)
    key = st.session_state.pop(NEW_KEY, None)
    if key:
        st.warning(
            "Kopiera nyckeln nu och klistra in den där den ska användas. Den visas bara den här gången"
            " och kan inte tas fram igen: portfolj sparar bara ett kontrollvärde. Har du tappat bort den,"
            " återkalla den och skapa en ny. Nyckeln läser allt som ditt konto får läsa – dela den inte."
        )
        st.code(key, language=None)
    if create:
        made: list[apikeys.CreatedKey] = []
        with forms.saving(
            CREATED_FLASH,
            lambda: f"Nyckeln {ui.plain(made[0].name)} är skapad.",
            then={"api_keys_name": ""},
        ):
            made.append(
                apikeys.create_key(conn, user, owner_email=user.email, name=st.session_state["api_keys_name"])
            )
            st.session_state[NEW_KEY] = made[0].key


def keys_section() -> None:
    st.subheader("Mina nycklar")
    keys = apikeys.keys_of(conn, user)
    if keys.is_empty():
        st.info("Du har inga API-nycklar ännu.")
    else:
        ui.dataframe(
            keys.select(
                pl.col("name").alias("Namn"),
                (pl.col("hint") + pl.lit("…")).alias("Början"),
                local_times(keys, "created_at").alias("Skapad"),
                local_times(keys, "last_used_at").alias("Senast använd"),
                local_times(keys, "revoked_at").alias("Återkallad"),
            ),
            key="api_keys_table",
        )
    active = {
        int(r["id"]): f"{r['name']} ({r['hint']}…, skapad {clock.local_text(r['created_at'])})"
        for r in keys.filter(pl.col("revoked_at").is_null()).iter_rows(named=True)
    }
    if not active:
        forms.confirmation(REVOKED_FLASH)
        return
    with st.form("api_keys_revoke", enter_to_submit=False):
        ui.choose("Nyckel att återkalla", active, key="api_keys_revoke_choice", prompt="Välj en nyckel")
        revoke = st.form_submit_button("Återkalla nyckeln", key="api_keys_revoke_submit")
    forms.confirmation(REVOKED_FLASH)
    if revoke:
        chosen = st.session_state["api_keys_revoke_choice"]
        if chosen is None:
            st.error("Välj vilken nyckel som ska återkallas; inget ändrades.")
            return
        name = active.get(int(chosen), str(chosen))
        with forms.saving(
            REVOKED_FLASH,
            f"Nyckeln {ui.plain(name)} är återkallad och fungerar inte längre.",
            then={"api_keys_revoke_choice": None},
        ):
            apikeys.revoke_key(conn, user, int(chosen))


def how_to_section() -> None:
    base = server_address()
    st.subheader("Så hämtar du siffrorna i Power BI och Excel")
    st.markdown(
        "Skicka nyckeln i huvudet **Authorization** med värdet `Bearer <nyckel>` (eller i huvudet"
        " **X-API-Key**). Lägg till `?format=csv` för CSV till svenskt Excel (semikolon, UTF-8,"
        " decimalkomma); annars svarar API:t med JSON. Belopp är kronor med ören och datum ÅÅÅÅ-MM-DD."
    )
    st.markdown(
        "**Excel:** Data → Hämta data → Från andra källor → Från webben → *Avancerat*. Skriv adressen under"
        f" URL-delar, till exempel `{base}/api/v1/projects`, och under HTTP-begärans rubrikparametrar"
        " rubriken `Authorization` med värdet `Bearer <din nyckel>`. Välj sedan Anonym åtkomst."
    )
    st.markdown(
        "**Power BI:** Hämta data → Webb → *Avancerat*, på samma sätt. Eller klistra in i Avancerad"
        " redigerare:"
    )
    st.code(
        "let\n"
        f'    Källa = Json.Document(Web.Contents("{base}/api/v1/projects",\n'
        '        [Headers = [Authorization = "Bearer <din nyckel>"]])),\n'
        "    Tabell = Table.FromRecords(Källa)\n"
        "in\n"
        "    Tabell",
        language=None,
    )
    st.markdown("**Från en terminal:**")
    st.code(f'curl -H "Authorization: Bearer <din nyckel>" {base}/api/v1/projects', language="bash")
    ui.dataframe(
        pl.DataFrame(
            {
                "Adress": [
                    api.BASE + e.path.replace(":path}", "}").replace(":int}", "}") for e in api.ENDPOINTS
                ],
                "Innehåll": [e.summary for e in api.ENDPOINTS],
                "Parametrar": [", ".join(e.parameters) for e in api.ENDPOINTS],
            }
        ),
        key="api_keys_endpoints",
    )
    st.caption(f"Hela beskrivningen (OpenAPI): {base}{api.BASE}/openapi.json")


st.title("API-nycklar")
st.caption(
    "Med en personlig API-nyckel hämtar Power BI, Excel eller ett skript portföljens siffror direkt från"
    " portfolj, utan export för hand. En nyckel kan bara läsa, aldrig ändra något, och den läser det"
    " som ditt konto får läsa."
)
create_section()
keys_section()
how_to_section()
