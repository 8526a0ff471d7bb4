"""The faces of portfolj: the Streamlit dashboard and the `portfolj` command."""
