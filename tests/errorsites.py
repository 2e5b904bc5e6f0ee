"""Every message and hint a ``CurtoolError`` can carry, read from the source (AST), as templates.

A template is the text with each interpolated value as ``{}`` (literal braces doubled), the
form :mod:`curtool.app.messages` keys its translations by.  An argument that is a parameter of
the function around it (``_bad(path, message, hint)``) is followed to every call of that
function, so a helper that builds errors is checked at its callers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "curtool"
# the lambdas handed to check_output_template are called there as fail(message, hint)
LAMBDA_FACTORIES = {
    ("curtool/io/configfile.py", "fail"): (0, 1),
    ("curtool/io/csvdialects.py", "fail"): (0, 1),
}


@dataclass(frozen=True)
class Site:
    file: str
    line: int
    role: str  # "message" or "hint"
    template: str | None  # None: the argument could not be read as text


_CONSTANTS: dict[str, ast.expr] = {}  # module-level assignments of the package, by name


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def templates(node: ast.expr | None) -> list[str] | None:
    """The templates an expression can produce, or None when it is not text written here."""
    if node is None:
        return [""]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [_escape(node.value)]
    if isinstance(node, ast.JoinedStr):
        out = [""]
        for part in node.values:
            if isinstance(part, ast.Constant):
                out = [o + _escape(str(part.value)) for o in out]
            else:
                out = [o + "{}" for o in out]
        return out
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = templates(node.left), templates(node.right)
        if left is None or right is None:
            return None
        return [a + b for a in left for b in right]
    if isinstance(node, ast.IfExp):
        a, b = templates(node.body), templates(node.orelse)
        if a is None or b is None:
            return None
        return a + b
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join":
        return ["{}"]
    if isinstance(node, ast.Attribute) and node.attr in ("message", "hint"):
        return ["{}"]  # another error's text, passed on: checked where that error is raised
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return templates(_CONSTANTS[node.id])
    return None


def _arg(call: ast.Call, index: int, name: str) -> tuple[bool, ast.expr | None]:
    if len(call.args) > index and not any(isinstance(a, ast.Starred) for a in call.args[: index + 1]):
        return True, call.args[index]
    for kw in call.keywords:
        if kw.arg == name:
            return True, kw.value
    return False, None


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _resolve(name, node, parents, constants, factories, role):
    """What a name passed as a message or hint holds: a local or module constant, or a
    parameter (then the function's callers are read instead: returns None)."""
    scope = parents.get(node)
    while scope is not None and not isinstance(scope, (ast.FunctionDef, ast.Lambda)):
        scope = parents.get(scope)
    if isinstance(scope, ast.Lambda) and name.id in [a.arg for a in scope.args.args]:
        return None  # the lambda's callers are listed in LAMBDA_FACTORIES
    if isinstance(scope, ast.FunctionDef):
        params = [a.arg for a in scope.args.args]
        if name.id in params:
            entry = (params.index(name.id), name.id, role)
            if entry not in factories.setdefault(scope.name, []):
                factories[scope.name].append(entry)
            return None
        for stmt in ast.walk(scope):
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name.id for t in stmt.targets
            ):
                return stmt.value
    return constants.get(name.id, name)


def sites(package: Path = PACKAGE) -> Iterator[Site]:
    trees = {
        str(p.relative_to(package.parent)): ast.parse(p.read_text(encoding="utf-8"))
        for p in sorted(package.rglob("*.py"))
    }
    # (function name, parameter position, role) of every helper that passes its parameter on
    factories: dict[str, list[tuple[int, str, str]]] = {
        f"{file}:{name}": [(m, "message", "message"), (h, "hint", "hint")]
        for (file, name), (m, h) in LAMBDA_FACTORIES.items()
    }
    constants = _CONSTANTS
    constants.update(
        {
            target.id: node.value
            for tree in trees.values()
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
    )
    direct: list[tuple[str, int, str, ast.expr | None]] = []
    for file, tree in trees.items():
        parents = _parents(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _name(node.func) == "CurtoolError"):
                continue
            for index, role in ((1, "message"), (2, "hint")):
                given, value = _arg(node, index, role)
                if role == "hint" and not given:
                    continue
                if isinstance(value, ast.Name):
                    value = _resolve(value, node, parents, constants, factories, role)
                    if value is None:
                        continue
                direct.append((file, node.lineno, role, value))
    for file, tree in trees.items():
        parents = _parents(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            name = name if name in factories else f"{file}:{name}"
            if name in factories:
                for pos, param, role in factories[name]:
                    given, value = _arg(node, pos, param)
                    if isinstance(value, ast.Name):
                        value = _resolve(value, node, parents, constants, factories, role)
                        if value is None:
                            continue
                    if given:
                        direct.append((file, node.lineno, role, value))
    # a helper's default message or hint («_bad(path, message, hint="give a GeoJSON …")») is
    # what every call that leaves it out carries
    defs = {
        node.name: (file, node)
        for file, tree in trees.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
    }
    for name, entries in factories.items():
        if name not in defs:
            continue
        file, func = defs[name]
        params = [a.arg for a in func.args.args]
        defaults = dict(zip(params[len(params) - len(func.args.defaults) :], func.args.defaults, strict=True))
        for _, param, role in entries:
            if param in defaults and not (
                isinstance(defaults[param], ast.Constant) and defaults[param].value in (None, "")
            ):
                direct.append((file, func.lineno, role, defaults[param]))
    for file, line, role, value in direct:
        found = templates(value)
        if found is None:
            yield Site(file, line, role, None)
        else:
            for template in found:
                if template:
                    yield Site(file, line, role, template)
