#!/usr/bin/env python3
"""Checks that every line of crawld's logs is logfmt as common/log.h writes
it: key=value pairs split by one space, a key of printable bytes without
'=' or '"', a value either bare (no space, '=', '"' or control byte, not
empty) or double-quoted with the escapes \\" \\\\ \\n \\xNN and no raw
control byte; the line is UTF-8 and ends in a newline.

    python3 tests/logfmt_check.py FILE...

prints the first bad lines as FILE:LINE: why: text and exits 1 if there
are any (2 when a file cannot be read). The integration library imports
parse() and bad_lines() to check each daemon's log."""
import sys

ESCAPES = {'"': '"', "\\": "\\", "n": "\n"}
HEX = "0123456789abcdef"


class LogfmtError(ValueError):
    pass


def parse(line):
    """The pairs of one line (without its newline) as a list of (key,
    value), values decoded; raises LogfmtError naming the first fault.
    \\xNN escapes decode to the character U+00NN (a byte that was not
    UTF-8 reads back as that code point)."""
    pairs, i, n = [], 0, len(line)
    if n == 0:
        raise LogfmtError("empty line")
    while True:
        k = i
        while i < n and line[i] not in ' ="' and line[i] > " " and line[i] != "\x7f":
            i += 1
        if i == k:
            raise LogfmtError("no key at column %d" % (k + 1))
        key = line[k:i]
        if i >= n or line[i] != "=":
            raise LogfmtError("key %r without '=' at column %d" % (key, i + 1))
        i += 1
        if i < n and line[i] == '"':
            i += 1
            out = []
            while True:
                if i >= n:
                    raise LogfmtError("value of %r: no closing quote" % key)
                c = line[i]
                if c == '"':
                    i += 1
                    break
                if c < " " or c == "\x7f":
                    raise LogfmtError("value of %r: raw control byte 0x%02x at column %d"
                                      % (key, ord(c), i + 1))
                if c == "\\":
                    e = line[i + 1:i + 2]
                    if e in ESCAPES:
                        out.append(ESCAPES[e])
                        i += 2
                        continue
                    h = line[i + 2:i + 4]
                    if e == "x" and len(h) == 2 and all(x in HEX for x in h):
                        out.append(chr(int(h, 16)))
                        i += 4
                        continue
                    raise LogfmtError("value of %r: bad escape at column %d" % (key, i + 1))
                out.append(c)
                i += 1
            value = "".join(out)
        else:
            v = i
            while i < n and line[i] not in ' ="' and line[i] > " " and line[i] != "\x7f":
                i += 1
            if i == v:
                raise LogfmtError("key %r: empty bare value at column %d" % (key, v + 1))
            value = line[v:i]
        pairs.append((key, value))
        if i == n:
            return pairs
        if line[i] != " ":
            raise LogfmtError("%r at column %d where a space or the end belongs"
                              % (line[i], i + 1))
        i += 1


def bad_lines(data):
    """(line number, why, text) for each line of data (bytes) that fails."""
    bad = []
    lines = data.split(b"\n")
    torn = lines.pop() if lines else b""  # b"" when data ends in a newline
    for no, raw in enumerate(lines, 1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            bad.append((no, "not UTF-8 (byte %d)" % (e.start + 1), raw.decode("utf-8", "replace")))
            continue
        try:
            parse(text)
        except LogfmtError as e:
            bad.append((no, str(e), text))
    if torn:
        bad.append((len(lines) + 1, "no newline at the end", torn.decode("utf-8", "replace")))
    return bad


def main(argv):
    if len(argv) < 2:
        print("usage: logfmt_check.py FILE...", file=sys.stderr)
        return 2
    total, shown, rc = 0, 0, 0
    for path in argv[1:]:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            print("%s: %s" % (path, e.strerror), file=sys.stderr)
            rc = 2
            continue
        for no, why, text in bad_lines(data):
            total += 1
            if shown < 20:
                shown += 1
                print("%s:%d: %s: %s" % (path, no, why, text[:300]))
    if total:
        print("%d line(s) are not logfmt" % total)
    return rc or (1 if total else 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
