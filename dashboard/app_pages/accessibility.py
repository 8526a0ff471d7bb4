"""Tillgänglighetsredogörelse: the accessibility statement required by lag (2018:1937)."""

from __future__ import annotations

import streamlit as st

st.title("Tillgänglighetsredogörelse")
st.markdown(
    """
Gemensam nämnd för samverkan (GNS) står bakom portfolj. Vi vill att så många som möjligt ska
kunna använda tjänsten. Den här redogörelsen beskriver hur portfolj uppfyller lagen (2018:1937)
om tillgänglighet till digital offentlig service, kända tillgänglighetsproblem och hur du kan
rapportera brister till oss så att vi kan åtgärda dem.

### Hur tillgänglig är tjänsten?
Vi bedömer att portfolj i huvudsak uppfyller WCAG 2.1 på nivå AA:

- Status, riskbedömning och nyttostatus visas alltid med text och symbol, aldrig bara med färg.
- Varje diagram har en tabell eller en textsammanfattning med samma siffror.
- Alla funktioner kan användas med tangentbord; formulär har synliga etiketter.
- Sidorna fungerar i en mobil skärmbredd (390 pixlar) och vid förstoring upp till 200 %.
- Belopp skrivs på svenska (`914 400 kr`, `−219 tkr`).

### Kända brister
- Interaktiva tabeller (datagrid) läses sämre av vissa skärmläsare; samma uppgifter finns
  därför även i vanliga tabeller eller som text på sidan.
- Diagrammens verktygsrad (zoom, export) har engelska knapptexter från diagrambiblioteket.

### Rapportera brister
Om du upptäcker problem som inte beskrivs här, eller om du behöver innehåll i ett annat format,
kontakta nämndens e-strateg via registraturen hos Region Jämtland Härjedalen och ange
*portfolj – tillgänglighet* i ämnesraden. Vi svarar inom fem arbetsdagar.

### Tillsyn
Myndigheten för digital förvaltning (DIGG) har ansvaret för tillsyn enligt lagen om
tillgänglighet till digital offentlig service. Om du inte är nöjd med hur vi hanterar dina
synpunkter kan du kontakta DIGG och påtala det (digg.se/tdosanmalan).

### Hur vi testat tjänsten
Varje sida testas automatiskt i en riktig webbläsare med axe-core (inga allvarliga eller
kritiska avvikelser tillåts), och inloggning och formulär testas med enbart tangentbord.
Redogörelsen uppdaterades senast 2026-11-23.
"""
)
