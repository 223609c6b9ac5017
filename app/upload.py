"""Upload: drop release files; each is stored and ingested, each failure named with its reason.

Reviewers and admins only: a file named like a stored release replaces it (its reviews may go
stale), so the data layer refuses anyone else (ingest.ingest_upload checks the role) and the
form is only offered to those who may use it.
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from app import auth, state
from app.safe import md
from esgdata import config, ingest, readers, users
from esgdata.errors import PermissionDenied
from esgdata.models import Failure

UPLOAD_CEILING_MB = 200  # what the browser may send at all (Streamlit's own default)
FILES_KEY = "up_files"
RESULT_KEY = "_up_result"


def _ingest_files() -> None:
    """Form callback: ingest every uploaded file, one release per transaction, then clear the caches."""
    files = st.session_state.get(FILES_KEY) or []
    cfg = config.load_config()
    engine = state.engine(cfg.db_url)
    result: dict[str, Any] = {
        "added": 0,
        "updated": 0,
        "unchanged": 0,
        "commitments": 0,
        "stale": 0,
        "orphaned": 0,
        "restored": 0,
        "failed": [],
        "names": [],
        "renamed": [],
    }
    bar = st.progress(0.0, text="Reading the files…")
    for i, file in enumerate(files, start=1):
        bar.progress(i / max(len(files), 1), text=md(f"{i}/{len(files)} {file.name}"))
        try:
            report = ingest.ingest_upload(
                engine,
                auth.current_user(),
                file.name,
                file.getvalue(),
                data_dir=cfg.data_dir,
                max_bytes=cfg.max_file_bytes,
            )
        except PermissionDenied as exc:  # signed out or lost the role meanwhile: nothing was stored
            report = ingest.IngestReport(failed=[Failure(file.name, f"not stored: {exc}")])
        except Exception as exc:  # a store error on one file must not lose the others' results
            report = ingest.IngestReport(failed=[Failure(file.name, f"could not be stored: {exc}")])
        for field in ("added", "updated", "unchanged", "commitments", "stale", "orphaned", "restored"):
            result[field] += getattr(report, field)
        # Report the name the user gave, not the path it was kept under.
        result["failed"] += [(file.name, f.reason) for f in report.failed]
        if not report.failed:
            result["names"].append(file.name)
            kept = ingest.safe_upload_name(file.name)
            if kept != file.name:
                result["renamed"].append((file.name, kept))
    bar.empty()
    if result["added"] or result["updated"]:
        state.clear()
    st.session_state[RESULT_KEY] = result


def _show_result(result: dict[str, Any]) -> None:
    done = result["added"] + result["updated"] + result["unchanged"]
    if done:
        names = ", ".join(md(n) for n in result["names"])
        st.success(
            f"{done} file(s) read ({names}): {result['added']} new, {result['updated']} updated, "
            f"{result['unchanged']} unchanged; {result['commitments']} commitments found.",
            icon=":material/check_circle:",
        )
    for given, kept in result.get("renamed", []):
        st.info(f"**{md(given)}** was kept as **{md(kept)}** (a safe file name).", icon=":material/edit:")
    reviews = ingest.IngestReport(
        stale=result["stale"], orphaned=result["orphaned"], restored=result["restored"]
    ).reviews_line()
    if reviews:
        st.warning(
            f"Reviews: {md(reviews)}. The Review page puts stale ones first and lists orphaned ones.",
            icon=":material/rate_review:",
        )
    for name, reason in result["failed"]:
        st.error(f"**{md(name)}**: {md(reason)}", icon=":material/error:")


def render_upload(src: state.Source, filters: object) -> None:
    """File drop (txt, md, html, pdf, docx) with a size limit; results per file (a section of Sources)."""
    st.subheader("Upload release files")
    cfg = config.load_config()
    limit = config.format_mb(cfg.max_file_bytes)
    types = sorted({ext.lstrip(".") for ext in readers.FORMATS})
    st.markdown(
        f"Press releases in English or Chinese as **{', '.join(types)}**, up to **{limit}** each "
        "(1 MB = 1,000,000 bytes; `ESGDATA_MAX_FILE_MB`). A larger file is refused, with the reason, "
        "when you press Ingest. Each file becomes one release; a file with the name of a stored "
        "release replaces it."
    )
    user = auth.current_user()
    try:
        users.require(user, "reviewer", src.engine)
    except PermissionDenied:
        who = f"You are signed in as {md(user.name)}, a {md(user.role)}. " if user else ""
        st.info(
            f"{who}Uploading needs a **reviewer** or **admin** account: a file named like a stored "
            "release replaces it. Sign in (in the sidebar) as one, or ask an admin for the role.",
            icon=":material/lock:",
        )
        st.session_state.pop(RESULT_KEY, None)
        return
    with st.form("up_form", clear_on_submit=True):
        st.file_uploader(
            "Release files",
            type=types,
            accept_multiple_files=True,
            key=FILES_KEY,
            # The widget lets a larger file through so the refusal is said in words, not a red icon.
            max_upload_size=max(UPLOAD_CEILING_MB, 2 * math.ceil(cfg.max_file_bytes / config.MB)),
        )
        st.form_submit_button("Ingest", key="up_submit", on_click=_ingest_files, icon=":material/upload:")
    result = st.session_state.get(RESULT_KEY)
    if result:
        _show_result(result)
    totals = state.counts(src.url, src.revision)
    st.caption(f"The store holds {totals['releases']:,} releases and {totals['commitments']:,} commitments.")
