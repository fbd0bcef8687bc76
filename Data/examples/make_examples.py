"""Writes the example 'hand-drawn' digits Lesson 10 classifies (python3 make_examples.py).

Each digit is a few thick strokes drawn on paper of some size, the way a learner might
draw one in a paint program: dark ink on light paper, except four-inverted.png.
Pure Python (zlib only), so it runs anywhere.
"""
import math, struct, zlib

def png(path, w, h, pixels):
    raw = b"".join(b"\x00" + bytes(pixels[y * w:(y + 1) * w]) for y in range(h))
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

def draw(w, h, strokes, radius, paper=236, ink=25):
    pixels = [paper] * (w * h)
    for stroke in strokes:
        for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
            steps = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
            for s in range(steps + 1):
                cx, cy = x0 + (x1 - x0) * s / steps, y0 + (y1 - y0) * s / steps
                for y in range(max(0, int(cy - radius - 1)), min(h, int(cy + radius + 2))):
                    for x in range(max(0, int(cx - radius - 1)), min(w, int(cx + radius + 2))):
                        d = math.hypot(x - cx, y - cy)
                        if d <= radius + 0.5:   # a soft edge, like a real pen
                            t = min(1.0, radius + 0.5 - d)
                            v = int(paper + (ink - paper) * t)
                            i = y * w + x
                            pixels[i] = min(pixels[i], v) if ink < paper else max(pixels[i], v)
    return pixels

def arc(cx, cy, r, a0, a1, n=24):
    return [(cx + r * math.cos(math.radians(a0 + (a1 - a0) * k / n)),
             cy + r * math.sin(math.radians(a0 + (a1 - a0) * k / n))) for k in range(n + 1)]

# A "3": two arcs open to the left, on a square sheet.
png("three.png", 160, 160, draw(160, 160, [arc(78, 52, 30, -160, 90), arc(78, 108, 32, -90, 160)], 6))
# A "7": a bar and a slanted stroke, on a wide sheet with the digit off-centre.
png("seven.png", 240, 150, draw(240, 150, [[(60, 25), (135, 25), (85, 130)]], 7))
# A "2": an arc, a diagonal and a base line.
png("two.png", 180, 200, draw(180, 200, [arc(90, 65, 38, 190, 370)[:-4] + [(55, 160), (130, 160)]], 8))
# A "4" in light ink on dark paper (the lesson must notice and not invert it).
png("four-inverted.png", 150, 150, draw(150, 150, [[(90, 20), (35, 95), (115, 95)], [(90, 20), (90, 135)]], 6,
                                        paper=20, ink=230))
