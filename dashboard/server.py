"""The server: the Streamlit app with portfolj's own routes and middleware, as one `st.App`.

`portfolj serve` runs `streamlit run dashboard/server.py`; Streamlit finds the `app` below and
serves `streamlit_app.py` (the router) with the login/logout routes, the read API under
/api/v1, the session gate and the security headers.
"""

from __future__ import annotations

import streamlit as st
from starlette.middleware import Middleware

from dashboard import api, web

app = st.App(
    "streamlit_app.py",
    routes=[*web.ROUTES, *api.ROUTES],
    middleware=[Middleware(web.SecurityHeaders), Middleware(web.SessionGate)],
)
