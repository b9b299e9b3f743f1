"""Synthetic scanned pages for the demo: a ruled register page with a few written lines."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter


def demo_case_pdf(*, number: str, date_text: str, seed: int) -> bytes:
    """One A4 page (150 dpi) as a colour JPEG inside a PDF, like a scanned case."""
    rng = random.Random(seed)
    width, height = 1240, 1754
    paper = (236 + rng.randint(-6, 4), 228 + rng.randint(-6, 4), 206 + rng.randint(-8, 4))
    im = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(im)
    ink = (40, 52, 110)
    for y in range(260, height - 120, 64):
        draw.line([(90, y), (width - 90, y)], fill=(190, 182, 160), width=2)
    draw.rectangle([60, 60, width - 60, height - 60], outline=(120, 110, 90), width=3)
    draw.text((100, 110), f"So: {number}", fill=ink, font_size=48)
    draw.text((width - 520, 110), f"Ngay: {date_text}", fill=ink, font_size=48)
    for row in range(4, 22):
        y = 260 + row * 64 - 18
        x = 110 + rng.randint(0, 40)
        end = width - 110 - rng.randint(0, 400)
        points = []
        while x < end:
            points.append((x, y + rng.randint(-7, 7)))
            x += rng.randint(9, 16)
        if len(points) > 1:
            draw.line(points, fill=ink, width=3)
    im = im.filter(ImageFilter.GaussianBlur(0.6))
    buffer = io.BytesIO()
    im.save(buffer, format="PDF", resolution=150, quality=70)
    return buffer.getvalue()
