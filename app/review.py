"""Review page: the queue of the filtered commitments, one at a time with its passage and evidence
(accept, reject, needs follow-up, skip, correct), bulk accept, progress, measured quality, audit log.

Every write is a button or form callback making one data-layer call (review.review, one
transaction; or review.bulk_accept), then clearing the caches. The data layer checks the role
and the version the reviewer saw on every call: a second reviewer's save is refused with what
the first one saved, never overwritten. Nothing here edits or deletes the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import pandas as pd
import streamlit as st

from app import auth, common, learning, state, tables
from app.charts import theme_label
from app.commitments import render_detail
from app.safe import md, wording_diff_html
from app.state import Source
from esgdata import export, review, users
from esgdata.analysis import query
from esgdata.errors import ConflictError, EsgDataError, PermissionDenied
from esgdata.models import KINDS

REVIEWER_TABS = ("Queue", "Progress", "Quality", "Audit log")
VIEWER_TABS = ("Progress", "Quality", "Audit log")
TAB_KEY = "rv_tab"
VIEWER_TAB_KEY = "rv_tab_viewer"
PASSED_KEY = "_rv_passed"  # ids skipped or saved in this session: the queue moves past them
PIN_KEY = "_rv_pin"  # the commitment a conflict was about: it stays in front until acted on
FLASH_KEY = "_rv_flash"  # (kind, message) of the last action, shown once
LOADED_KEY = "_rv_loaded"  # (id, version) whose values the correction widgets hold
CONFLICT_KEY = "_rv_conflict"  # the other reviewer's saved review, shown beside the unsaved form
FIELD_KEYS = {
    "kind": "rv_kind",
    "themes": "rv_themes",
    "target_years": "rv_years",
    "speaker": "rv_speaker",
    "organization": "rv_org",
}
COMMENT_KEY = "rv_comment"  # saved with Accept, Reject and Needs follow-up
FIX_COMMENT_KEY = "rv_fix_comment"  # saved with a correction
BULK_CONFIRM_KEY = "rv_bulk_confirm"
AUDIT_LIMIT = 1000  # audit rows drawn in the table; the CSV holds every matching row
ACTIONS: tuple[tuple[str, str, str, str, str], ...] = (
    # label, status, widget key, icon, keyboard shortcut ("R" is Streamlit's own rerun key)
    ("Accept", "accepted", "rv_accept", ":material/check:", "A"),
    ("Reject", "rejected", "rv_reject", ":material/close:", "X"),
    ("Needs follow-up", "needs follow-up", "rv_follow_up", ":material/flag:", "F"),
)
SKIP_SHORTCUT = "N"


# ---------------------------------------------------------------- callbacks: the only writes


def _flash(kind: str, message: str) -> None:
    st.session_state[FLASH_KEY] = (kind, message)


def _pass(commitment_id: str) -> None:
    passed = list(st.session_state.get(PASSED_KEY, []))
    st.session_state[PASSED_KEY] = [*passed, commitment_id]
    st.session_state.pop(PIN_KEY, None)
    st.session_state.pop(CONFLICT_KEY, None)


def _save(
    url: str,
    commitment_id: str,
    version: int,
    status: str,
    corrections: Mapping[str, Any],
    comment_key: str,
) -> None:
    """One review.review call against the version the reviewer saw; then the caches are cleared."""
    comment = st.session_state.get(comment_key)
    try:
        saved = review.review(
            state.engine(url),
            auth.current_user(),
            commitment_id,
            status=status,
            expected_version=version,
            comment=None if comment is None else str(comment).strip(),
            **corrections,
        )
    except ConflictError as exc:  # someone saved first: say what they saved, keep their review
        _flash("error", f"Not saved, nothing was overwritten: {exc}")
        st.session_state[PIN_KEY] = commitment_id
        # The form keeps this reviewer's unsaved values (they are not reloaded for the version the
        # other person saved); the other person's values are shown beside it.
        st.session_state[CONFLICT_KEY] = dict(exc.current)
        st.session_state[LOADED_KEY] = (commitment_id, int(exc.current.get("version") or 0))
        state.clear()
        return
    except PermissionDenied as exc:
        _flash("error", f"Not saved: {exc}")
        return
    except EsgDataError as exc:  # a bad value: the store is unchanged
        _flash("error", f"Not saved: {exc}")
        return
    state.clear()
    _pass(commitment_id)
    _flash("success", f"Saved as {saved['status']} (review version {saved['version']}).")


def _correct(url: str, commitment_id: str, version: int) -> None:
    """Correct form callback: the form's values as corrections (unchanged ones are no correction)."""
    ss = st.session_state
    years = str(ss.get(FIELD_KEYS["target_years"]) or "").replace(",", " ").replace(";", " ").split()
    corrections = {
        "kind": ss.get(FIELD_KEYS["kind"]),
        "themes": list(ss.get(FIELD_KEYS["themes"]) or []),
        "target_years": years,
        "speaker": str(ss.get(FIELD_KEYS["speaker"]) or ""),
        "organization": str(ss.get(FIELD_KEYS["organization"]) or ""),
    }
    # "accepted" with a value that differs from the extraction is saved as "corrected".
    _save(url, commitment_id, version, "accepted", corrections, FIX_COMMENT_KEY)


def _skip(commitment_id: str) -> None:
    _pass(commitment_id)


def _restart() -> None:
    st.session_state.pop(PASSED_KEY, None)
    st.session_state.pop(PIN_KEY, None)


def _bulk_accept(url: str, ids: Sequence[str]) -> None:
    """Accept every unreviewed commitment among ``ids`` (review.bulk_accept), once confirmed."""
    if not st.session_state.get(BULK_CONFIRM_KEY):
        _flash("error", "Tick the confirmation first.")
        return
    try:
        accepted, skipped = review.bulk_accept(state.engine(url), auth.current_user(), ids)
    except EsgDataError as exc:
        _flash("error", f"Nothing accepted: {exc}")
        return
    state.clear()
    st.session_state[BULK_CONFIRM_KEY] = False
    note = (
        f"; {len(skipped):,} had been reviewed by someone else meanwhile and were left as they are"
        if skipped
        else ""
    )
    _flash("success", f"Accepted {accepted:,} commitments{note}.")


# ---------------------------------------------------------------- the queue


def _cells(value: object) -> list[str]:
    return [v for v in str(value).split(";") if v]


def _load_fields(row: pd.Series, current: Mapping[str, Any], loaded: tuple[str, int]) -> None:
    """Put the commitment's shown (reviewed) values into the form's widgets, before they are drawn."""
    ss = st.session_state
    ss[FIELD_KEYS["kind"]] = str(row["kind"]) if str(row["kind"]) in KINDS else KINDS[0]
    ss[FIELD_KEYS["themes"]] = _cells(row["themes"])
    ss[FIELD_KEYS["target_years"]] = ", ".join(_cells(row["target_years"]))
    ss[FIELD_KEYS["speaker"]] = str(row["speaker"])
    ss[FIELD_KEYS["organization"]] = str(row["organization"])
    ss[COMMENT_KEY] = ss[FIX_COMMENT_KEY] = str(current.get("comment") or "")
    ss[LOADED_KEY] = loaded


def _shown_values(row: pd.Series) -> dict[str, Any]:
    """The values on screen, kept by Accept, Reject and Needs follow-up (so no correction is lost)."""
    return {f: str(row[f]) for f in review.CORRECTABLE}


def _readable(field: str, value: object) -> str:
    if field == "themes":
        return ", ".join(theme_label(t) for t in _cells(value)) or "none"
    return str(value or "") or "none"


def _values_line(values: Mapping[str, Any]) -> str:
    return "; ".join(
        f"{f.replace('_', ' ')}: {md(_readable(f, values.get(f)))}" for f in review.CORRECTABLE if f in values
    )


def _stale_wording(current: Mapping[str, Any], row: pd.Series) -> None:
    """A stale review: the wording it approved beside today's, the difference marked, and the values
    it approved."""
    pieces = review.wording_diff(str(current.get("reviewed_text") or ""), str(row["text"]))
    left, right = st.columns(2)
    for col, side, title in ((left, "old", "Reviewed wording"), (right, "new", "Current wording")):
        with col, st.container(border=True, key=f"rv_wording_{side}"):
            st.markdown(f"**{title}**")
            marked = wording_diff_html(pieces, side)
            st.markdown(
                f'<div class="esg-diff-{side}" style="line-height:1.7">{marked}</div>', unsafe_allow_html=True
            )
    approved = review.approved_values(dict(current))
    if approved:
        st.markdown("**Values approved with the reviewed wording:** " + _values_line(approved))
    else:
        st.caption("The values approved with the old wording were not kept (reviewed before they were).")


def _status_line(current: Mapping[str, Any], originals: Mapping[str, Any] | None, row: pd.Series) -> None:
    status = str(current.get("status") or "unreviewed")
    parts = [f"Review status **{md(status)}**"]
    if current.get("stale"):
        parts.append("**stale**: the release was re-read and this wording changed since it was reviewed")
    if current.get("reviewed_by"):
        at = current.get("reviewed_at")
        when = export.timestamp(at, seconds=False) if isinstance(at, dt.datetime) else ""
        parts.append(f"last saved by {md(current['reviewed_by'])} {md(when)}")
    st.markdown(" · ".join(parts))
    if current.get("stale"):
        _stale_wording(current, row)
    if current.get("comment"):
        st.markdown(f"**Comment:** {md(current['comment'])}")
    fixed = [f for f in review.CORRECTABLE if current.get(f) is not None]
    if fixed and originals:
        changes = []
        for f in fixed:
            old, new = str(originals.get(f"original_{f}") or ""), str(current[f] or "")
            if f == "themes":
                old = ", ".join(theme_label(t) for t in _cells(old)) or "none"
                new = ", ".join(theme_label(t) for t in _cells(new)) or "none"
            changes.append(f"{f.replace('_', ' ')}: {md(old or 'none')} → {md(new or 'none')}")
        st.markdown("**Corrected** (extracted → reviewed): " + "; ".join(changes))


def _conflict(cid: str) -> None:
    """After a refused save: what the other reviewer saved, beside this reviewer's unsaved values."""
    other = st.session_state.get(CONFLICT_KEY)
    if not other or other.get("commitment_id") != cid:
        return
    ss = st.session_state
    mine = {
        "kind": ss.get(FIELD_KEYS["kind"]),
        "themes": ";".join(ss.get(FIELD_KEYS["themes"]) or []),
        "target_years": ";".join(str(ss.get(FIELD_KEYS["target_years"]) or "").replace(",", " ").split()),
        "speaker": ss.get(FIELD_KEYS["speaker"]),
        "organization": ss.get(FIELD_KEYS["organization"]),
    }
    at = other.get("reviewed_at")
    when = export.timestamp(at, seconds=False) if isinstance(at, dt.datetime) else ""
    theirs = review.approved_values(other) or {f: other.get(f) or "" for f in review.CORRECTABLE}
    left, right = st.columns(2)
    with left, st.container(border=True, key="rv_conflict_theirs"):
        st.markdown(
            f"**Saved meanwhile by {md(other.get('reviewed_by') or 'someone')}** {md(when)} as "
            f"**{md(other.get('status') or '')}**"
        )
        st.markdown(_values_line(theirs))
        if other.get("comment"):
            st.markdown(f"Comment: {md(other['comment'])}")
    with right, st.container(border=True, key="rv_conflict_mine"):
        st.markdown("**Your values, not saved** (still in the form below: save them again to replace theirs)")
        st.markdown(_values_line(mine))


def _controls(src: Source, row: pd.Series, version: int) -> None:
    cid = str(row["id"])
    st.text_input(
        "Comment (saved with Accept, Reject or Needs follow-up)",
        key=COMMENT_KEY,
        placeholder="Why, or what to follow up",
    )
    cols = st.columns(len(ACTIONS) + 1)
    for col, (label, status, key, icon, shortcut) in zip(cols, ACTIONS, strict=False):
        col.button(
            label,
            key=key,
            icon=icon,
            shortcut=shortcut,
            type="primary" if status == "accepted" else "secondary",
            on_click=_save,
            args=(src.url, cid, version, status, _shown_values(row), COMMENT_KEY),
            width="stretch",
        )
    cols[-1].button(
        "Skip",
        key="rv_skip",
        icon=":material/skip_next:",
        shortcut=SKIP_SHORTCUT,
        on_click=_skip,
        args=(cid,),
        width="stretch",
    )
    with st.form("rv_fix_form", border=True):
        st.markdown("**Correct** what the extraction got wrong")
        left, right = st.columns(2)
        left.selectbox("Kind", list(KINDS), key=FIELD_KEYS["kind"])
        right.text_input("Target years", key=FIELD_KEYS["target_years"], placeholder="2030, 2060")
        st.multiselect(
            "Themes", list(query.theme_labels()), key=FIELD_KEYS["themes"], format_func=theme_label
        )
        left, right = st.columns(2)
        left.text_input("Speaker", key=FIELD_KEYS["speaker"])
        right.text_input("Organisation", key=FIELD_KEYS["organization"])
        st.text_area("Comment", key=FIX_COMMENT_KEY, height=68)
        st.form_submit_button(
            "Save correction",
            key="rv_fix_submit",
            icon=":material/edit:",
            on_click=_correct,
            args=(src.url, cid, version),
        )


def _bulk(src: Source, view: pd.DataFrame) -> None:
    ids = view.loc[(view[query.REVIEW_COLUMN] == "unreviewed").to_numpy(dtype=bool), "id"].astype(str)
    with st.expander(
        f"Bulk accept the {len(ids):,} unreviewed commitments in view", icon=":material/done_all:"
    ):
        st.caption(
            "Accepts them as extracted, one review each (audited). Commitments someone reviews "
            "meanwhile are left as they are. Narrow the filters in the sidebar to choose them."
        )
        confirmed = st.checkbox(
            f"I have checked these {len(ids):,} commitments: accept them all",
            key=BULK_CONFIRM_KEY,
            disabled=ids.empty,
        )
        st.button(
            f"Accept {len(ids):,} commitments",
            key="rv_bulk",
            icon=":material/done_all:",
            disabled=not confirmed or ids.empty,
            on_click=_bulk_accept,
            args=(src.url, ids.tolist()),
        )


def render_queue(src: Source, filters: query.Filters, view: pd.DataFrame) -> None:
    """One commitment at a time, in queue order, with the controls to review it."""
    order = state.review_queue(src.url, src.revision, filters, view)
    stale = int((view["review_stale"] == "yes").sum())
    unreviewed = int((view[query.REVIEW_COLUMN] == "unreviewed").sum())
    follow_up = int((view[query.REVIEW_COLUMN] == "needs follow-up").sum())
    st.caption(
        f"{len(order):,} to review in view: {stale:,} stale, {unreviewed:,} unreviewed, "
        f"{follow_up:,} needing follow-up; lowest confidence first."
    )
    passed = set(st.session_state.get(PASSED_KEY, []))
    pin = st.session_state.get(PIN_KEY)
    ids = view["id"].astype(str)
    cid = pin if pin and (ids == pin).any() else next((i for i in order if i not in passed), None)
    if cid is None:
        if order:
            st.info(
                f"You went through all {len(order):,} commitments of the queue in this session.",
                icon=":material/task_alt:",
            )
            st.button("Start again from the top", key="rv_restart", on_click=_restart)
        else:
            st.success("Nothing in view is waiting for review.", icon=":material/task_alt:")
        _bulk(src, view)
        return
    row = view[(ids == cid).to_numpy(dtype=bool)].iloc[0]
    current = state.review_of(src.url, src.revision, cid) or {}
    version = int(current.get("version") or 0)
    if st.session_state.get(LOADED_KEY) != (cid, version):
        _load_fields(row, current, (cid, version))
    position = order.index(cid) + 1 if cid in order else None
    st.subheader(f"{position:,} of {len(order):,} in the queue" if position else "Reviewed meanwhile")
    st.caption(f"Commitment id {md(cid)}")
    originals = next((r for r in state.judged(src.url, src.revision) if r["id"] == cid), None)
    _status_line(current, originals, row)
    render_detail(src, row, filters, title="")
    _conflict(cid)
    _controls(src, row, version)
    learning.render_add_missed(src, str(row["source_file"]))  # missed sentences of the same release
    _bulk(src, view)


# ---------------------------------------------------------------- progress, quality, audit


def render_progress(src: Source, filters: query.Filters, view: pd.DataFrame) -> None:
    """Share of the commitments in view that someone reviewed, per organisation and per theme."""
    if view.empty:
        return
    statuses = view[query.REVIEW_COLUMN].astype(str).value_counts()
    done = len(view) - int(statuses.get("unreviewed", 0))
    cols = st.columns(3)
    cols[0].metric("Reviewed", f"{done:,} of {len(view):,}")
    cols[1].metric("Share reviewed", f"{done / len(view):.0%}")
    cols[2].metric("Stale", f"{int((view['review_stale'] == 'yes').sum()):,}")
    st.caption(
        " · ".join(f"{md(s)}: {int(statuses.get(s, 0)):,}" for s in review.STATUSES),
    )
    data = state.review_progress(src.url, src.revision, filters, view)
    share = st.column_config.ProgressColumn("share reviewed", min_value=0.0, max_value=1.0, format="percent")
    # One under the other, each the page's width: side by side, names and shares were cut.
    st.subheader("Per organisation")
    tables.show(
        data["organization"],
        key="rv_progress_org",
        wrap={"organization": 220},
        minimum={"share": 160},
        column_config={"organization": "organisation", "share": share},
    )
    st.subheader("Per theme")
    themes = data["themes"].assign(themes=data["themes"]["themes"].map(theme_label))
    tables.show(
        themes,
        key="rv_progress_theme",
        wrap={"themes": 220},
        minimum={"share": 160},
        column_config={"themes": "theme", "share": share},
    )


def _labelled(rows: list[dict[str, Any]], column: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=[column, "reviewed", "correct", "precision"])
    if column == "themes":
        frame[column] = frame[column].map(theme_label)
    return frame


def render_quality(src: Source, filters: query.Filters, view: pd.DataFrame) -> None:
    """Measured precision (accepted or corrected vs rejected) per kind, theme and organisation."""
    rows = query.select_rows(state.judged(src.url, src.revision), view["id"].astype(str))
    judged = [r for r in rows if r["review_status"] in ("accepted", "corrected", "rejected")]
    if not judged:
        st.info(
            "Nothing in view has been accepted, corrected or rejected yet: precision is measured "
            "on those reviews.",
            icon=":material/monitoring:",
        )
        return
    good = sum(r["review_status"] != "rejected" for r in judged)
    cols = st.columns(2)
    cols[0].metric("Precision of extraction", f"{good / len(judged):.0%}")
    cols[1].metric("Judged commitments", f"{len(judged):,}")
    st.caption(
        "A corrected commitment counts as a true one (its words were a commitment; a field was wrong). "
        "Grouped by what the extraction said, lowest precision first."
    )
    quality = review.quality(rows)
    precision = st.column_config.ProgressColumn("precision", min_value=0.0, max_value=1.0, format="percent")
    names = {"kind": "kind", "themes": "theme", "organization": "organisation"}
    for key in ("kind", "themes", "organization"):
        st.subheader(f"Per {names[key]}")
        tables.show(
            _labelled(quality[key], key),
            key=f"rv_quality_{key}",
            wrap={key: 220},
            minimum={"precision": 160},
            column_config={key: names[key], "precision": precision},
        )
    st.subheader("Most frequent corrections")
    fixes = pd.DataFrame(quality["corrections"], columns=["field", "extracted", "corrected", "times"])
    if fixes.empty:
        st.caption("No corrections in view yet.")
        return
    for column in ("extracted", "corrected"):
        fixes[column] = [
            ", ".join(theme_label(t) for t in _cells(v)) if f == "themes" else v
            for f, v in zip(fixes["field"], fixes[column], strict=True)
        ]
    tables.show(fixes, key="rv_quality_fixes", wrap={"extracted": 240, "corrected": 240})


def _audit_bytes(rows: list[Mapping[str, Any]]) -> bytes:
    """The audit CSV button's bytes: export.audit_csv (what `esgdata review audit` writes), UTF-8."""
    return export.audit_csv(rows).encode("utf-8")


def render_audit(src: Source) -> None:
    """The append-only audit log: who changed what, when, from which value to which; read-only."""
    everything = state.audit(src.url)
    people = sorted({str(r["actor"]) for r in everything})
    left, right = st.columns(2)
    commitment = left.text_input(
        "Commitment id", key="rv_audit_commitment", placeholder="an id, or its first characters"
    )
    user = right.selectbox("User", people, index=None, key="rv_audit_user", placeholder="Anyone")
    rows = query.audit_view(everything, commitment=commitment or "", user=user or "")
    check = state.audit_check(src.url)
    if check.ok:
        st.success(
            f"Verified: the hash chain of all {check.rows:,} entries is whole (no entry deleted or "
            "changed since it was written).",
            icon=":material/verified:",
        )
    else:
        st.error(
            f"The audit log's chain is broken at entry {check.broken_at}: {md(check.reason)}.",
            icon=":material/gpp_bad:",
        )
    st.caption(
        f"{len(rows):,} of {len(everything):,} entries, newest first. The log is append-only: "
        "nothing in this app (or the CLI) edits or deletes it."
    )
    st.download_button(
        "Download audit_log.csv",
        data=partial(_audit_bytes, rows),
        file_name=f"audit_log_{dt.date.today().isoformat()}.csv",
        mime="text/csv",
        key="rv_audit_csv",
        on_click="ignore",  # no rerun: it would race the download
        icon=":material/download:",
        disabled=not rows,
    )
    newest = list(reversed(rows[-AUDIT_LIMIT:]))
    if len(rows) > AUDIT_LIMIT:
        st.caption(f"The newest {AUDIT_LIMIT:,} are listed; the CSV holds all {len(rows):,}.")
    table = pd.DataFrame(newest, columns=list(export.AUDIT_COLUMNS)).astype(
        {c: "str" for c in export.AUDIT_COLUMNS if c not in ("id", "at")}
    )
    table["at"] = [export.timestamp(a) if isinstance(a, dt.datetime) else str(a) for a in table["at"]]
    tables.show(
        table,
        key="rv_audit_table",
        wrap={"target": 140, "old_value": 160, "new_value": 160},
        column_config={
            "id": None,
            "at": "at (UTC)",
            "old_value": "from",
            "new_value": "to",
            "prev_hash": None,
            "row_hash": None,
        },
    )


# ---------------------------------------------------------------- the page


def _review_health(src: Source) -> None:
    """Stale and orphaned reviews in the whole store, and the orphaned ones listed."""
    counts = state.review_counts(src.url, src.revision)
    if not counts["stale"] and not counts["orphaned"]:
        return
    st.warning(
        f"**{counts['stale']:,}** stale reviews (their wording changed since: first in the queue) · "
        f"**{counts['orphaned']:,}** orphaned reviews (their words are gone from the release).",
        icon=":material/history:",
    )
    if not counts["orphaned"]:
        return
    with st.expander(f"Orphaned reviews ({counts['orphaned']:,})", icon=":material/link_off:"):
        rows = state.orphaned(src.url, src.revision)
        table = pd.DataFrame(
            {
                "release": [str(r["source_file"]) for r in rows],
                "reviewed wording": [str(r["reviewed_text"]) for r in rows],
                "status": [str(r["status"]) for r in rows],
                "by": [str(r["reviewed_by"]) for r in rows],
                "at": [export.timestamp(r["reviewed_at"], seconds=False) for r in rows],
                "commitment id": [str(r["commitment_id"]) for r in rows],
            }
        )
        tables.show(table, key="rv_orphaned", wrap={"reviewed wording": 320, "release": 160})


def _reviewer(src: Source) -> users.User | None:
    """The signed-in user if they may review (checked against the store, not only the session)."""
    user = auth.current_user()
    if user is None:
        st.info(
            "Sign in as a reviewer (in the sidebar) to review commitments. Anyone can read the "
            "progress, the measured quality and the audit log below.",
            icon=":material/login:",
        )
        return None
    try:
        return users.require(user, "reviewer", src.engine)
    except PermissionDenied as exc:
        st.info(
            f"You are signed in as {md(user.name)}, who may not review ({md(exc)}). Sign in as a "
            "reviewer to review commitments; ask an admin for the role.",
            icon=":material/lock:",
        )
        return None


def render_review(src: Source, filters: query.Filters) -> None:
    """The Review page: the queue for reviewers; progress, quality and the audit log for everyone."""
    st.title("Review")
    frame = state.commitments(src.url, src.revision)
    if frame.empty:
        common.empty_store()
        return
    view = query.apply(frame, filters)
    common.summary({"in_view": len(view), "total": len(frame)}, filters)
    _review_health(src)
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        kind, message = flash
        if kind == "success":
            st.success(md(message), icon=":material/check_circle:")
        else:
            st.error(md(message), icon=":material/error:")
    reviewer = _reviewer(src)
    if view.empty:  # the audit log below does not depend on the filters
        common.no_match("rv")
    names = REVIEWER_TABS if reviewer else VIEWER_TABS
    tabs = dict(
        zip(
            names, st.tabs(names, key=TAB_KEY if reviewer else VIEWER_TAB_KEY, on_change="rerun"), strict=True
        )
    )
    # Only the open tab is computed and drawn.
    if "Queue" in tabs and tabs["Queue"].open:
        with tabs["Queue"]:
            render_queue(src, filters, view)
    if tabs["Progress"].open:
        with tabs["Progress"]:
            render_progress(src, filters, view)
    if tabs["Quality"].open:
        with tabs["Quality"]:
            render_quality(src, filters, view)
            learning.render_models(src)
    if tabs["Audit log"].open:
        with tabs["Audit log"]:
            render_audit(src)
