"""The shared SVG output: accessible, scalable, repeatable, safe to inline and to render in threads."""

import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG

from gentling.charts.figure import CSS_CLASS, HEIGHT, WIDTH, empty_chart, new_axes, new_figure, to_svg

from .builders import SVG, read_svg, texts


def a_figure():
    fig = new_figure()
    ax = new_axes(fig, "Bars")
    ax.bar([1, 2, 3], [3, 1, 2])
    return fig


def test_a_figure_draws_on_the_svg_canvas_without_pyplot():
    assert isinstance(new_figure().canvas, FigureCanvasSVG)


def test_it_gives_the_svg_an_accessible_title_and_description():
    root = read_svg(to_svg(a_figure(), "Sessions per day", "3 sessions on 2 days."), "Sessions per day")

    assert root.findtext(f"{SVG}desc") == "3 sessions on 2 days."
    assert list(root)[:2] == [root.find(f"{SVG}title"), root.find(f"{SVG}desc")]


def test_it_scales_to_its_container():
    root = ET.fromstring(to_svg(a_figure(), "t", "d"))

    assert root.get("width") is None and root.get("height") is None
    assert root.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}"


def test_it_can_be_inlined_in_html():
    svg = to_svg(a_figure(), "t", "d")

    assert svg.startswith("<svg")  # no XML declaration or doctype
    assert f'class="{CSS_CLASS}"' in svg
    assert "<style" in svg and re.search(r"<style[^>]*>\*", svg) is None  # no page-wide `*{}` rule


def test_it_keeps_only_ids_something_refers_to():
    svg = to_svg(a_figure(), "t", "d")
    ids = set(re.findall(r' id="([^"]+)"', svg))
    references = set(re.findall(r'(?:href="#|url\(#)([^")]+)', svg))

    assert ids == references
    assert "figure_1" not in ids


def test_it_escapes_the_title_and_description():
    root = read_svg(to_svg(a_figure(), 'Rats & mice "A"', "<b>not markup</b>"), 'Rats & mice "A"')

    assert root.findtext(f"{SVG}desc") == "<b>not markup</b>"


def test_the_same_figure_gives_the_same_text():
    assert to_svg(a_figure(), "t", "d") == to_svg(a_figure(), "t", "d")


def test_it_leaves_the_global_settings_as_they_were():
    before = dict(matplotlib.rcParams)
    to_svg(a_figure(), "t", "d")

    assert dict(matplotlib.rcParams) == before


def test_charts_drawn_in_parallel_threads_are_the_same_as_drawn_one_by_one():
    expected = to_svg(a_figure(), "t", "d")
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: to_svg(a_figure(), "t", "d"), range(8)))

    assert results == [expected] * 8


def test_an_empty_chart_shows_its_message():
    svg = empty_chart("Sessions per day", "No sessions yet")
    root = read_svg(svg, "Sessions per day")

    assert "No sessions yet" in texts(root)
    assert root.findtext(f"{SVG}desc") == "No sessions yet"
    assert svg == empty_chart("Sessions per day", "No sessions yet")
