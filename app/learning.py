"""Learning from reviewers, in the app: add a commitment the extraction missed (release reader and
Review page), and compare a model retrained on the reviews with the shipped one (Quality tab),
where an admin switches the store to it.

Every write is a callback making one data-layer call (review.add_commitment, learning.retrain,
learning.switch); the data layer checks the role and writes the audit row.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app import auth, state
from app.charts import theme_label
from app.safe import md
from app.state import Source
from esgdata import config, learning, review, users
from esgdata.errors import EsgDataError, PermissionDenied
from esgdata.extraction import lexicon, model
from esgdata.models import KINDS

FLASH_KEY = "_lr_flash"
SENTENCE_KEY = "lr_add_sentence"


def _flash(kind: str, message: str) -> None:
    st.session_state[FLASH_KEY] = (kind, message)


def _show_flash() -> None:
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        kind, message = flash
        (st.success if kind == "success" else st.error)(md(message))


def _person(src: Source, role: str) -> users.User | None:
    user = auth.current_user()
    if user is None:
        return None
    try:
        return users.require(user, role, src.engine)
    except PermissionDenied:
        return None


def _add(url: str, source_file: str, text: str, key: str) -> None:
    """Form callback: the chosen sentence, with the form's values, as a reviewer-added commitment."""
    ss = st.session_state
    years = str(ss.get(f"{key}_years") or "").replace(",", " ").replace(";", " ").split()
    try:
        review.add_commitment(
            state.engine(url),
            auth.current_user(),
            source_file,
            text,
            kind=str(ss.get(f"{key}_kind")),
            themes=list(ss.get(f"{key}_themes") or []),
            target_years=years,
            speaker=str(ss.get(f"{key}_speaker") or ""),
            comment=str(ss.get(f"{key}_comment") or ""),
        )
    except (EsgDataError, PermissionDenied) as exc:
        _flash("error", f"Not added: {exc}")
        return
    state.clear()
    ss.pop(SENTENCE_KEY, None)
    _flash("success", "Added as a commitment (reviewer-added, accepted by you); it is highlighted above.")


def render_add_missed(src: Source, source_file: str) -> None:
    """'Add as a commitment': pick a sentence the extraction left out, set its fields, save."""
    _show_flash()
    if _person(src, "reviewer") is None:
        st.caption("Sign in as a reviewer to add a commitment the extraction missed.")
        return
    with st.expander("Add a commitment the extraction missed", icon=":material/add_circle:"):
        candidates = state.missed(src.url, src.revision, source_file)
        if not candidates:
            st.caption("Every sentence of this release is a commitment already.")
            return
        index = st.selectbox(
            "Sentence",
            range(len(candidates)),
            format_func=lambda i: candidates[i]["text"],
            key=SENTENCE_KEY,
            help="The sentences of this release that are not commitments yet.",
        )
        chosen: dict[str, Any] = candidates[int(index or 0)]
        key = f"lr_add_{chosen['start']}"  # fresh widgets, with fresh suggestions, per sentence
        with st.form(key=f"{key}_form", border=False):
            cols = st.columns(2)
            cols[0].selectbox("Kind", KINDS, index=KINDS.index(chosen["kind"]), key=f"{key}_kind")
            cols[1].text_input(
                "Target years",
                value=" ".join(str(y) for y in chosen["target_years"]),
                key=f"{key}_years",
                placeholder="e.g. 2030 2060",
            )
            st.multiselect(
                "Themes",
                lexicon.THEME_IDS,
                default=list(chosen["themes"]),
                format_func=theme_label,
                key=f"{key}_themes",
            )
            cols = st.columns(2)
            cols[0].text_input("Speaker", key=f"{key}_speaker", placeholder="who said it, if anyone")
            cols[1].text_input("Reviewer's note", key=f"{key}_comment")
            st.form_submit_button(
                "Add as a commitment",
                icon=":material/add:",
                on_click=_add,
                args=(src.url, source_file, chosen["text"], key),
            )


# ---------------------------------------------------------------- retrained models


def _retrain(url: str, language: str) -> None:
    try:
        with st.spinner("Training on the labelled releases and this store's reviews…"):
            result = learning.retrain(
                state.engine(url), auth.current_user(), language, config.load_config().training_dir
            )
    except (EsgDataError, PermissionDenied) as exc:
        _flash("error", f"Not retrained: {exc}")
        return
    state.clear()
    _flash(
        "success", f"Model {result['name']} trained and kept; it is not in use until an admin switches to it."
    )


def _switch(url: str, language: str, key: str) -> None:
    name = st.session_state.get(key)
    try:
        with st.spinner("Switching and extracting the releases again…"):
            done = learning.switch(
                state.engine(url), auth.current_user(), language, None if name == "shipped" else str(name)
            )
    except (EsgDataError, PermissionDenied) as exc:
        _flash("error", f"Not switched: {exc}")
        return
    state.clear()
    _flash("success", f"The store now uses {name} for {language}; {done} releases extracted again.")


def _figures_table(rows: list[dict[str, Any]], language: str) -> pd.DataFrame:
    """Held-out figures side by side: the shipped model, then every retrained one."""
    keys = ("commitment_f1", "commitment_precision", "commitment_recall", "kind_accuracy", "theme_f1")
    shipped_cv = model.shipped(language).meta.get("cross_validation", {})
    table: dict[str, dict[str, Any]] = {}
    for row in rows:
        figures = row["figures"]
        if "held_out_shipped" in figures and "shipped" not in table:
            table["shipped"] = {k: figures["held_out_shipped"].get(k) for k in keys}
            table["shipped"]["grouped CV F1"] = shipped_cv.get("commitment_f1")
        name = f"{row['name']}{' (in use)' if row['active'] else ''}"
        table[name] = {k: figures.get("held_out", {}).get(k) for k in keys}
        table[name]["grouped CV F1"] = figures.get("cross_validation", {}).get("commitment_f1")
    return pd.DataFrame(table).T.rename_axis("model").reset_index()


def render_models(src: Source) -> None:
    """The shipped and the retrained decision models, measured on the same held-out releases."""
    _show_flash()
    st.subheader("Decision model")
    st.caption(
        "Reviews are labels: accepted, corrected and added commitments teach what a commitment is, "
        "rejected ones what it is not. A model retrained on them is measured on the held-out "
        "releases (organisations no model was trained on) beside the shipped one."
    )
    rows = state.models(src.url, src.revision)
    reviewer = _person(src, "reviewer")
    admin = _person(src, "admin")
    for language in ("en", "zh"):
        mine = [r for r in rows if r["language"] == language]
        label = {"en": "English", "zh": "Chinese"}[language]
        if mine:
            st.markdown(f"**{label}**")
            st.dataframe(
                _figures_table(mine, language),
                hide_index=True,
                width="stretch",
                key=f"lr_models_{language}",
            )
        else:
            st.caption(f"{label}: the shipped model; none has been retrained on this store's reviews.")
        cols = st.columns(2)
        if reviewer is not None:
            cols[0].button(
                f"Retrain the {label} model from the reviews",
                key=f"lr_retrain_{language}",
                icon=":material/model_training:",
                on_click=_retrain,
                args=(src.url, language),
            )
        if admin is not None and mine:
            key = f"lr_use_{language}"
            in_use = next((r["name"] for r in mine if r["active"]), "shipped")
            options = ["shipped", *(r["name"] for r in mine)]
            with cols[1].form(key=f"{key}_form", border=False):
                st.selectbox("Model in use", options, index=options.index(in_use), key=key)
                st.form_submit_button(
                    "Switch and extract again",
                    icon=":material/swap_horiz:",
                    on_click=_switch,
                    args=(src.url, language, key),
                )
