"""Every figure of the book fits its text column.

The column is 52em, 728 px (book/book.css). Doxygen puts each Graphviz graph
in an iframe of the graph's own size, which no style sheet can shrink, so a
graph wider than the column is cut off for the reader; sequence charts are
images whose SVG says how wide they were drawn. This test reads every page of
an edition and fails on any iframe or chart wider than the column, naming the
page and the figure.

Usage: layout_test.py DIR...   (the editions' HTML directories)
"""

import os
import re
import sys

COLUMN_PX = 728
IFRAME = re.compile(r'<iframe[^>]*src="(?P<src>[^"]+)"[^>]*width="(?P<width>\d+)"')
CHART = re.compile(r'<img[^>]*src="(?P<src>msc_[^"]+\.svg)"')
SVG_WIDTH = re.compile(r'<svg[^>]*\swidth="(?P<width>[\d.]+)(px|pt)?"')


def chart_width(directory, name):
    with open(os.path.join(directory, name), encoding="utf-8") as svg:
        found = SVG_WIDTH.search(svg.read(4096))
    return float(found.group("width")) if found else 0.0


def too_wide(directory):
    """(page, figure, width) for each figure wider than the column."""
    problems = []
    for page in sorted(os.listdir(directory)):
        if not page.endswith(".html"):
            continue
        with open(os.path.join(directory, page), encoding="utf-8") as html:
            text = html.read()
        for match in IFRAME.finditer(text):
            if int(match.group("width")) > COLUMN_PX:
                problems.append((page, match.group("src"), match.group("width")))
        for match in CHART.finditer(text):
            width = chart_width(directory, match.group("src"))
            if width > COLUMN_PX:
                problems.append((page, match.group("src"), width))
    return problems


def main(directories):
    failures = 0
    figures = 0
    for directory in directories:
        for page in os.listdir(directory):
            if page.endswith(".html"):
                with open(os.path.join(directory, page), encoding="utf-8") as html:
                    text = html.read()
                figures += len(IFRAME.findall(text)) + len(CHART.findall(text))
        for page, figure, width in too_wide(directory):
            print("%s: %s in %s is %s px wide; the column is %d px"
                  % (directory, figure, page, width, COLUMN_PX))
            failures += 1
    if figures == 0:
        print("no figures found: is this the book's HTML?")
        return 1
    print("%d figures checked, %d too wide" % (figures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
