"""Only the command line (``boardroom/cli``) imports the Dagster definitions (``orchestration``):
the rest of ``boardroom`` is used by ``orchestration`` and must not depend on it."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from boardroom.paths import PROJECT_ROOT

BOARDROOM = PROJECT_ROOT / "boardroom"
CLI = BOARDROOM / "cli"


def imported_modules(source: str, filename: str = "<source>") -> Iterator[tuple[int, str]]:
    """(line, module) of every absolute import in ``source``, nested ones included."""
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def orchestration_imports(path: Path) -> list[str]:
    return [
        f"{path.relative_to(PROJECT_ROOT)}:{line} imports {module}"
        for line, module in imported_modules(path.read_text(encoding="utf-8"), str(path))
        if module == "orchestration" or module.startswith("orchestration.")
    ]


def test_only_the_cli_imports_orchestration() -> None:
    modules = [p for p in sorted(BOARDROOM.rglob("*.py")) if CLI not in p.parents]
    assert len(modules) > 50 and not any(p.name == "main.py" for p in modules)
    offenders = [found for path in modules for found in orchestration_imports(path)]
    assert not offenders, "only boardroom/cli may import orchestration:\n" + "\n".join(offenders)


def test_every_form_of_import_is_seen() -> None:
    source = (
        "import orchestration\n"
        "import orchestration.partitions as p\n"
        "from orchestration.defs import pipeline\n"
        "def f():\n"
        "    from orchestration.defs.gate.scope import tenant_run_config\n"
        "from . import sibling\n"
        "import orchestrations\n"
    )
    found = [m for _, m in imported_modules(source) if m.split(".")[0] == "orchestration"]
    assert found == [
        "orchestration",
        "orchestration.partitions",
        "orchestration.defs",
        "orchestration.defs.gate.scope",
    ]
