"""The house rules a new maintainer relies on (README, "Architecture"): dependencies run one way,
modules stay readable, and limits are written once."""

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "outreach"
LONGEST_MODULE = 500
# A limit in a form (min, max, maxlength) comes from outreach/limits.py (`limits.…`), or from
# the view; only a zero, the start of every count, may be written as it is.
HAND_WRITTEN_LIMIT = re.compile(r"""\b(?:min|max|maxlength)\s*=\s*["']?(?!0["'\s>])\d""")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of outreach/ that a module imports, at its top or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                prefix = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(prefix + ([node.module] if node.module else []))
            # `from outreach.reports import rollups` imports the module `outreach.reports.rollups`
            targets = [f"{base}.{alias.name}" for alias in node.names]
            targets = [target if target in known else base for target in targets]
        else:
            continue
        found.update(target for target in targets if target in known and target != name)
    return found


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports_of(name, path, known) for name, path in found.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def package_of(name: str) -> str:
    """The top-level package (domain) of a module: `outreach.records.service` → `records`."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_module_imports_itself_round_a_circle():
    assert cycles(import_graph()) == []


def test_no_two_packages_import_each_other():
    depends = defaultdict(set)
    for name, targets in import_graph().items():
        for target in targets:
            if package_of(name) != package_of(target):
                depends[package_of(name)].add(package_of(target))
    both_ways = sorted(
        (first, second)
        for first, targets in depends.items()
        for second in targets
        if first < second and first in depends.get(second, ())
    )
    assert both_ways == []


def test_the_import_check_sees_imports_inside_functions(tmp_path):
    """The check itself: an import hidden in a function counts."""
    path = PACKAGE / "reports" / "rollups.py"
    found = imports_of("outreach.reports.rollups", path, set(modules()))
    assert "outreach.records.models" in found
    hidden = tmp_path / "hidden.py"
    hidden.write_text("def late():\n    from outreach.records import models\n")
    assert imports_of("outreach.hidden", hidden, set(modules())) == {"outreach.records.models"}


def test_no_module_is_longer_than_a_reader_holds():
    long = {
        name: length
        for name, path in modules().items()
        if (length := len(path.read_text().splitlines())) > LONGEST_MODULE
    }
    assert long == {}


def test_no_template_writes_a_limit_by_hand():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if HAND_WRITTEN_LIMIT.search(line)
    ]
    assert found == []
