"""The home page's chart: new articles and edits per day as the geometry of stacked SVG bars (no script)."""

from __future__ import annotations

from dataclasses import dataclass

from archive.web.queries import DayCounts

WIDTH = 720
HEIGHT = 160


@dataclass(frozen=True)
class Bar:
    day: str
    x: float
    width: float
    new_articles: int
    new_y: float
    new_height: float
    edits: int
    edits_y: float
    edits_height: float


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    peak: int
    """The largest day's total, the height of the chart."""
    width: int = WIDTH
    height: int = HEIGHT


def chart(days: list[DayCounts]) -> Chart:
    """One bar a day, new articles at the bottom and edits on top, scaled to the busiest day."""
    peak = max((day.new_articles + day.edits for day in days), default=0)
    scale = HEIGHT / peak if peak else 0.0
    slot = WIDTH / len(days) if days else 0.0
    bars = []
    for number, day in enumerate(days):
        new_height, edits_height = day.new_articles * scale, day.edits * scale
        bars.append(
            Bar(
                day=day.day.isoformat(),
                x=round(number * slot, 2),
                width=round(max(slot - 1, 1), 2),
                new_articles=day.new_articles,
                new_y=round(HEIGHT - new_height, 2),
                new_height=round(new_height, 2),
                edits=day.edits,
                edits_y=round(HEIGHT - new_height - edits_height, 2),
                edits_height=round(edits_height, 2),
            )
        )
    return Chart(bars, peak)
