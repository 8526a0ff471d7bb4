"""Import av redovisning."""

from __future__ import annotations

import streamlit as st

st.title("Import av redovisning")
