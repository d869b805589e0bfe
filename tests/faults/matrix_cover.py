"""Checks tests/faults/matrix.conf before `make test-matrix` runs it, and
prints its rows as $CRAWLD_MATRIX words (one line each, name first).

  python3 tests/faults/matrix_cover.py [--self-test] [MATRIX_CONF]

Fails (exit 1, naming what is wrong) when the table has more than 8 rows,
an unknown column or value, no row that is the shipped defaults exactly
(tuned=no and every crawld column "-"), or when some pair of values of two
settings is in no row: every value of each setting below must meet every
value of every other setting in at least one row. "-" stands for crawld's
built-in default, read from conf/crawld.conf; a value outside the levels
(workers = 2, the default) covers no pair of that setting.

--self-test also checks the checker: a table with a pair missing must fail."""
import itertools, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
LEVELS = {
    "per_host_concurrency": ("1", "4"),
    "hosts": ("1", "3"),
    "queue_per_worker": ("0", "8"),
    "coalesce_us": ("0", "2000"),
    "js": ("false", "true"),
    "workers": ("1", "4"),
    "fetches_per_worker": ("1", "64"),
}
CRAWLD_KEYS = ("per_host_concurrency", "queue_per_worker", "coalesce_us", "js", "workers",
               "fetches_per_worker")
COLUMNS = ("name",) + tuple(LEVELS) + ("tuned",)
MAX_ROWS = 8
BOOL = {"true": "true", "yes": "true", "on": "true", "1": "true",
        "false": "false", "no": "false", "off": "false", "0": "false"}


def builtin_defaults():
    """The shipped defaults of the crawld keys, from conf/crawld.conf."""
    out = {}
    with open(os.path.join(ROOT, "conf", "crawld.conf")) as f:
        for line in f:
            k, eq, v = line.partition("=")
            if eq and not line.startswith((";", "#")) and k.strip() in CRAWLD_KEYS:
                out[k.strip()] = v.strip()
    out["js"] = BOOL[out["js"]]
    return out


def read_table(path):
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            cells = line.split()
            if len(cells) != len(COLUMNS):
                raise SystemExit("%s:%d: %d columns, want %d (%s)"
                                 % (path, n, len(cells), len(COLUMNS), " ".join(COLUMNS)))
            rows.append(dict(zip(COLUMNS, cells)))
    return rows


def problems(rows, defaults):
    """What is wrong with the table, as a list of sentences (empty: fine)."""
    out = []
    if not 0 < len(rows) <= MAX_ROWS:
        out.append("%d rows, want 1 to %d" % (len(rows), MAX_ROWS))
    names = [r["name"] for r in rows]
    if len(set(names)) != len(names):
        out.append("row names repeat: %s" % names)
    eff = []
    for r in rows:
        if r["tuned"] not in ("yes", "no"):
            out.append("%s: tuned is yes or no, not %r" % (r["name"], r["tuned"]))
        e = {}
        for k in LEVELS:
            v = r[k]
            if v == "-":
                if k not in CRAWLD_KEYS:
                    out.append("%s: %s needs a value" % (r["name"], k))
                    continue
                v = defaults[k]
            elif k == "js":
                v = BOOL.get(v, v)
            if v not in LEVELS[k] and not (k in CRAWLD_KEYS and v == defaults[k]):
                out.append("%s: %s = %s is neither a level %s nor the default"
                           % (r["name"], k, v, LEVELS[k]))
            e[k] = v
        eff.append(e)
    if not any(r["tuned"] == "no" and all(r[k] == "-" for k in CRAWLD_KEYS) for r in rows):
        out.append("no row runs the shipped defaults exactly (tuned no, every crawld key -)")
    for a, b in itertools.combinations(LEVELS, 2):
        for va in LEVELS[a]:
            for vb in LEVELS[b]:
                if not any(e.get(a) == va and e.get(b) == vb for e in eff):
                    out.append("pair not covered: %s=%s with %s=%s" % (a, va, b, vb))
    return out


def env_words(r):
    """The $CRAWLD_MATRIX value of a row ("-" columns left out)."""
    return " ".join("%s=%s" % (k, r[k]) for k in COLUMNS if r[k] != "-")


def main(argv):
    self_test = "--self-test" in argv
    args = [a for a in argv if a != "--self-test"]
    path = args[0] if args else os.path.join(HERE, "matrix.conf")
    rows = read_table(path)
    defaults = builtin_defaults()
    bad = problems(rows, defaults)
    if bad:
        for b in bad:
            print("matrix.conf: " + b, file=sys.stderr)
        return 1
    if self_test:
        # Drop the covering rows one at a time: the checker must see a
        # missing pair in at least one of the smaller tables, and must see
        # the pair a row with every value flipped would be the only one to give.
        caught = sum(1 for i in range(len(rows))
                     if any(p.startswith("pair not covered")
                            for p in problems(rows[:i] + rows[i + 1:], defaults)))
        if caught == 0:
            print("matrix_cover: self-test: no row is needed for any pair; the check cannot fail",
                  file=sys.stderr)
            return 1
        if not problems([rows[0]], defaults):
            print("matrix_cover: self-test: one row passes as covering", file=sys.stderr)
            return 1
    for r in rows:
        print(env_words(r))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
