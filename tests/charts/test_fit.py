"""Axes placed without a layout engine: every text of every chart is inside the picture, and none covers another."""

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath

from gentling.charts import hold_chart, sessions_chart, signs_chart, steps_chart
from gentling.charts.figure import WIDTH, empty_chart
from gentling.charts.holds import HoldPoint
from gentling.charts.sessions_per_day import DayCount
from gentling.charts.signs import SignsDay
from gentling.charts.steps import StepTime

from .builders import RAT, SVG, day, read_svg

_MEASURE = TextToPath()
_SLACK = 0.5  # SVG units: rounding in the coordinates matplotlib writes


def text_boxes(svg: str) -> list[tuple[str, float, float, float, float]]:
    """(text, left, top, right, bottom) of each text in the SVG, measured with the font matplotlib drew it in."""
    root = read_svg(svg, re.search(r"<title>(.*?)</title>", svg).group(1).replace("&amp;", "&"))
    boxes = []
    for element in root.iter(f"{SVG}text"):
        style = dict(part.split(": ", 1) for part in element.get("style").split("; "))
        font = FontProperties(
            family="DejaVu Sans",
            size=float(style["font-size"].removesuffix("px")),
            weight=style.get("font-weight", "normal"),
        )
        text = "".join(element.itertext())
        width, height, descent = _MEASURE.get_text_width_height_descent(text, font, ismath=False)
        x, y = float(element.get("x")), float(element.get("y"))
        left = {"start": x, "middle": x - width / 2, "end": x - width}[style["text-anchor"]]
        boxes.append((text, left, y - (height - descent), left + width, y + descent))
    return boxes


def view_box(svg: str) -> tuple[float, float]:
    _, _, width, height = map(float, re.search(r'viewBox="([^"]+)"', svg).group(1).split())
    return width, height


def charts_to_draw() -> dict:
    """Each chart, by name, as a call that draws it: long and short spans, wide numbers, long step titles."""
    found = {}
    for days in (1, 30, 200, 3 * 365):
        span = [day(0) + timedelta(days=n) for n in range(days)]
        found[f"holds-{days}"] = lambda s=span: hold_chart(
            [HoldPoint(d, 600 + n % 500, 30 + n) for n, d in enumerate(s)]
        )
        found[f"sessions-{days}"] = lambda s=span: sessions_chart([DayCount(d, 12 + n % 3) for n, d in enumerate(s)])
        found[f"signs-{days}"] = lambda s=span: signs_chart([SignsDay(d, 40 + n % 7, n % 25) for n, d in enumerate(s)])
    found["steps-long"] = lambda: steps_chart(
        [StepTime(step.id, step.title, 400 + 97 * n) for n, step in enumerate(RAT.steps)]
    )
    found["steps-short"] = lambda: steps_chart(
        [StepTime(step.id, step.title, n % 2) for n, step in enumerate(RAT.steps)]
    )
    found["empty"] = lambda: empty_chart("Sessions per day", "No sessions yet")
    return found


CHARTS = charts_to_draw()


@pytest.mark.parametrize("name", CHARTS)
def test_every_text_is_inside_the_picture(name):
    svg = CHARTS[name]()
    width, height = view_box(svg)

    outside = [
        (text, [round(v, 1) for v in box])
        for text, *box in text_boxes(svg)
        if box[0] < -_SLACK or box[1] < -_SLACK or box[2] > width + _SLACK or box[3] > height + _SLACK
    ]

    assert width == WIDTH
    assert not outside


@pytest.mark.parametrize("name", CHARTS)
def test_no_text_covers_another(name):
    boxes = text_boxes(CHARTS[name]())

    overlaps = [
        (a[0], b[0])
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[1] < b[3] - _SLACK and b[1] < a[3] - _SLACK and a[2] < b[4] - _SLACK and b[2] < a[4] - _SLACK
    ]

    assert not overlaps


def test_charts_placed_in_parallel_threads_are_the_same_as_placed_one_by_one():
    def draw(_=None):
        return [CHARTS[name]() for name in ("holds-1095", "steps-long", "empty")]

    expected = draw()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(draw, range(4)))

    assert results == [expected] * 4
