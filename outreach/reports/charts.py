"""Small inline SVG charts, drawn on the server: no library, no CDN, fine offline and on paper."""

from markupsafe import Markup, escape

WIDTH, HEIGHT = 320, 140
LEFT, RIGHT, TOP, BOTTOM = 36, 8, 10, 22
COLOURS = ("#0b5f56", "#c2410c", "#1d4ed8")


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    step = 10 ** (len(str(int(value))) - 1)
    return ((int(value) // step) + 1) * step


def line_chart(title: str, months: list[str], series: list[tuple[str, list]]) -> Markup:
    """A line chart of one or more series over months, with a text alternative for screen
    readers (the same numbers are in the tables beside it)."""
    top = _nice_max(max([value or 0 for _label, values in series for value in values] or [0]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(months) - 1, 1)

    def x(index):
        return LEFT + index * step

    def y(value):
        return TOP + plot_h - (value or 0) / top * plot_h

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#8a949e" stroke-width="1"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end" font-size="10" '
        f'fill="#4a5560">{top:g}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot_h}" text-anchor="end" font-size="10" '
        'fill="#4a5560">0</text>',
    ]
    for index, month in enumerate(months):
        if index in (0, len(months) - 1) or len(months) <= 6:
            anchor = "end" if index == len(months) - 1 and index else "middle"
            anchor = "start" if index == 0 else anchor
            parts.append(
                f'<text x="{x(index):.1f}" y="{HEIGHT - 6}" text-anchor="{anchor}" '
                f'font-size="10" fill="#4a5560">{escape(month)}</text>'
            )
    for number, (label, values) in enumerate(series):
        colour = COLOURS[number % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        for i, value in enumerate(values):
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="2.5" fill="{colour}">'
                f"<title>{escape(label)} {escape(months[i])}: {value or 0}</title></circle>"
            )
    parts.append("</svg>")
    legend = "".join(
        f'<li><span class="swatch swatch-{number % len(COLOURS)}"></span>{escape(label)}</li>'
        for number, (label, _values) in enumerate(series)
    )
    return Markup(
        f'<figure class="chart-box"><figcaption>{escape(title)}</figcaption>'
        f'{"".join(parts)}<ul class="legend">{legend}</ul></figure>'
    )
