"""Draw docs/architecture.png: how a photo becomes a reply, and which step builds which part.

Run `python docs/architecture.py` after changing the picture; a test checks the committed PNG is what this makes.
Pillow's built-in font keeps the drawing the same on every machine.
"""
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUTPUT = Path(__file__).with_name("architecture.png")
WIDTH, HEIGHT = 1580, 580
BOX_W, BOX_H = 220, 96
STEP_COLOURS = {1: "#2e7d32", 2: "#1565c0", 3: "#6a1b9a", 4: "#ef6c00", 0: "#455a64"}

# name: (column, row, step, lines)
BOXES = {
    "photos": (0, 0, 1, ["Geotagged photos", "toy world · your photos", "· YFCC100M on S3"]),
    "dataset": (1, 0, 1, ["S3: the dataset", "S2 cells · cells.tsv", "train/val .rec"]),
    "training": (2, 0, 2, ["SageMaker training", "MXNet · train.py", "1..N hosts, spot"]),
    "model": (3, 0, 2, ["S3: model.tar.gz", "symbol · params", "cells.tsv"]),
    "endpoint": (4, 1, 3, ["SageMaker endpoint", "inference.py", "top-k places as JSON"]),
    "x": (0, 2, 0, ["X", "@mention with", "a photo"]),
    "webhook": (1, 2, 4, ["Chalice: webhook", "API Gateway + Lambda", "CRC · signature"]),
    "queue": (2, 2, 4, ["SQS queue", "one item per tweet", "+ dead-letter queue"]),
    "worker": (3, 2, 4, ["Chalice: worker", "Lambda · DynamoDB", "once per tweet"]),
}
# (from, to, label, from side, to side)
ARROWS = [
    ("photos", "dataset", "prepare.py", "right", "left"),
    ("dataset", "training", "fit()", "right", "left"),
    ("training", "model", "", "right", "left"),
    ("model", "endpoint", "deploy()", "right", "top"),
    ("x", "webhook", "POST", "right", "left"),
    ("webhook", "queue", "enqueue", "right", "left"),
    ("queue", "worker", "", "right", "left"),
    ("worker", "endpoint", "invoke", "right", "bottom"),
]


def font(size):
    return ImageFont.load_default(size=size)


def box_origin(name):
    column, row, _, _ = BOXES[name]
    return 40 + column * 320, 80 + row * 150


def anchor(name, side):
    x, y = box_origin(name)
    return {
        "left": (x, y + BOX_H // 2),
        "right": (x + BOX_W, y + BOX_H // 2),
        "top": (x + BOX_W // 2, y),
        "bottom": (x + BOX_W // 2, y + BOX_H),
    }[side]


def draw_box(draw, name):
    x, y = box_origin(name)
    _, _, step, lines = BOXES[name]
    colour = STEP_COLOURS[step]
    draw.rounded_rectangle((x, y, x + BOX_W, y + BOX_H), radius=12, fill="white", outline=colour, width=3)
    draw.text((x + 12, y + 10), lines[0], fill=colour, font=font(19))
    for number, line in enumerate(lines[1:]):
        draw.text((x + 12, y + 40 + number * 22), line, fill="#37474f", font=font(15))
    if step:
        draw.text((x + BOX_W - 58, y - 20), f"step {step}", fill=colour, font=font(14))


def draw_arrow(draw, start, end, label, bend_first_horizontally):
    corner = (end[0], start[1]) if bend_first_horizontally else (start[0], end[1])
    points = [start, corner, end] if start[0] != end[0] and start[1] != end[1] else [start, end]
    draw.line(points, fill="#263238", width=3)
    (x0, y0), (x1, y1) = points[-2], points[-1]
    dx, dy = (x1 > x0) - (x1 < x0), (y1 > y0) - (y1 < y0)
    head = [(x1, y1), (x1 - 12 * dx - 6 * dy, y1 - 12 * dy - 6 * dx), (x1 - 12 * dx + 6 * dy, y1 - 12 * dy + 6 * dx)]
    draw.polygon(head, fill="#263238")
    if label:
        draw.text((points[0][0] + 10, points[0][1] - 22), label, fill="#263238", font=font(14))


def draw():
    image = Image.new("RGB", (WIDTH, HEIGHT), "#f5f7fa")
    canvas = ImageDraw.Draw(image)
    canvas.text((40, 18), "WhereML: where was this photo taken?", fill="#263238", font=font(26))
    for name in BOXES:
        draw_box(canvas, name)
    for source, target, label, from_side, to_side in ARROWS:
        draw_arrow(canvas, anchor(source, from_side), anchor(target, to_side), label, from_side == "right")
    reply_from, reply_to = anchor("worker", "bottom"), anchor("x", "bottom")
    canvas.line([reply_from, (reply_from[0], 510), (reply_to[0], 510), reply_to], fill="#ef6c00", width=3)
    canvas.polygon([reply_to, (reply_to[0] - 7, reply_to[1] + 13), (reply_to[0] + 7, reply_to[1] + 13)], fill="#ef6c00")
    canvas.text((reply_to[0] + 20, 516), "reply: top places, flags and a map", fill="#ef6c00", font=font(16))
    legend = "green: 01 data   blue: 02 train   purple: 03 host   orange: 04 bot"
    canvas.text((40, HEIGHT - 34), legend, fill="#455a64", font=font(15))
    return image


def main(output=OUTPUT):
    draw().save(output, optimize=True)
    print(f"Wrote {output}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT)
