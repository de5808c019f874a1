"""Charts of capacity gaps that show something after suppression, or say in words why not.

Need x district for one month of a county's referrals is a wall of ``<5``: about 350 people
over 22 needs and 6 districts leave nearly every cell below the threshold. The charts here group
more coarsely (:mod:`matching.gap_groups`). Their figures are sums of the cells table's rows,
published beside it, so they are protected together with it and the other tables
(:func:`matching.gap_tables.published` with ``groups``): a shown county total minus shown
district cells never gives back a hidden cell.

* **needs across the county** (:func:`need_panel`): one bar per need, its length the demand,
  split into met and unmet when both are published, labelled with the unmet count, its
  denominator and the rate (:func:`matching.disclosure.rate`);
* **districts by need group** (:func:`district_panel`): need group x district, coloured by the
  share unmet where it is published, each cell labelled ``unmet of demand``.

A panel is *drawn* only when at least half of its rows have a published demand; otherwise
:attr:`Panel.words` says what was left, and pages print those words instead of an empty chart.
:func:`panels` builds both; :func:`draw` writes them as one SVG or PNG (matplotlib, Agg).

>>> from directory.loading import load
>>> from matching.demand import demand_from_people, synthetic_cohort
>>> from matching.gaps import gaps
>>> d = load()
>>> result = gaps(d, demand_from_people(synthetic_cohort(d, 4200, seed=0), period="2026"))
>>> needs, districts = panels(result, d)
>>> needs.drawn, districts.drawn
(True, True)
>>> all(b.demand in ("<5", "[c]") or b.demand >= 5 for b in needs.bars)
True
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from directory.dumping import write_atomic
from matching.disclosure import THRESHOLD, rate
from matching.gap_groups import ALL, by_group, by_need, need_groups
from matching.gap_tables import published

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import BinaryIO

    from directory.models import Directory
    from matching.gap_tables import Cell
    from matching.gaps import CellGap, GapResult

__all__ = [
    "Bar",
    "Panel",
    "district_panel",
    "draw",
    "need_panel",
    "panels",
    "published_bars",
    "svg",
]

#: A panel is drawn when at least this share of its rows have a published demand.
MIN_SHOWN = 0.5

_MET, _UNMET, _SPLIT_HIDDEN = "#2e7d52", "#c0392b", "#9aa5b1"


@dataclass(frozen=True, slots=True)
class Bar:
    """One published row of a chart: counts as published (int, ``"<5"`` or ``"[c]"``) and the
    unmet rate (``"7%"``, ``"suppressed"`` or ``"n/a"``)."""

    row: str
    column: str
    demand: Cell
    met: Cell
    unmet: Cell
    rate: str

    @property
    def shown(self) -> bool:
        """The demand is published, so the bar or cell can be drawn."""
        return isinstance(self.demand, int)

    @property
    def split(self) -> bool:
        """Met and unmet are both published."""
        return isinstance(self.met, int) and isinstance(self.unmet, int)

    @property
    def share(self) -> float | None:
        """Unmet over demand when the rate is published, else ``None``."""
        if self.rate.endswith("%") and isinstance(self.unmet, int) and isinstance(self.demand, int):
            return self.unmet / self.demand
        return None

    def label(self) -> str:
        """``unmet 20 of 280 (7%)``, ``unmet <5 of 683``, or ``demand <5``.

        >>> Bar("debt", "all", 280, 260, 20, "7%").label()
        'unmet 20 of 280 (7%)'
        >>> Bar("debt", "all", 683, 683, "<5", "suppressed").label()
        'unmet <5 of 683'
        >>> Bar("debt", "all", "<5", "<5", "<5", "suppressed").label()
        'demand <5'
        """
        if not self.shown:
            return f"demand {self.demand}"
        share = f" ({self.rate})" if self.rate.endswith("%") else ""
        return f"unmet {self.unmet} of {self.demand}{share}"


@dataclass(frozen=True, slots=True)
class Panel:
    """One chart: its title, rows and columns (labels) and published bars, and whether it is
    drawn. ``words`` explains a panel that is not drawn, and what a drawn one leaves out."""

    kind: str  # "bars" (one column) or "grid"
    title: str
    rows: tuple[tuple[str, str], ...]  # (id, label)
    columns: tuple[tuple[str, str], ...]
    bars: tuple[Bar, ...]
    drawn: bool
    words: str
    #: the tables published with the chart, protected together with its figures
    tables: Mapping[str, Sequence[Mapping[str, Cell]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def bar(self, row: str, column: str) -> Bar | None:
        """The bar of a row and column, or ``None`` when there is no demand there."""
        for b in self.bars:
            if b.row == row and b.column == column:
                return b
        return None


def published_bars(
    grouped: GapResult, rows: Sequence[Mapping[str, Cell]], threshold: int = THRESHOLD
) -> tuple[Bar, ...]:
    """One :class:`Bar` per cell of ``grouped``, as ``rows`` publish it (a table of
    :func:`matching.gap_tables.published`: ``cells``, or one of
    :data:`~matching.gap_tables.GROUPED` for the matching grouping), with the unmet rate where
    both counts are published."""
    raw: dict[tuple[str, str], CellGap] = {(c.need, c.district): c for c in grouped.cells}
    out: list[Bar] = []
    for r in rows:
        row, column = str(r["need"]), str(r["district"])
        cell = raw[(row, column)]
        published = isinstance(r["unmet"], int) and isinstance(r["demand"], int)
        if not published:
            shown_rate = "suppressed"
        elif threshold == 0:  # suppression off, for internal use
            shown_rate = f"{round(100 * cell.unmet / cell.demand)}%" if cell.demand else "n/a"
        else:
            shown_rate = rate(cell.unmet, cell.demand, threshold)
        out.append(Bar(row, column, r["demand"], r["met"], r["unmet"], shown_rate))
    return tuple(out)


def _decide(bars: Sequence[Bar], what: str, noun: str, threshold: int) -> tuple[bool, str]:
    """Whether a panel is drawn, and the words that say what it leaves out (or why not).

    >>> bars = [Bar("a", "all", 12, 12, "<5", "suppressed"), Bar("b", "all", "<5", 0, 0, "")]
    >>> _decide(bars, "needs across the county", "needs", 5)
    (True, '1 of 2 needs with fewer than 5 units of demand are not drawn.')
    >>> _decide(bars[1:], "needs across the county", "needs", 5)[1]
    'Too little is left to chart needs across the county after suppression: 0 of 1 needs have 5 \
or more units of demand, and smaller counts are not published.'
    """
    shown = sum(b.shown for b in bars)
    if not bars:
        return False, f"No demand to chart {what}."
    if shown < MIN_SHOWN * len(bars):
        return False, (
            f"Too little is left to chart {what} after suppression: {shown} of {len(bars)} "
            f"{noun} have {threshold} or more units of demand, and smaller counts are not "
            "published."
        )
    hidden = len(bars) - shown
    return True, (
        f"{hidden} of {len(bars)} {noun} with fewer than {threshold} units of demand are not drawn."
        if hidden
        else ""
    )


def need_panel(
    result: GapResult,
    *,
    labels: Mapping[str, str] | None = None,
    threshold: int = THRESHOLD,
    tables: Mapping[str, Sequence[Mapping[str, Cell]]] | None = None,
) -> Panel:
    """Every need over all districts, largest demand first; ``labels`` names needs.

    ``tables`` are the tables published beside the chart (:func:`matching.gap_tables.published`
    with ``groups``); by default the cells table and the county totals, protected together.
    """
    labels = labels or {}
    if tables is None:
        tables = published(result, threshold, groups={})
    bars = sorted(
        published_bars(by_need(result), tables["by_need"], threshold),
        key=lambda b: (-b.demand if isinstance(b.demand, int) else 0, b.row),
    )
    drawn, words = _decide(bars, "needs across the county", "needs", threshold)
    return Panel(
        kind="bars",
        title=f"Needs across the county, {result.period}: demand met and unmet",
        rows=tuple((b.row, labels.get(b.row, b.row.replace("_", " "))) for b in bars),
        columns=((ALL, "all districts"),),
        bars=tuple(bars),
        drawn=drawn,
        words=words,
        tables=tables,
    )


def district_panel(
    result: GapResult,
    directory: Directory,
    *,
    threshold: int = THRESHOLD,
    tables: Mapping[str, Sequence[Mapping[str, Cell]]] | None = None,
) -> Panel:
    """Need groups x districts (in the directory's order), each the share of its demand unmet.

    ``tables`` as in :func:`need_panel` (by default protected with the cells table and every
    coarser figure of the gaps page and the map).
    """
    if tables is None:
        tables = published(result, threshold, groups=need_groups(directory))
    bars = published_bars(by_group(result, directory), tables["by_group"], threshold)
    present = {b.row for b in bars}, {b.column for b in bars}
    drawn, words = _decide(bars, "need groups by district", "need groups in districts", threshold)
    return Panel(
        kind="grid",
        title=f"Districts by need group, {result.period}: share of demand unmet",
        rows=tuple((g.id, g.label) for g in directory.groups if g.id in present[0]),
        columns=tuple((x.id, x.label) for x in directory.districts if x.id in present[1]),
        bars=bars,
        drawn=drawn,
        words=words,
        tables=tables,
    )


def panels(
    result: GapResult,
    directory: Directory,
    *,
    threshold: int = THRESHOLD,
    tables: Mapping[str, Sequence[Mapping[str, Cell]]] | None = None,
) -> tuple[Panel, Panel]:
    """The two panels of the gaps page: needs across the county, districts by need group.

    ``tables``: what is published with them, :func:`matching.gap_tables.published` with
    ``groups=need_groups(directory)`` (computed when not given); the pages and the command line
    print the same tables, so no chart figure gives back a count the tables hide.
    """
    labels = {n.id: n.label for n in directory.needs}
    if tables is None:
        tables = published(result, threshold, groups=need_groups(directory))
    return (
        need_panel(result, labels=labels, threshold=threshold, tables=tables),
        district_panel(result, directory, threshold=threshold, tables=tables),
    )


# ------------------------------------------------------------------------------------ drawing
def draw(chart_panels: Sequence[Panel], path: str | Path | BinaryIO, *, fmt: str = "") -> None:
    """Draw ``chart_panels`` one under another to ``path`` (SVG or PNG, by its suffix or ``fmt``).

    A panel that is not drawn shows its words instead. SVG text stays text (searchable, and
    escaped by matplotlib); ``$`` in a name is never read as mathematics; the file carries no
    date, so the same figures give the same file. A file is written whole or not at all.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    heights = [_height(p) for p in chart_panels]
    with matplotlib.rc_context(
        {"svg.fonttype": "none", "svg.hashsalt": "pathways", "text.parse_math": False}
    ):
        fig, axes = plt.subplots(
            len(chart_panels),
            1,
            figsize=(9.5, sum(heights)),
            gridspec_kw={"height_ratios": heights},
            squeeze=False,
        )
        for ax, panel in zip(axes[:, 0], chart_panels, strict=True):
            if not panel.drawn:
                _words(ax, panel)
            elif panel.kind == "bars":
                _draw_bars(ax, panel)
            else:
                _draw_grid(fig, ax, panel)
        fig.tight_layout()
        kind = fmt or str(getattr(path, "suffix", path)).rsplit(".", 1)[-1].lower()
        out = io.BytesIO() if isinstance(path, str | Path) else path
        fig.savefig(out, format=kind, metadata={"Date": None} if kind == "svg" else None)
        plt.close(fig)
    if isinstance(path, str | Path) and isinstance(out, io.BytesIO):
        write_atomic(path, out.getvalue())  # a reader never sees half a chart


def svg(chart_panels: Sequence[Panel]) -> bytes:
    """:func:`draw` as SVG bytes (no date in them: the same figures give the same bytes)."""
    out = io.BytesIO()
    draw(chart_panels, out, fmt="svg")
    return out.getvalue()


def _height(panel: Panel) -> float:
    if not panel.drawn:
        return 1.2
    return 1.6 + 0.32 * max(1, len(panel.rows))


def _words(ax: object, panel: Panel) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    ax.axis("off")
    ax.set_title(panel.title, loc="left", fontsize=11)
    ax.text(0, 0.5, panel.words, wrap=True, va="center", fontsize=10, transform=ax.transAxes)


def _draw_bars(ax: object, panel: Panel) -> None:
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    shown = [(label, b) for (_, label), b in zip(panel.rows, panel.bars, strict=True) if b.shown]
    top = max(int(b.demand) for _, b in shown)
    for y, (_, b) in enumerate(shown):
        demand = int(b.demand)
        met = b.met if isinstance(b.met, int) else 0
        unmet = b.unmet if isinstance(b.unmet, int) else 0
        ax.barh(y, met, color=_MET)
        ax.barh(y, unmet, left=met, color=_UNMET)
        if demand - met - unmet:  # the part the tables do not publish
            ax.barh(
                y,
                demand - met - unmet,
                left=met + unmet,
                color=_SPLIT_HIDDEN,
                hatch="//",
                edgecolor="white",
                lw=0,
            )
        ax.text(demand + top * 0.01, y, b.label(), va="center", fontsize=9)
    ax.set_yticks(range(len(shown)), [label for label, _ in shown], fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.45)
    ax.set_xlabel("units of demand (one person with one need)")
    ax.set_title(panel.title, loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    from matplotlib.patches import Patch

    ax.legend(
        handles=[
            Patch(color=_MET, label="met"),
            Patch(color=_UNMET, label="unmet"),
            Patch(
                facecolor=_SPLIT_HIDDEN,
                hatch="//",
                edgecolor="white",
                label="not published (hides a count under 5)",
            ),
        ],
        loc="lower right",
        fontsize=8,
        frameon=False,
    )
    if panel.words:
        ax.annotate(
            panel.words,
            (0, 0),
            (0, -32),
            xycoords="axes fraction",
            textcoords="offset points",
            fontsize=8,
            va="top",
        )


def _draw_grid(fig: object, ax: object, panel: Panel) -> None:
    from matplotlib.axes import Axes
    from matplotlib.colors import LinearSegmentedColormap
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    assert isinstance(ax, Axes)
    assert isinstance(fig, Figure)
    cmap = LinearSegmentedColormap.from_list("gaps", ["#e8f3ec", "#f0e442", "#d55e00", "#8b0000"])
    values = [[_share(panel.bar(r, c)) for c, _ in panel.columns] for r, _ in panel.rows]
    masked = [[float("nan") if v is None else v for v in row] for row in values]
    image = ax.imshow(
        masked, cmap=cmap.with_extremes(bad="#ffffff"), vmin=0.0, vmax=0.5, aspect="auto"
    )
    for y, (r, _) in enumerate(panel.rows):
        for x, (c, _) in enumerate(panel.columns):
            b = panel.bar(r, c)
            if b is None:
                ax.text(x, y, "no demand", ha="center", va="center", fontsize=7, color="#666666")
                continue
            if not b.shown:
                ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, color="#dddddd", hatch="///"))
            elif b.share is None:
                ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, color="#eef2f5"))
            text = b.label().removeprefix("unmet ")
            dark = b.share is not None and b.share >= 0.25
            ax.text(
                x,
                y,
                text,
                ha="center",
                va="center",
                fontsize=7,
                color="white" if dark else "black",
            )
    ax.set_xticks(
        range(len(panel.columns)),
        [textwrap.fill(label, 14, break_long_words=False) for _, label in panel.columns],
        fontsize=8,
    )
    ax.set_yticks(
        range(len(panel.rows)), [textwrap.fill(label, 34) for _, label in panel.rows], fontsize=8
    )
    ax.set_title(panel.title, loc="left", fontsize=11)
    bar = fig.colorbar(image, ax=ax, label="unmet / demand (where published)")
    bar.ax.tick_params(labelsize=7)


def _share(b: Bar | None) -> float | None:
    return None if b is None else b.share
