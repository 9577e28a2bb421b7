"""The student edition of the book shows no lab answer.

A lab region (tools/labgen.py) is the body of a function that a student
writes: `// BEGIN LAB <lab> <function>`, its HINT lines, the reference code,
`// END LAB`. A *reference line* is a line of that code that the book's sources
hold nowhere outside a region, so a page showing it shows the answer.

For every region in the book's sources this test checks that
  1. the student filter (book/hide_lab_bodies.sh) prints, for the region's
     file, the note naming the region's lab and the region's HINT lines, and
     none of its reference lines;
  2. no page of the student edition shows a reference line of any region, and
     every page that quotes the region in the full edition shows the note;
  3. the full edition does show the reference lines of the regions it quotes,
     so that check 2 looks for lines that a leak would show.

Usage: student_edition_test.py --filter SCRIPT --full DIR --student DIR SOURCE...
(the sources are the book's srcs; files without regions take part in deciding
which lines are reference lines).
"""

import argparse
import html
import os
import re
import subprocess
import sys

# The markers, as tools/labgen.py reads them.
BEGIN = re.compile(r"^[ \t]*//[ \t]*BEGIN LAB[ \t]+(?P<lab>\S+)[ \t]+(?P<function>.*\S)")
END = re.compile(r"^[ \t]*//[ \t]*END LAB\b")
HINT = re.compile(r"^[ \t]*//[ \t]*HINT:")
TAG = re.compile(r"<[^>]*>")


def normalized(line):
    """A line as a reader compares it: spaces collapsed, no indent."""
    return " ".join(line.split())


def note_for(lab):
    """The line that stands for a region's body in the student edition."""
    number = str(int(re.match(r"lab(\d+)", lab).group(1)))
    return "// You write this in Lab %s: see labs/%s/README.md" % (number, lab)


class Region:
    def __init__(self, path, lab, function):
        self.path = path
        self.lab = lab
        self.function = function
        self.hints = []
        self.code = []  # normalized lines of the reference code

    def __str__(self):
        return "%s %s (%s)" % (self.lab, self.function, self.path)


def read_regions(path, lines):
    """The regions of one file, and the normalized lines outside them."""
    regions, outside, region = [], set(), None
    for line in lines:
        begin = BEGIN.match(line)
        if begin:
            region = Region(path, begin.group("lab"), begin.group("function"))
            regions.append(region)
        elif END.match(line):
            region = None
        elif region is None:
            outside.add(normalized(line))
        elif HINT.match(line) and not region.code:
            region.hints.append(line)
        elif normalized(line):
            region.code.append(normalized(line))
    return regions, outside


def reference_lines(region, outside):
    return {line for line in region.code if line not in outside}


def shown_lines(page_path):
    """The normalized text lines of one HTML page (Doxygen writes each code
    line on a line of its own)."""
    with open(page_path, encoding="utf-8") as page:
        return {normalized(html.unescape(TAG.sub("", line))) for line in page}


def pages(edition):
    return sorted(name for name in os.listdir(edition) if name.endswith(".html"))


def check_filter(filter_script, regions, outside):
    failures = []
    for region in regions:
        out = subprocess.run(["sh", filter_script, region.path], check=True,
                             capture_output=True, text=True).stdout.splitlines()
        printed = {normalized(line) for line in out}
        if note_for(region.lab) not in printed:
            failures.append("%s: the filter prints no %r" % (region, note_for(region.lab)))
        for hint in region.hints:
            if hint not in out:
                failures.append("%s: the filter drops the hint %r" % (region, hint.strip()))
        for line in sorted(reference_lines(region, outside) & printed):
            failures.append("%s: the filter prints the reference line %r" % (region, line))
    return failures


def check_editions(full, student, regions, outside):
    failures, quoted = [], set()
    for name in pages(full):
        full_lines = shown_lines(os.path.join(full, name))
        student_lines = shown_lines(os.path.join(student, name))
        for region in regions:
            reference = reference_lines(region, outside)
            if reference & full_lines:
                quoted.add(region)
                if normalized(note_for(region.lab)) not in student_lines:
                    failures.append("student %s quotes %s without its note" % (name, region))
            for line in sorted(reference & student_lines):
                failures.append("student %s shows %s: %r" % (name, region, line))
    if not quoted:
        failures.append("the full edition shows no reference line of any region, "
                        "so the student edition's check could not fail")
    for region in regions:
        if region not in quoted:
            print("note: the book does not quote %s" % region)
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--filter", required=True)
    parser.add_argument("--full", required=True)
    parser.add_argument("--student", required=True)
    parser.add_argument("sources", nargs="+")
    args = parser.parse_args()

    regions, outside = [], set()
    for path in args.sources:
        if path.endswith((".h", ".cc")):
            with open(path, encoding="utf-8") as source:
                file_regions, file_outside = read_regions(path, source.read().splitlines())
            regions += file_regions
            outside |= file_outside
    if not regions:
        sys.exit("no BEGIN LAB regions in the book's sources")
    if set(pages(args.full)) != set(pages(args.student)):
        sys.exit("the editions have different pages: %s" %
                 sorted(set(pages(args.full)) ^ set(pages(args.student))))

    failures = (check_filter(args.filter, regions, outside) +
                check_editions(args.full, args.student, regions, outside))
    for failure in failures:
        print("FAIL: " + failure)
    print("%d regions, %d pages, %d failures" % (len(regions), len(pages(args.full)), len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
