"""Small line charts as inline SVG, drawn on the server (no script, no library from a CDN).

The SVG names itself with a <title> and <desc> (read by screen readers); pages show the same
figures as a table next to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Series:
    """One line: its label, a CSS class for its colour, one value per point."""

    label: str
    css: str
    values: list[int]


WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 14, 58


def _nice_top(peak: int) -> int:
    """The top of the y axis: a round number at or above the peak (at least 4)."""
    top = max(peak, 4)
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if top <= step * 4:
            return step * 4
    return top


def line_chart(
    chart_id: str, title: str, description: str, x_labels: list[str], series: list[Series]
) -> str:
    """An accessible SVG line chart of whole-number series over labelled points."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = _nice_top(max((v for s in series for v in s.values), default=0))
    count = max(len(x_labels), 1)

    def x(i: int) -> float:
        return LEFT + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(v: int) -> float:
        return TOP + plot_h - plot_h * v / top

    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
    ]
    for tick in range(5):
        value = top * tick // 4
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" '
            f'y2="{y(value):.1f}"/><text class="tick" x="{LEFT - 6}" y="{y(value) + 4:.1f}" '
            f'text-anchor="end">{value}</text>'
        )
    every = max(1, (count + 7) // 8)  # at most about eight date labels
    for i, label in enumerate(x_labels):
        if i % every == 0 or i == count - 1:
            anchor = "end" if i == count - 1 and i else "start" if i == 0 else "middle"
            parts.append(
                f'<text class="tick" x="{x(i):.1f}" y="{TOP + plot_h + 16}" '
                f'text-anchor="{anchor}">{escape(label)}</text>'
            )
    for s in series:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(s.values))
        parts.append(f'<g class="series {escape(s.css)}"><polyline points="{points}"/>')
        parts += [
            f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3"><title>{escape(s.label)} '
            f"{escape(x_labels[i])}: {v}</title></circle>"
            for i, v in enumerate(s.values)
        ]
        parts.append("</g>")
    legend_y = HEIGHT - 14
    for n, s in enumerate(series):
        lx = LEFT + n * 150
        parts.append(
            f'<g class="series {escape(s.css)}"><line x1="{lx}" x2="{lx + 22}" y1="{legend_y - 4}" '
            f'y2="{legend_y - 4}"/><text class="legend" x="{lx + 28}" y="{legend_y}">'
            f"{escape(s.label)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)
