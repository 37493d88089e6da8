"""QR codes drawn on the server as inline SVG (segno, no images, nothing fetched): the
person's code on 我的积分 (a counter scanner types it into the look-up) and the check-in
link shown at an activity (a phone's camera opens it)."""

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def qr_svg(text: str, *, label: str, scale: int = 4) -> SafeString:
    svg = segno.make(text, error="m").svg_inline(scale=scale, dark="#111", light="#fff")
    # segno's markup: only its own paths and sizes; the label is escaped here
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1))
