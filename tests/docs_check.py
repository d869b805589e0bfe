#!/usr/bin/env python3
"""Checks that every function docs/daemon.md names as `name()` (in
backticks, with its parentheses) is defined or declared in daemon/*.c|h or
common/*.c|h: a function renamed or removed must take its mention with it.

    python3 tests/docs_check.py [--root DIR]

prints each unknown name with its line and exits 1; 0 and one summary line
when every name is known (2 when a file is missing)."""
import glob
import os
import re
import sys

DOC = "docs/daemon.md"
SOURCES = ["daemon/*.c", "daemon/*.h", "common/*.c", "common/*.h"]
MENTION = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)\(\)`")
# A definition or prototype starts at column 0 with its type (house style:
# the type and the name on one line); a function-like macro is a #define.
DEFINE = re.compile(r"^(?:[A-Za-z_][\w\s\*]*?[\s\*])?([A-Za-z_]\w*)\s*\(")
MACRO = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)\(")


def defined(root):
    names = set()
    for pat in SOURCES:
        for f in glob.glob(os.path.join(root, pat)):
            with open(f, encoding="utf-8", errors="replace") as fp:
                for line in fp:
                    if line[:1].isspace() or line.startswith(("/*", "*", "//", "}")):
                        continue
                    m = MACRO.match(line) or DEFINE.match(line)
                    if m:
                        names.add(m.group(1))
    return names


def main(argv):
    root = "."
    if len(argv) == 3 and argv[1] == "--root":
        root = argv[2]
    elif len(argv) != 1:
        print("usage: docs_check.py [--root DIR]", file=sys.stderr)
        return 2
    doc = os.path.join(root, DOC)
    if not os.path.isfile(doc):
        print("docs_check: no %s" % doc, file=sys.stderr)
        return 2
    names = defined(root)
    bad, seen = 0, set()
    with open(doc, encoding="utf-8") as fp:
        for n, line in enumerate(fp, 1):
            for name in MENTION.findall(line):
                seen.add(name)
                if name not in names:
                    print("%s:%d: %s() is not defined in daemon/ or common/" % (DOC, n, name))
                    bad += 1
    print("docs_check: %d functions named in %s, %d unknown" % (len(seen), DOC, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
