"""Threads page: one promise followed across releases: its statements, what changed, reported delivery.

The threads are built by the data layer (esgdata.analysis.threads) when releases are ingested; the
sidebar filters decide which threads are listed (a thread is in view when one of its
statements passes them). Selecting a thread, or opening a link with ``?thread=<id>``, shows
its statements on a timeline, the changes between them and the releases reporting it done.

Who may change threads: the user signed in through the sidebar form (app/auth.py). A
reviewer or admin sees the controls to confirm or reject a delivery link, split a statement out of its
thread and merge it into another thread. The data layer checks the role again against the
store on every write, so a session whose account was demoted or disabled meanwhile gets a
refusal, shown as an error, and nothing is written.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from app import auth, common, state, tables, thread_charts
from app.safe import md
from app.state import Source
from esgdata import store, users
from esgdata.analysis import query
from esgdata.analysis import threads as data_threads
from esgdata.analysis.threads import parse_changes
from esgdata.errors import EsgDataError
from esgdata.users import User

THREAD_PARAM = "thread"  # the thread being read, in the URL so the view can be shared
PAGE_SIZE = 100
SORTS: dict[str, tuple[list[str], list[bool]]] = {
    "Latest statement first": (["last_date", "organization", "label"], [False, True, True]),
    "Oldest promise first": (["first_date", "organization", "label"], [True, True, True]),
    "Most statements": (["statements", "last_date"], [False, False]),
    "Organisation": (["organization", "first_date", "label"], [True, True, True]),
    "Delivery status": (["_status", "last_date"], [True, False]),
}
COLUMNS = [
    "organization",
    "label",
    "delivery_status",
    "statements",
    "first_date",
    "last_date",
    "year_history",
    "id",
]
_NONCE = "_th_nonce"  # moves on after a write: the table's old selection is dropped
_LAST_PICK = "_th_last_pick"
_MESSAGE = "_th_message"
_PICK = "th_pick_"  # prefix of the statement pickers' keys
_SHORT = 80


# ---------------------------------------------------------------- pure helpers


def threads_in_view(threads: pd.DataFrame, view: pd.DataFrame) -> pd.DataFrame:
    """The threads holding at least one commitment of ``view`` (the filtered commitments)."""
    ids = set(view["thread_id"].astype(str)) - {""} if "thread_id" in view.columns else set()
    return threads[threads["id"].isin(ids)]


def with_status(threads: pd.DataFrame, statuses: tuple[str, ...]) -> pd.DataFrame:
    """The threads whose delivery status is one of ``statuses`` (all of them when none is given)."""
    return threads[threads["delivery_status"].isin(statuses)] if statuses else threads


def sort_threads(threads: pd.DataFrame, sort: str) -> pd.DataFrame:
    """The threads in the chosen order (``SORTS``); empty dates go last."""
    by, ascending = SORTS.get(sort, SORTS["Latest statement first"])
    rank = {s: i for i, s in enumerate(reversed(thread_charts.THREAD_STATUSES))}  # reported done first
    keyed = threads.assign(_status=threads["delivery_status"].map(rank).fillna(len(rank)))
    for column in ("first_date", "last_date"):
        keyed[column] = keyed[column].replace("", None)
    order = keyed[by].sort_values(by, ascending=ascending, na_position="last", kind="stable").index
    return threads.loc[order]


def display_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The thread list as people read it."""
    out = rows[COLUMNS].copy()
    out["year_history"] = out["year_history"].str.replace(" -> ", " → ", regex=False)
    return out.reset_index(drop=True)


def statements_of(frame: pd.DataFrame, thread_id: str) -> pd.DataFrame:
    """The commitments of one thread, oldest first (release date, then their place in the release)."""
    part = frame[(frame["thread_id"].astype(str) == thread_id).to_numpy(dtype=bool)]
    keys = part.assign(
        _date=part["release_date"].astype(str).replace("", "9999"),
        _file=part["source_file"].astype(str),
        _id=part["id"].astype(str),
    )
    return part.loc[keys.sort_values(["_date", "_file", "start", "_id"], kind="stable").index]


def change_sentence(change: dict[str, str], numbers: dict[str, int]) -> str:
    """One change as escaped Markdown: '2023-03-01 · **year moved**: 2030 → 2028 (statement #2)'."""
    kind, before, after = change["kind"], change["before"], change["after"]
    where = f" (statement #{numbers[change['commitment_id']]})" if change["commitment_id"] in numbers else ""
    if kind == "stopped appearing":
        what = (
            f"last said on {md(before or 'an undated release')}; the organisation's releases since "
            f"(the latest on {md(change['date'])}) do not repeat it"
        )
        return f"{md(change['date'])} · **{md(kind)}**: {what}{where}"
    if kind == "year moved":
        before, after = before.replace(";", ", "), after.replace(";", ", ")
    return f"{md(change['date'] or 'undated')} · **{md(kind)}**: {md(before)} → {md(after)}{where}"


def short(text: object, limit: int = _SHORT) -> str:
    """Text on one line, cut to ``limit`` characters (for option labels, which are plain text)."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def signed_in() -> User | None:
    """Who is signed in through the sidebar form (app/auth.py), or None."""
    return auth.current_user()


def reviewer() -> User | None:
    """The signed-in user if they may change threads (reviewer or admin), else None."""
    user = signed_in()
    if user is None or user.role not in users.ROLES:
        return None
    return user if users.ROLES.index(user.role) >= users.ROLES.index("reviewer") else None


def table_key(filters: query.Filters, sort: str, statuses: tuple[str, ...], page: int) -> str:
    """The list's key for one filter set, sort, status choice and page; a write moves it on too."""
    nonce = st.session_state.get(_NONCE, 0)
    sig = repr((sorted(query.to_query(filters).items()), sort, statuses, page, nonce)).encode("utf-8")
    return "th_table_" + hashlib.md5(sig, usedforsecurity=False).hexdigest()[:10]


# ---------------------------------------------------------------- writes (button callbacks)


def _thread_of(engine: Engine, commitment_id: str) -> str:
    return str((store.get_commitment(engine, commitment_id) or {}).get("thread_id") or "")


def _write(url: str, action: Callable[[Engine, User | None], str], done: str) -> None:
    """Run one write as the signed-in user; remember its outcome, forget cached frames, follow the thread."""
    try:
        follow = action(state.engine(url), signed_in())
    except EsgDataError as exc:  # PermissionDenied included: refused in the data layer, nothing written
        st.session_state[_MESSAGE] = ("error", str(exc))
        return
    state.clear()
    st.session_state[_MESSAGE] = ("success", done)
    if follow:
        st.query_params[THREAD_PARAM] = follow
    st.session_state[_NONCE] = st.session_state.get(_NONCE, 0) + 1
    st.session_state.pop(_LAST_PICK, None)
    for key in [k for k in st.session_state if str(k).startswith(_PICK)]:  # their options changed
        del st.session_state[key]


def _decide(url: str, thread_id: str, achievement_id: str, confirmed: bool) -> None:
    def act(engine: Engine, user: User | None) -> str:
        data_threads.decide_delivery(engine, user, thread_id, achievement_id, confirmed=confirmed)
        return thread_id

    verdict = "confirmed" if confirmed else "rejected"
    _write(url, act, f"Delivery link {verdict}.")


def _split(url: str, thread_id: str, members: tuple[str, ...]) -> None:
    picked = str(st.session_state.get(f"{_PICK}split_{thread_id}") or "")

    def act(engine: Engine, user: User | None) -> str:
        data_threads.split(engine, user, picked)
        stay = next((m for m in members if m != picked), picked)
        return _thread_of(engine, stay) or thread_id

    _write(url, act, "The statement now has a thread of its own; this thread keeps the others.")


def _merge(url: str, thread_id: str) -> None:
    moved = str(st.session_state.get(f"{_PICK}from_{thread_id}") or "")
    into = str(st.session_state.get(f"{_PICK}into_{thread_id}") or "")

    def act(engine: Engine, user: User | None) -> str:
        data_threads.merge(engine, user, moved, into)
        return _thread_of(engine, into) or thread_id

    _write(url, act, "The statement joined the other thread; showing that thread now.")


def _show_message() -> None:
    message = st.session_state.pop(_MESSAGE, None)
    if not message:
        return
    level, text = message
    if level == "error":
        st.error(md(text), icon=":material/block:")
    else:
        st.success(md(text), icon=":material/check_circle:")


# ---------------------------------------------------------------- one thread


def _statements_table(members: pd.DataFrame) -> None:
    table = pd.DataFrame(
        {
            "#": range(1, len(members) + 1),
            "date": members["release_date"].astype(str).replace("", "undated").to_numpy(),
            "language": members["language"].astype(str).to_numpy(),
            "kind": members["kind"].astype(str).to_numpy(),
            "statement": members["text"].astype(str).to_numpy(),
            "target years": members["target_years"].astype(str).str.replace(";", ", ").to_numpy(),
            "release file": members["source_file"].astype(str).to_numpy(),
        }
    )
    tables.show(table, key="th_statements", wrap={"statement": 380, "release file": 160})


def _changes(row: pd.Series, numbers: dict[str, int]) -> None:
    st.markdown("**What changed**")
    found = parse_changes(row["changes"])
    if found:
        st.markdown("\n".join(f"- {change_sentence(c, numbers)}" for c in found))
    elif len(numbers) < 2:
        st.caption("One statement so far: nothing to compare yet.")
    else:
        st.caption("The statements make the same promise in the same terms: no year or number moved.")


def _delivery(src: Source, thread_id: str, links: pd.DataFrame, user: User | None) -> None:
    st.markdown("**Reported delivery**")
    if links.empty:
        st.caption(
            "No later release of this organisation reports this promise done yet. When one does "
            "(“has achieved”, “completed”, 已实现, 提前完成), it is linked here on ingest."
        )
        return
    st.caption("Rejected links stay listed but no longer count as delivery.")
    for link in links.itertuples(index=False):
        aid, status = str(link.achievement_id), str(link.status)
        with st.container(border=True):
            st.markdown(f"“{md(link.text)}”")
            st.caption(
                " · ".join(
                    [
                        md(link.source_file or "unknown release"),
                        md(link.release_date or "undated"),
                        f"score {float(link.score):.2f}",
                        f"status **{md(status)}**",
                    ]
                )
            )
            if user is not None:
                left, right, _ = st.columns([1, 1, 3])
                left.button(
                    "Confirm delivery",
                    key=f"th_confirm_{thread_id}_{aid}",
                    icon=":material/task_alt:",
                    on_click=_decide,
                    args=(src.url, thread_id, aid, True),
                    disabled=status == "confirmed",
                )
                right.button(
                    "Reject delivery",
                    key=f"th_reject_{thread_id}_{aid}",
                    icon=":material/cancel:",
                    on_click=_decide,
                    args=(src.url, thread_id, aid, False),
                    disabled=status == "rejected",
                )


def _review_controls(
    src: Source, thread_id: str, members: pd.DataFrame, frame: pd.DataFrame, labels: dict[str, str]
) -> None:
    st.markdown("**Change this thread**")
    ids = [str(i) for i in members["id"]]
    names = {
        str(cid): f"#{n} · {date or 'undated'} · {short(text)}"
        for n, (cid, date, text) in enumerate(
            zip(members["id"], members["release_date"].astype(str), members["text"], strict=True), start=1
        )
    }
    left, right = st.columns(2)
    with left:
        if len(ids) > 1:
            st.selectbox(
                "Split out a statement that makes another promise",
                ids,
                key=f"{_PICK}split_{thread_id}",
                format_func=lambda cid: names.get(cid, cid),
            )
            st.button(
                "Split out",
                key=f"th_split_go_{thread_id}",
                icon=":material/call_split:",
                on_click=_split,
                args=(src.url, thread_id, tuple(ids)),
            )
        else:
            st.caption("A thread of one statement has nothing to split.")
    org = members["organization"].astype(str).iloc[0]
    others = frame[
        (frame["organization"].astype(str) == org).to_numpy(dtype=bool)
        & ~frame["thread_id"].astype(str).isin(["", thread_id]).to_numpy(dtype=bool)
    ]
    with right:
        if others.empty:
            st.caption("This organisation has no other thread to merge with.")
            return
        others = others.sort_values(["thread_id", "release_date"], kind="stable")
        targets = {
            str(cid): f"{labels.get(str(tid), str(tid))} · {date or 'undated'} · {short(text)}"
            for cid, tid, date, text in zip(
                others["id"],
                others["thread_id"].astype(str),
                others["release_date"].astype(str),
                others["text"],
                strict=True,
            )
        }
        st.selectbox(
            "Merge a statement of this thread…",
            ids,
            key=f"{_PICK}from_{thread_id}",
            format_func=lambda cid: names.get(cid, cid),
        )
        st.selectbox(
            "…into the thread of this statement (same organisation)",
            list(targets),
            key=f"{_PICK}into_{thread_id}",
            format_func=lambda cid: targets.get(cid, cid),
        )
        st.button(
            "Merge",
            key=f"th_merge_go_{thread_id}",
            icon=":material/merge:",
            on_click=_merge,
            args=(src.url, thread_id),
        )


def render_thread(src: Source, thread_id: str, frame: pd.DataFrame, threads: pd.DataFrame) -> None:
    """One thread: its statements on a timeline, what changed between them, reported delivery, review."""
    found = threads[threads["id"] == thread_id]
    if found.empty:
        st.warning(
            f"Thread {md(thread_id)} is not in the store any more: a reviewer may have split or merged it, "
            "or its releases were removed. Pick another thread above.",
            icon=":material/link_off:",
        )
        return
    row = found.iloc[0]
    members = statements_of(frame, thread_id)
    links = state.deliveries(src.url, src.revision)
    links = links[links["thread_id"] == thread_id]
    st.subheader(f"{md(row['organization'] or 'unknown organisation')} · {md(row['label'])}")
    st.caption(
        f"{int(row['statements'])} statement(s) · first {md(row['first_date'] or 'undated')} · "
        f"last {md(row['last_date'] or 'undated')} · **{md(row['delivery_status'])}** · "
        f"thread {md(thread_id)}"
    )
    if row["year_history"]:
        st.markdown("**Target years:** " + md(str(row["year_history"]).replace(" -> ", " → ")))
    if members.empty:
        st.info("The statements of this thread are not in view: reload the page after the next ingest.")
        return
    numbers = {str(cid): n for n, cid in enumerate(members["id"], start=1)}
    title = thread_charts.thread_title(str(row["organization"]), str(row["label"]))
    st.plotly_chart(
        thread_charts.build_thread_timeline_figure(members, links, title=title),
        key="th_timeline",
        width="stretch",
        config={"displaylogo": False},
    )
    if members["release_day"].isna().any():
        st.caption("Undated statements are listed below but have no place on the timeline.")
    _statements_table(members)
    _changes(row, numbers)
    user = reviewer()
    _delivery(src, thread_id, links, user)
    if user is None:
        st.info(
            "Reviewers can change threads: merge and split them, and confirm or reject a delivery link. "
            "Sign in with a reviewer account to do so.",
            icon=":material/lock:",
        )
        return
    labels = dict(zip(threads["id"].astype(str), threads["label"].astype(str), strict=True))
    _review_controls(src, thread_id, members, frame, labels)


# ---------------------------------------------------------------- the page


def render_threads(src: Source, filters: query.Filters) -> None:
    """Threads of the commitments in view, sortable; the selected one with its timeline, changes, delivery."""
    st.title("Threads")
    st.caption(
        "A thread follows one promise of an organisation across its releases, in English and Chinese: "
        "promised → repeated → reported done."
    )
    _show_message()
    frame = state.commitments(src.url, src.revision)
    all_threads = state.threads(src.url, src.revision)
    if frame.empty and all_threads.empty:
        common.empty_store()
        return
    if all_threads.empty:
        st.info(
            "No threads yet. Ingest builds them for the organisations it reads; for commitments stored "
            "another way, run `esgdata threads rebuild` and reload.",
            icon=":material/conversion_path:",
        )
        return
    opened = st.query_params.get(THREAD_PARAM)
    view = query.apply(frame, filters)
    in_view = threads_in_view(all_threads, view)
    if in_view.empty:
        if view.empty:
            common.no_match("th")
        else:
            st.info(
                f"None of the {len(view):,} commitments in view belongs to a thread. Widen the filters, "
                "or run `esgdata threads rebuild` if commitments were stored without ingest.",
                icon=":material/filter_alt_off:",
            )
    else:
        _thread_list(src, filters, in_view, len(all_threads))
        opened = st.query_params.get(THREAD_PARAM)
    if opened:
        st.divider()
        render_thread(src, str(opened), frame, all_threads)
    elif not in_view.empty:
        st.caption(
            "Select a thread (the box at its left) to see its statements, what changed and its delivery."
        )


def _org_filter(selected: list[dict[str, Any]]) -> dict[str, Any]:
    return {"organizations": tuple(common.custom(selected, 0))}


def _thread_list(src: Source, filters: query.Filters, in_view: pd.DataFrame, total: int) -> None:
    counts = in_view["delivery_status"].value_counts()
    cols = st.columns(4)
    cols[0].metric("Threads", f"{len(in_view):,}")
    for col, status in zip(cols[1:], reversed(thread_charts.THREAD_STATUSES), strict=True):
        col.metric(status.capitalize(), f"{int(counts.get(status, 0)):,}")
    common.selectable_chart(thread_charts.build_thread_status_figure(in_view), "th_status_chart", _org_filter)
    left, mid, right = st.columns([2, 2, 1])
    sort = left.selectbox("Sort", list(SORTS), key="th_sort")
    statuses = tuple(
        mid.multiselect(
            "Delivery status", list(thread_charts.THREAD_STATUSES), key="th_status", placeholder="Any status"
        )
    )
    listed = sort_threads(with_status(in_view, statuses), sort)
    pages = max(1, math.ceil(len(listed) / PAGE_SIZE))
    if st.session_state.get("th_page", 1) > pages:
        st.session_state["th_page"] = 1
    page = int(
        right.number_input(
            "Page", min_value=1, max_value=pages, step=1, key="th_page", help=f"{pages:,} pages"
        )
    )
    st.caption(f"**{len(listed):,}** of {total:,} threads")
    if listed.empty:
        st.info(
            "No thread has these delivery statuses; clear the status choice.",
            icon=":material/filter_alt_off:",
        )
        return
    rows = listed.iloc[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    event = tables.show(
        display_frame(rows),
        key=table_key(filters, sort, statuses, page),
        on_select="rerun",
        selection_mode="single-row",
        wrap={"organization": 100, "label": 190, "year_history": 110, "delivery_status": 80},
        column_config={
            "organization": st.column_config.TextColumn("organisation"),
            "label": st.column_config.TextColumn("thread"),
            "first_date": st.column_config.TextColumn("first"),
            "last_date": st.column_config.TextColumn("last"),
            "year_history": st.column_config.TextColumn("target years over time"),
            "delivery_status": st.column_config.TextColumn("delivery"),
            "id": st.column_config.TextColumn("id", help="thread id"),
            "statements": st.column_config.NumberColumn("said", help="statements in the thread"),
        },
    )
    picked = common.rows(event)
    if picked and 0 <= picked[0] < len(rows):
        chosen = str(rows.iloc[picked[0]]["id"])
        # Only a new selection opens a thread; a lingering one must not undo a link's or a write's choice.
        if chosen != st.session_state.get(_LAST_PICK):
            st.session_state[_LAST_PICK] = chosen
            st.query_params[THREAD_PARAM] = chosen
