"""No module reads the sequencer's, protect's or defrost's state except through its view.

Each of the three says in its module doc what the others may use: its public methods,
and the attributes its "View:" paragraph names (read-only). This test reads every
firmware module and every desktop tool, finds each attribute used on one of the parts
(`ctl.seq.x`, `self.protect.x`, a local bound to one, a parameter named `seq` or `pr`)
and fails on one the view does not name, or on a write to a part's attribute. So a
field that is not in a view can be renamed without breaking another module.
"""

import ast
import glob
import os
import re

import pytest

from tools import REPO

FIRMWARE = os.path.join(REPO, "firmware", "heatpump")
PARTS = {  # the attribute a part goes by -> (its module, its class)
    "seq": ("sequencer", "Sequencer"),
    "protect": ("protect", "Protect"),
    "defrost": ("defrost", "Defrost"),
    "air": ("air", "Air"),  # the sequencer's parts
    "tally": ("tally", "Tally"),
}
PARAMS = {"seq": "seq", "pr": "protect"}  # parameter names that stand for a part
SWAPPABLE = {"hal"}  # the view's own words: a bench may swap the HAL


def _read(path):
    with open(path) as f:
        return f.read()


def _view(part):
    module, cls = PARTS[part]
    tree = ast.parse(_read(os.path.join(FIRMWARE, module + ".py")))
    doc = ast.get_docstring(tree) or ""
    para = doc.split("View:", 1)[1].split("\n\n", 1)[0]
    attrs = set(re.findall(r"`([a-z_]+)`", para))
    methods = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == cls:
            methods = {
                f.name
                for f in node.body
                if isinstance(f, ast.FunctionDef) and not f.name.startswith("_")
            }
    assert methods, f"{cls} not found in {module}.py"
    return attrs, methods


def _uses(path):
    """[(part, attribute, is_write, line)] of every use of a part's attribute."""
    found = []
    tree = ast.parse(_read(path))
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        names = {a.arg: PARAMS[a.arg] for a in fn.args.args if a.arg in PARAMS}
        for node in ast.walk(fn):
            value = node.value if isinstance(node, ast.Assign) else None
            if isinstance(value, ast.Attribute) and value.attr in PARTS:
                for t in node.targets:
                    if isinstance(t, ast.Name):
                        names[t.id] = value.attr
        for node in ast.walk(fn):
            if not isinstance(node, ast.Attribute):
                continue
            v = node.value
            part = None
            if isinstance(v, ast.Attribute) and v.attr in PARTS:
                part = v.attr
            elif isinstance(v, ast.Name) and v.id in names:
                part = names[v.id]
            if part is not None:
                write = isinstance(node.ctx, ast.Store)
                found.append((part, node.attr, write, node.lineno))
    return found


def _sources():
    paths = glob.glob(os.path.join(FIRMWARE, "**", "*.py"), recursive=True)
    paths += glob.glob(os.path.join(REPO, "tools", "**", "*.py"), recursive=True)
    return sorted(paths)


@pytest.mark.parametrize("part", sorted(PARTS))
def test_other_modules_use_only_the_parts_view(part):
    attrs, methods = _view(part)
    own = os.path.join(FIRMWARE, PARTS[part][0] + ".py")
    bad = []
    for path in _sources():
        if path == own:
            continue
        for p, attr, write, line in _uses(path):
            if p != part:
                continue
            where = f"{os.path.relpath(path, REPO)}:{line}"
            if write and attr not in SWAPPABLE:
                bad.append(f"{where} writes {part}.{attr}")
            elif attr not in attrs and attr not in methods:
                bad.append(f"{where} reads {part}.{attr}, not in its view")
    assert bad == [], "\n".join(bad)


def test_every_name_in_a_view_is_the_parts_own():
    # A view that names an attribute the part does not have is a stale document.
    for part, (module, _cls) in PARTS.items():
        attrs, _methods = _view(part)
        src = _read(os.path.join(FIRMWARE, module + ".py"))
        for a in attrs:
            assert f"self.{a} =" in src or f"self.{a}," in src, f"{module}: {a}"
