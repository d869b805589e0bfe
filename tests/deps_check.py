#!/usr/bin/env python3
"""Checks that no two of crawld's modules depend on each other, directly or
round a longer circle. A module is x.c (or x.cpp) with its x.h (or x.hpp),
named by its path without the extension (daemon/pool); module a depends on
b when a file of a has `#include "…"` of a file of b. Includes are found as
the compiler finds them: the including file's own directory, then common/,
worker/, daemon/ (the Makefile's -I order); an include that names no file
of ours (system, Check, testutil.h) is left out.

A module may span several .c files that share one internal header
x_int.h: the header belongs to module x (daemon/jobs_int.h to daemon/jobs),
and so does every .c file of its directory that includes it (daemon/sched.c,
daemon/output.c, ... are daemon/jobs). Their calls into each other are one
module's business; a circle through the group and anything else is still one.

    python3 tests/deps_check.py [--root DIR]

prints every circle as `circle: a -> b -> a (modules in it: …)` with every
include line between those modules and exits 1 when there is one; 0 and one summary line when none
(2 when DIR has none of the directories)."""
import os
import re
import sys

DIRS = ["common", "daemon", "worker", "worker/js"]
SEARCH = ["common", "worker", "daemon"]  # -I order after the file's own directory
EXTS = (".c", ".h", ".cpp", ".hpp")
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


INTERNAL = "_int.h"  # x_int.h: the internal header of module x


def module_of(path, group=None):
    if group and path in group:
        return group[path]
    if path.endswith(INTERNAL):
        return path[: -len(INTERNAL)]
    return os.path.splitext(path)[0]


def includes(root, f):
    """[(line number, text, included name)] of f's `#include "…"` lines."""
    out = []
    with open(os.path.join(root, f), encoding="utf-8", errors="replace") as fp:
        for n, line in enumerate(fp, 1):
            hit = INCLUDE.match(line)
            if hit:
                out.append((n, line.strip(), hit.group(1)))
    return out


def groups(root, files):
    """{file: module} for the .c files that include an internal header of
    their own directory (x_int.h): they are module x."""
    out = {}
    for f in files:
        if not f.endswith((".c", ".cpp")):
            continue
        d = os.path.dirname(f)
        for _, _, name in includes(root, f):
            cand = os.path.normpath(os.path.join(d, name))
            if name.endswith(INTERNAL) and "/" not in name and os.path.isfile(
                    os.path.join(root, cand)):
                out[f] = module_of(cand)
    return out


def scan(root):
    """{module: {dependency: [(file, line number, text)]}} and the set of
    modules."""
    files = []
    for d in DIRS:
        full = os.path.join(root, d)
        if not os.path.isdir(full):
            continue
        for name in sorted(os.listdir(full)):
            if name.endswith(EXTS) and os.path.isfile(os.path.join(full, name)):
                files.append(d + "/" + name)
    known = set(files)
    group = groups(root, files)
    deps, modules = {}, set()
    for f in files:
        m = module_of(f, group)
        modules.add(m)
        deps.setdefault(m, {})
        for n, text, name in includes(root, f):
            target = None
            for base in [os.path.dirname(f)] + SEARCH:
                cand = os.path.normpath(os.path.join(base, name))
                if cand in known:
                    target = cand
                    break
            if target is None or module_of(target, group) == m:
                continue
            deps[m].setdefault(module_of(target, group), []).append((f, n, text))
    return deps, modules


def components(deps, modules):
    """Strongly connected components (Tarjan), iteratively."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = 0
    for start in sorted(modules):
        if start in index:
            continue
        work = [(start, iter(sorted(deps.get(start, {}))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(deps.get(w, {})))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


def circle(deps, comp):
    """One circle through the first module of comp, staying inside comp
    (breadth first, so the shortest)."""
    inside, first = set(comp), comp[0]
    prev, queue = {first: None}, [first]
    while queue:
        v = queue.pop(0)
        for w in sorted(deps.get(v, {})):
            if w not in inside:
                continue
            if w == first:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return path[::-1] + [first]
            if w not in prev:
                prev[w] = v
                queue.append(w)
    return None


def main(argv):
    root = "."
    if len(argv) == 3 and argv[1] == "--root":
        root = argv[2]
    elif len(argv) != 1:
        print("usage: deps_check.py [--root DIR]", file=sys.stderr)
        return 2
    deps, modules = scan(root)
    if not modules:
        print("deps_check: no module under %s" % os.path.abspath(root), file=sys.stderr)
        return 2
    bad = [c for c in components(deps, modules) if len(c) > 1]
    for comp in bad:
        print("circle: %s (modules in it: %s)" % (" -> ".join(circle(deps, comp)),
                                                 " ".join(comp)))
        for a in comp:
            for b in sorted(deps[a]):
                if b in comp:
                    for f, n, text in deps[a][b]:
                        print("    %s:%d: %s" % (f, n, text))
    edges = sum(len(v) for v in deps.values())
    print("deps_check: %d modules, %d dependencies, %d circles" % (len(modules), edges, len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
