"""curves.png: the loss and the accuracies per epoch, drawn with Pillow."""
from PIL import Image, ImageDraw

WIDTH, HEIGHT, MARGIN = 360, 280, 56
LOSS_LINES = (("train_loss", (31, 119, 180)), ("val_loss", (255, 127, 14)))
ACCURACY_LINES = (
    ("val_top1", (31, 119, 180)),
    ("val_top5", (255, 127, 14)),
    ("val_geo_750km", (44, 160, 44)),
    ("val_geo_2500km", (214, 39, 40)),
)


def _panel(title, history, lines, top):
    panel = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(panel)
    left, bottom, right, upper = MARGIN, HEIGHT - MARGIN, WIDTH - 12, 24
    draw.rectangle([left, upper, right, bottom], outline="black")
    draw.text((left, 6), title, fill="black")
    draw.text((4, upper - 4), "%.2f" % top, fill="black")
    draw.text((4, bottom - 8), "0", fill="black")
    last = max(len(history) - 1, 1)
    draw.text((left, bottom + 4), "epoch %d" % history[0]["epoch"], fill="black")
    draw.text((right - 50, bottom + 4), "epoch %d" % history[-1]["epoch"], fill="black")
    for row, (key, colour) in enumerate(lines):
        points = [
            (left + (right - left) * i / last, bottom - (bottom - upper) * min(entry[key] / top, 1.0))
            for i, entry in enumerate(history)
            if entry.get(key) is not None
        ]
        if len(points) > 1:
            draw.line(points, fill=colour, width=2)
        for x, y in points:
            draw.ellipse([x - 2, y - 2, x + 2, y + 2], fill=colour)
        draw.text((left + 150 * (row % 2), bottom + 20 + 12 * (row // 2)), key, fill=colour)
    return panel


def draw_curves(history, path):
    """Save a two-panel PNG of `history` (one dict of metrics an epoch) to `path`."""
    top_loss = max([entry[key] for entry in history for key, _ in LOSS_LINES if entry.get(key) is not None] + [1e-6])
    image = Image.new("RGB", (2 * WIDTH, HEIGHT), "white")
    image.paste(_panel("loss", history, LOSS_LINES, top_loss), (0, 0))
    image.paste(_panel("share of val photos", history, ACCURACY_LINES, 1.0), (WIDTH, 0))
    image.save(path)
