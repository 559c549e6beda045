"""The code's shape, held: short functions and modules in the firmware, no lint or
type switches in it, and no import cycle anywhere in the firmware or the tools."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIRMWARE = ROOT / "firmware"
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 350
# Over the limit, each with its reason and a cap so that it cannot grow (none now).
LONGER: dict[str, int] = {}
SWITCHES = ("# noqa", "# type: ignore", "# pyright:", "# ruff:")


def _firmware_files():
    return sorted(FIRMWARE.rglob("*.py"))


def _rel(path):
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", _firmware_files(), ids=_rel)
def test_firmware_module_is_short(path):
    n = len(path.read_text().splitlines())
    most = LONGER.get(_rel(path), MAX_MODULE_LINES)
    assert n <= most, f"{_rel(path)}: {n} lines (at most {most})"


@pytest.mark.parametrize("path", _firmware_files(), ids=_rel)
def test_firmware_functions_fit_a_screen(path):
    tree = ast.parse(path.read_text())
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"{_rel(path)}: over {MAX_FUNCTION_LINES} lines: {', '.join(long)}"


@pytest.mark.parametrize("path", _firmware_files(), ids=_rel)
def test_firmware_has_no_lint_or_type_switches(path):
    found = [
        f"line {i}: {line.strip()}"
        for i, line in enumerate(path.read_text().splitlines(), 1)
        if any(s in line for s in SWITCHES)
    ]
    assert not found, f"{_rel(path)}: {found}"


def _module_name(path):
    """The dotted name a file is imported as (firmware/ and the root are on the path)."""
    base = FIRMWARE if FIRMWARE in path.parents else ROOT
    parts = list(path.relative_to(base).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path, known):
    """Every project module path's code imports, at any depth (a function's import
    counts too: it is a dependency all the same)."""
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != me:
                found.add(name)
    return found


def _cycle(graph):
    """One import cycle as a list of modules, or None."""
    state = {}

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt, stack)
                if found:
                    return found
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


def _project_files():
    return [*_firmware_files(), *sorted((ROOT / "tools").rglob("*.py"))]


def test_no_import_cycle_in_the_firmware_or_the_tools():
    files = {_module_name(p): p for p in _project_files()}
    # A package imports its own modules to offer them: that is not a cycle.
    graph = {
        name: {m for m in _imports(path, files) if not m.startswith(name + ".")}
        for name, path in files.items()
    }
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_a_planted_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
