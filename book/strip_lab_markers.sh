#!/bin/sh
# Doxygen input filter: print a source file without the lab markers that
# tools/labgen.py reads (// BEGIN LAB ..., // HINT: ..., // END LAB), so the
# book's code excerpts show the reference code as a reader should see it.
exec sed -E '/^[[:space:]]*\/\/[[:space:]]*(BEGIN LAB([[:space:]]|$)|END LAB([[:space:]]|$)|HINT:)/d' "$1"
