#!/usr/bin/env python3
"""Check every step README's mapping table against the installed Twisted.

Each row's first cell either starts with "—" (no Twisted counterpart; a
parenthesis may say what plays its part) or cites Twisted as
`file.py: Class.member`: every backquoted name after a `file.py:` must be
defined in that file (a class, a function, a module-level name, or a
member of a class: a method, a class attribute, or `self.name = ...`).
A bare `name` after `Class.member` is looked up in Class first; `.name`
always is.  "file.py: the module body" names the file itself.  Paths are
relative to twisted/internet/, else to twisted/, else the README's own
directory (the step's Python twins), else Python's library (heapq.py).
Twisted's docs/core/examples (simpleserv.py) are not installed: unchecked.

The prose is checked too: every "file.py: `name`" in a README must name
something real, by the same rules.

    .ci/check_mapping_tables.py [README.md ...]   exit 1 on any bad row
"""
import ast
import glob
import keyword
import os
import re
import sys

import twisted

TWISTED = os.path.dirname(twisted.__file__)
FILE = re.compile(r"([\w/]+\.py):")
NAME = re.compile(r"`([^`]*)`")
IDENT = re.compile(r"^\.?[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$")
NOT_INSTALLED = {"simpleserv.py"}


def resolve(path, here):
    for base in (os.path.join(TWISTED, "internet"), TWISTED, here,
                 os.path.dirname(os.__file__)):
        if os.path.isfile(os.path.join(base, path)):
            return os.path.join(base, path)
    return None


_defs = {}


def definitions(path):
    """{None: module-level names, "Class": its members}."""
    if path in _defs:
        return _defs[path]
    tree = ast.parse(open(path, encoding="utf-8").read())
    names = {None: set()}

    def targets(node):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for t in node.targets if isinstance(node, ast.Assign) else [node.target]:
                for n in ast.walk(t):
                    if isinstance(n, ast.Name):
                        yield n.id

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[None].add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names[None].update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.If, ast.Try)):  # names set under a condition
            for sub in ast.walk(node):
                if isinstance(sub, (ast.FunctionDef, ast.ClassDef)):
                    names[None].add(sub.name)
                names[None].update(targets(sub))
        names[None].update(targets(node))
        if isinstance(node, ast.ClassDef):
            members = names.setdefault(node.name, set())
            body = list(node.body)
            while body:  # its own statements, and those under an `if`
                sub = body.pop()
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    members.add(sub.name)
                elif isinstance(sub, (ast.If, ast.Try)):
                    body.extend(sub.body + sub.orelse + getattr(sub, "finalbody", []))
                members.update(targets(sub))
            for sub in ast.walk(node):  # self.x = ...
                if isinstance(sub, (ast.Assign, ast.AnnAssign)):
                    for t in sub.targets if isinstance(sub, ast.Assign) else [sub.target]:
                        if (isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                                and t.value.id == "self"):
                            members.add(t.attr)
    _defs[path] = names
    return names


def check_name(defs, name, last_class):
    """The error for `name`, or None; and the class it leaves current."""
    parts = name.lstrip(".").split(".")
    if name.startswith("."):
        if not last_class:
            return "no class before %s" % name, last_class
        parts = [last_class] + parts
    elif len(parts) == 1 and last_class and parts[0] in defs.get(last_class, ()):
        return None, last_class
    if len(parts) == 1:
        if parts[0] in defs[None]:
            return None, parts[0] if parts[0] in defs else last_class
        return "%s is not defined there" % parts[0], last_class
    cls, member = parts[0], parts[1]
    if cls not in defs:
        return "no class %s there" % cls, last_class
    if member not in defs[cls]:
        return "%s has no member %s" % (cls, member), cls
    return None, cls


def check_cell(cell, here):
    cell = cell.strip()
    if cell.startswith("—"):
        return []
    hits = list(FILE.finditer(cell))
    if not hits:
        return ["names no file.py:"]
    errors = []
    for i, hit in enumerate(hits):
        path = resolve(hit.group(1), here)
        end = hits[i + 1].start() if i + 1 < len(hits) else len(cell)
        segment = cell[hit.end():end]
        if hit.group(1) in NOT_INSTALLED:
            continue
        if not path:
            errors.append("no such file %s" % hit.group(1))
            continue
        defs = definitions(path)
        names = NAME.findall(segment)
        if segment.strip().startswith("the module body"):
            continue
        if not names:
            errors.append("%s: no `name` after it" % hit.group(1))
        last_class = None
        for name in names:
            if not IDENT.match(name) or keyword.iskeyword(name):
                continue  # code quoted in passing, e.g. `pop(0)`
            err, last_class = check_name(defs, name, last_class)
            if err:
                errors.append("%s: %s" % (hit.group(1), err))
    return errors


def tables(readme):
    """(line number, first cell) of every row of the mapping table."""
    in_table = False
    for n, line in enumerate(open(readme, encoding="utf-8"), 1):
        if line.startswith("| Twisted"):
            in_table = True
            continue
        if in_table and line.startswith("|---"):
            continue
        if in_table and line.startswith("|"):
            yield n, line.split("|")[1]
        elif in_table:
            in_table = False


PROSE = re.compile(r"([\w/]+\.py): `([^`]+)`")


def prose(readme):
    """(line number, "file.py: `name`") of every citation outside tables."""
    for n, line in enumerate(open(readme, encoding="utf-8"), 1):
        if not line.startswith("|"):
            for m in PROSE.finditer(line):
                yield n, m.group(0)


def main(readmes):
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    readmes = readmes or sorted(glob.glob(os.path.join(root, "step0*/README.md")))
    bad = rows = 0
    for readme in readmes:
        for n, cell in tables(readme):
            rows += 1
            for err in check_cell(cell, os.path.dirname(readme)):
                bad += 1
                print("%s:%d: %s\n    %s" % (os.path.relpath(readme, root), n, err,
                                             cell.strip()))
        for n, cite in prose(readme):
            rows += 1
            for err in check_cell(cite, os.path.dirname(readme)):
                bad += 1
                print("%s:%d: %s\n    %s" % (os.path.relpath(readme, root), n, err, cite))
    print("%d rows and citations checked against Twisted %s, %d problems"
          % (rows, twisted.__version__, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
