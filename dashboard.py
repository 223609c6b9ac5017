"""The ESG commitments dashboard: ``streamlit run dashboard.py`` (or ``esgdata serve``).

Page setup, the sign-in (all a visitor sees when ESGDATA_REQUIRE_LOGIN=1), the store (seeded
from seeds/ when empty), the shared filters, the chosen page.
"""

from __future__ import annotations

import streamlit as st

from app import auth, filters_ui, nav, state
from app.safe import md
from esgdata.errors import EsgDataError


def main(start: str = "overview") -> None:
    """Draw the app; ``start`` is the page shown at the root URL."""
    st.set_page_config(page_title="ESG commitments", page_icon="🌱", layout="wide")
    try:
        src = state.source()
        if auth.sidebar(src) is None and auth.required():
            auth.gate()
            return
        src = state.ensure_data(src)
        filters = filters_ui.sidebar(state.facets(src.url, src.revision))
        page = st.navigation(nav.pages(src, filters, start=start))
        page.run()
    except EsgDataError as exc:  # named errors become a sentence, never a stack trace
        st.error(md(str(exc)), icon=":material/error:")


if __name__ == "__main__":
    main()
