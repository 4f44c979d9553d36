"""What every chart shares: a styled figure made without pyplot, and SVG text out.

Charts are drawn on the server and embedded in the web page and the printed
report, so a figure is a plain `matplotlib.figure.Figure` on the SVG canvas:
no pyplot, no global "current figure", no display. The figure is a white card
(it reads as one on a dark page too); its colours keep at least 3:1 contrast
on white for shapes and 7:1 for text.

Charts are drawn on every request, so a figure is kept cheap to draw: no
layout engine (`fit_axes` measures the decorations once, where constrained
layout measured them twice and drew the figure twice), ticks computed once,
and long series as one artist each.
"""

from __future__ import annotations

import html
import io
import math
import re
import threading
from collections.abc import Sequence
from datetime import date, timedelta

import matplotlib
import matplotlib.dates as mdates
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.figure import Figure
from matplotlib.patches import StepPatch
from matplotlib.text import Text
from matplotlib.ticker import FixedFormatter, FixedLocator, MaxNLocator

WIDTH = 480  # SVG user units: narrow, so text stays readable when a phone scales the chart down
HEIGHT = 260
FONT_SIZE = 13
TITLE_SIZE = 14
TEXT = "#333333"  # 12.6:1 on white
GRID = "#dddddd"
BLUE = "#0072B2"  # Okabe-Ito blue (colour-blind safe), 5.1:1 on white
VERMILLION = "#D55E00"  # Okabe-Ito vermillion, 3.9:1 on white: for shapes, not text
BARS_UP_TO_DAYS = 120  # beyond this, one bar per day is too thin to read: draw weeks
MIN_DAYS_SHOWN = 7
CSS_CLASS = "gentling-chart"  # on every chart's root <svg>, for the page's CSS
PAD = 3  # points kept free at the figure's edges and between the axes' decorations and the legend

_POINTS_PER_INCH = 72  # the SVG backend writes points: one point per viewBox unit
# rcParams are process-global; the lock keeps two threads from restoring each other's values.
_SAVE_LOCK = threading.Lock()
_MEASURING = threading.local()
_REFERENCE = re.compile(r'(?:href="#|url\(#)([^")]+)')
_ID = re.compile(r' id="([^"]+)"')


def new_figure(height: int = HEIGHT) -> Figure:
    """An empty white figure, WIDTH x `height` in SVG units, on the SVG canvas.

    At 72 dpi one display unit is one point, as in the SVG. Its axes are
    placed by `fit_axes`.
    """
    size = (WIDTH / _POINTS_PER_INCH, height / _POINTS_PER_INCH)
    fig = Figure(figsize=size, dpi=_POINTS_PER_INCH, facecolor="white")
    FigureCanvasSVG(fig)
    return fig


def new_axes(fig: Figure, title: str) -> Axes:
    """One axes with the shared look: a left-aligned title, a muted grid, no box."""
    ax = fig.add_subplot()
    # A given y keeps the title where it is: nothing is drawn above the axes to move it for.
    ax.set_title(title, loc="left", y=1.0, fontsize=TITLE_SIZE, color=TEXT, fontweight="bold")
    ax.tick_params(labelsize=FONT_SIZE, colors=TEXT, length=3)
    ax.xaxis.get_offset_text().set(fontsize=FONT_SIZE, color=TEXT)
    ax.grid(True, color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(GRID)
    return ax


def days_between(first_day: date, last_day: date) -> list[date]:
    """Every day from `first_day` to `last_day`, both included."""
    return [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]


def day_edges(days: Sequence[date]) -> np.ndarray:
    """Edges of one-day slots centred on each day (matplotlib date numbers), len(days) + 1 values."""
    centres = mdates.date2num(np.array(days, dtype="datetime64[D]"))
    return np.append(centres - 0.5, centres[-1] + 0.5)


def date_axis(ax: Axes, days: Sequence[date]) -> None:
    """Dates along x from the first of `days` (consecutive days), at least a week wide.

    A new animal's first days would otherwise be a few very wide bars.
    """
    span = max(len(days), MIN_DAYS_SHOWN)
    start = day_edges(days)[0]
    ax.set_xlim(start, start + span)
    if span <= 31:
        locator = mdates.DayLocator(interval=math.ceil(span / 7))  # whole days, never hours
    else:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(False, axis="x")


def count_axis(ax: Axes) -> None:
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))


def daily_bars(
    ax: Axes, days: Sequence[date], values: np.ndarray, *, color: str, label: str, weekly: str = "mean"
) -> Artist:
    """One bar per day; for long spans, one filled step area of weekly values.

    `values` is a float array, one per day (NaN for no value). Over more than
    BARS_UP_TO_DAYS days, daily bars are too thin to read, so each week shows
    its average day (`weekly="mean"`) or its best day (`weekly="max"`).
    Either way it is one artist, so years of days stay fast to draw.
    """
    edges = day_edges(days)
    if len(days) <= BARS_UP_TO_DAYS:
        return ax.bar(edges[:-1] + 0.5, np.nan_to_num(values), width=0.8, color=color, label=label)
    # Weeks end on the last day, so the latest week is a whole one; the first may be short.
    starts = np.arange(-(-len(days) % 7), len(days), 7).clip(0)
    note = "Each week's average day" if weekly == "mean" else "Each week's best day"
    ax.set_xlabel(note, fontsize=FONT_SIZE, color=TEXT)
    week_edges = np.append(edges[starts], edges[-1])
    return stairs(ax, _per_week(values, weekly), week_edges, fill=True, color=color, label=label)


def stairs(
    ax: Axes,
    values: np.ndarray,
    edges: np.ndarray,
    *,
    color: str,
    fill: bool = False,
    baseline: float | None = 0,
    **style,
) -> StepPatch:
    """`ax.stairs`, with the data limits taken from the values.

    `Axes.stairs` finds the limits by walking the outline segment by segment,
    which for years of weeks takes longer than drawing it.
    """
    look = {"facecolor": color, "linewidth": 0} if fill else {"edgecolor": color}
    patch = StepPatch(values, edges, baseline=baseline, fill=fill, **{**look, **style})
    ax.add_artist(patch)
    known = values[~np.isnan(values)]
    ys = [known.min(), known.max()] if known.size else []
    if baseline is not None:
        ys.append(baseline)
        patch.sticky_edges.y.append(baseline)
    if ys:
        ax.update_datalim([(edges[0], min(ys)), (edges[-1], max(ys))])
        ax.autoscale_view()
    return patch


def _per_week(values: np.ndarray, how: str) -> np.ndarray:
    weeks = np.append(np.full(-len(values) % 7, np.nan), values).reshape(-1, 7)
    if how == "max":
        return np.fmax.reduce(weeks, axis=1)  # NaN only for a week with no value at all
    known = ~np.isnan(weeks)
    counts = known.sum(axis=1)
    totals = np.where(known, weeks, 0).sum(axis=1)
    return np.divide(totals, counts, out=np.full(len(counts), np.nan), where=counts > 0)


def legend(ax: Axes, handles: Sequence[Artist]) -> None:
    """A legend for `handles`, in that order, under the plot (`fit_axes` keeps the plot above it)."""
    ax.figure.legend(
        handles=list(handles),
        loc="lower center",
        ncols=4,
        frameon=False,
        fontsize=FONT_SIZE,
        labelcolor=TEXT,
    )


def fit_axes(ax: Axes) -> None:
    """Place `ax` so that its title, tick labels, axis labels and texts, and the figure's legends, fit in the figure.

    Call it once everything is on the axes. It fixes the ticks first, so what it
    measures is what the SVG shows. Tick labels, axis labels and titles keep
    their size wherever the axes are, so one measure places them (constrained
    layout measured twice and drew the figure twice). Texts that move with
    the data, like bar labels, need room of their own: see `text_widths`.
    """
    fig = ax.get_figure()
    _fix_ticks(ax)
    width, height = fig.bbox.width, fig.bbox.height
    renderer = _measuring_renderer()
    below = max((legend.get_window_extent(renderer).y1 for legend in fig.legends), default=0)
    drawn, frame = ax.get_tightbbox(renderer, for_layout_only=True), ax.bbox
    left = PAD + max(frame.x0 - drawn.x0, 0)
    right = width - PAD - max(drawn.x1 - frame.x1, 0)
    bottom = below + PAD + max(frame.y0 - drawn.y0, 0)
    top = height - PAD - max(drawn.y1 - frame.y1, 0)
    ax.set_position([left / width, bottom / height, (right - left) / width, (top - bottom) / height])


def text_widths(texts: Sequence[Text]) -> list[float]:
    """How wide each text is drawn, in SVG units."""
    renderer = _measuring_renderer()
    return [text.get_window_extent(renderer).width for text in texts]


def _measuring_renderer() -> RendererSVG:
    """A renderer kept for measuring, one per thread: matplotlib caches text sizes per renderer,
    and chart texts repeat."""
    if not hasattr(_MEASURING, "renderer"):
        _MEASURING.renderer = RendererSVG(WIDTH, HEIGHT, io.StringIO())
    return _MEASURING.renderer


def _fix_ticks(ax: Axes) -> None:
    """Compute each axis' ticks and their labels once; every measure and draw would compute them again."""
    if not ax.axison:
        return
    for axis in (ax.xaxis, ax.yaxis):
        formatter = axis.get_major_formatter()
        if not axis.get_visible() or isinstance(formatter, FixedFormatter):
            continue
        ticks = axis.get_majorticklocs()
        fixed = FixedFormatter(formatter.format_ticks(ticks))
        fixed.set_offset_string(formatter.get_offset())
        axis.set_major_locator(FixedLocator(ticks))
        axis.set_major_formatter(fixed)


def to_svg(fig: Figure, title: str, description: str) -> str:
    """The figure as SVG text, ready to inline in HTML or save as a file.

    The root <svg> gets role="img", an aria-label, and <title> and <desc>
    children; it keeps its viewBox but loses the fixed width and height, so it
    scales to its container. The same figure always gives the same text.
    """
    buf = io.StringIO()
    # A fixed hash salt makes the ids of clip paths and markers repeatable.
    settings = {"svg.hashsalt": f"gentling:{title}", "svg.fonttype": "none"}
    with _SAVE_LOCK, matplotlib.rc_context(settings):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return _accessible(buf.getvalue(), title, description)


def empty_chart(title: str, message: str) -> str:
    """A small card with the chart's title and a message, for when there is nothing to draw."""
    fig = new_figure(height=120)
    ax = new_axes(fig, title)
    ax.set_axis_off()
    ax.text(0.5, 0.45, message, ha="center", va="center", fontsize=FONT_SIZE, color=TEXT, transform=ax.transAxes)
    fit_axes(ax)
    return to_svg(fig, title, message)


def _accessible(svg: str, title: str, description: str) -> str:
    start = svg.index("<svg")  # drop the XML declaration and doctype: they break inline HTML
    end = svg.index(">", start)
    root = re.sub(r' (?:width|height)="[^"]*"', "", svg[start:end])
    head = (
        f'{root} class="{CSS_CLASS}" role="img" aria-label="{html.escape(title, quote=True)}">\n'
        f" <title>{html.escape(title, quote=False)}</title>\n"
        f" <desc>{html.escape(description, quote=False)}</desc>"
    )
    # matplotlib's stylesheet says `*{...}`; inline in a page, that would reach every element.
    body = svg[end + 1 :].replace('<style type="text/css">*{', f'<style type="text/css">.{CSS_CLASS} *{{', 1)
    return _drop_unused_ids(head + body)


def _drop_unused_ids(svg: str) -> str:
    """Remove ids nothing refers to (figure_1, text_3, ...): two charts on one page would repeat them."""
    used = set(_REFERENCE.findall(svg))
    return _ID.sub(lambda m: m.group(0) if m.group(1) in used else "", svg)
