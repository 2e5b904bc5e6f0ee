"""The import contract of the three floors, checked on the source (CI runs it beside ruff).

Rules (docs/DESIGN.md):

1. ``curtool.core`` imports neither ``curtool.io`` nor ``curtool.app``; ``curtool.io`` does
   not import ``curtool.app``; neither core nor io imports ``curtool.synthetic`` (the sample
   generator stands beside the house, uses io to write its files, and only the CLI's
   ``sample`` command calls it).
2. No private name crosses a module: ``from curtool.x import _name`` and ``x._name`` on an
   imported curtool module are refused (a name another module needs is public).
3. ``curtool.core`` touches no file: no ``open``, ``read_text``/``read_bytes``/``write_*``,
   ``np.load``, ``tarfile.open``, ``pd.read_*``/``to_csv``/``to_excel``, ``glob``, except in
   ``core/resources.py``, the one reader of the package's own bundled, read-only data.

Every import is checked, also those inside functions.  Prints one line per breach
(``file:line: rule: what``) and exits 1 if there is any.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "curtool"
FLOORS = ("core", "io", "app")
# a floor may import the floors listed (besides itself and the package root's version)
ALLOWED = {"core": set(), "io": {"core"}, "app": {"core", "io"}}
FILE_CALLS = {
    "open", "read_text", "read_bytes", "write_text", "write_bytes", "read_csv", "read_excel",
    "read_parquet", "to_csv", "to_excel", "to_parquet", "glob", "rglob", "iterdir", "unlink",
}
FILE_OWNERS = {"np.load", "tarfile.open", "zipfile.ZipFile", "os.listdir", "os.remove", "shutil.copy"}
RESOURCE_MODULE = PACKAGE / "core" / "resources.py"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def floor_of(name: str) -> str | None:
    parts = name.split(".")
    if len(parts) >= 2 and parts[0] == "curtool":
        if parts[1] in FLOORS or parts[1] == "synthetic":
            return parts[1]
        return "root"
    return None


def is_module(name: str) -> bool:
    """Whether a dotted ``curtool.…`` name is a module or package of the source tree."""
    where = PACKAGE.joinpath(*name.split(".")[1:])
    return where.is_dir() or where.with_suffix(".py").is_file()


def _resolve(node: ast.ImportFrom, here: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = here.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def check_file(path: Path) -> list[str]:
    here = module_name(path)
    floor = floor_of(here)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out: list[str] = []
    rel = path.relative_to(ROOT)
    imported_modules: dict[str, str] = {}  # local alias -> curtool module

    def breach(node: ast.AST, rule: str, what: str) -> None:
        out.append(f"{rel}:{getattr(node, 'lineno', 0)}: {rule}: {what}")

    def check_target(node: ast.AST, target: str) -> None:
        there = floor_of(target)
        if there is None or floor is None or floor in ("synthetic", "root"):
            return
        if there == "synthetic" and floor != "app":
            breach(node, "floors", f"{here} imports {target} (the generator stands beside the house)")
        elif there in FLOORS and there != floor and there not in ALLOWED[floor]:
            breach(node, "floors", f"{here} ({floor}) imports {target} ({there}); arrows point down only")

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                check_target(node, alias.name)
                if alias.name.startswith("curtool."):
                    imported_modules[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, here, path.name == "__init__.py")
            if not target.startswith("curtool"):
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}"
                # ``from curtool.core import columns`` imports a module, ``… import CurtoolError`` a name
                module = is_module(full)
                check_target(node, full if module else target)
                if module:
                    imported_modules[alias.asname or alias.name] = full
                if alias.name.startswith("_") and not alias.name.startswith("__") and target != here:
                    breach(node, "private", f"{here} imports {target}.{alias.name}")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            owner = imported_modules.get(node.value.id)
            if owner and node.attr.startswith("_") and not node.attr.startswith("__") and owner != here:
                breach(node, "private", f"{here} reads {owner}.{node.attr}")
    if floor == "core" and path != RESOURCE_MODULE:
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = ast.unparse(func) if isinstance(func, ast.Attribute) else name
            if name in FILE_CALLS or owner in FILE_OWNERS:
                breach(node, "no-files", f"{here} calls {owner}(): core touches no file")
    return out


def main() -> int:
    breaches = [line for path in sorted(PACKAGE.rglob("*.py")) for line in check_file(path)]
    for line in breaches:
        print(line)
    if breaches:
        print(f"{len(breaches)} breach(es) of the floors' contract; see scripts/check_floors.py")
        return 1
    print("floors: the import contract holds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
