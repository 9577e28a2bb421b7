#!/bin/sh
# Doxygen input filter of the student edition: print a source file with the
# body of each lab region (see the marker scheme in tools/labgen.py) replaced
# by a note saying which lab writes it. The BEGIN line becomes
#
#   // You write this in Lab 1: see labs/lab01_log/README.md
#
# the region's HINT lines stay (they are the assignment's hints), and the
# reference code and the END line go. Every line outside a region is printed
# as it is, so the signature and the snippet markers around it stay.
exec awk '
  /^[ \t]*\/\/[ \t]*BEGIN LAB([ \t]|$)/ {
    match($0, /^[ \t]*/)
    indent = substr($0, 1, RLENGTH)
    lab = $0
    sub(/^[ \t]*\/\/[ \t]*BEGIN LAB[ \t]*/, "", lab)
    sub(/[ \t].*/, "", lab)
    number = lab
    sub(/^lab0*/, "", number)
    sub(/[^0-9].*/, "", number)
    print indent "// You write this in Lab " number ": see labs/" lab "/README.md"
    in_region = 1
    in_hints = 1
    next
  }
  /^[ \t]*\/\/[ \t]*END LAB([ \t]|$)/ { in_region = 0; next }
  in_region && in_hints && /^[ \t]*\/\/[ \t]*HINT:/ { print; next }
  in_region { in_hints = 0; next }
  { print }
' "$1"
