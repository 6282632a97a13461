"""An import-linter contract type: private names of other packages are read in one module only.

import-linter's own ``private_modules`` contract covers the project's modules;
it cannot see into an external package, which its graph keeps as one node
(``scrapy``, not ``scrapy.pqueues``). This contract reads the import
statements the graph records from each module to an external package and
flags any that names a private part of it: a module (``protego._utils``) or
a name (``from scrapy.pqueues import _path_safe``) that begins with one
underscore. Only the modules in ``allowed_modules`` may.

Attribute reads on objects (``engine._slot``) are not imports and are not seen.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path
from typing import Any

from importlinter import Contract, ContractCheck, fields, output


class ExternalPrivateNamesContract(Contract):
    """Only ``allowed_modules`` import a private module or name of ``external_packages``."""

    type_name = "external_private_names"

    external_packages = fields.ListField(subfield=fields.StringField())
    allowed_modules = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph: Any, verbose: bool) -> ContractCheck:  # noqa: ARG002, FBT001 - import-linter's signature
        allowed = set(self.allowed_modules or ())
        found: list[dict[str, Any]] = []
        for package in self.external_packages:  # type: ignore[attr-defined]
            if package not in graph.modules:
                continue
            for importer in sorted(graph.find_modules_that_directly_import(package)):
                if importer in allowed:
                    continue
                lines = {d["line_number"] for d in graph.get_import_details(importer=importer, imported=package)}
                for line, names in _private_imports(importer, package, lines):
                    found.append({"importer": importer, "package": package, "line": line, "names": names})
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error("Private names of another package imported outside the internals module:", bold=False)
        output.new_line()
        for hit in check.metadata["found"]:
            output.print_error(f"- {hit['importer']} (l.{hit['line']}): {', '.join(hit['names'])}", bold=False)
        output.new_line()


def _private_imports(module: str, package: str, lines: set[int]) -> list[tuple[int, list[str]]]:
    """``(line, private names)`` of the imports from *package* at *lines* of *module*'s source."""
    tree = ast.parse(_source_path(module).read_text(encoding="utf-8"))
    hits: list[tuple[int, list[str]]] = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) not in lines:
            continue
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names if _root(a.name) == package and _is_private_path(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and _root(node.module) == package:
            names = [node.module] if _is_private_path(node.module) else []
            names += [f"{node.module}.{a.name}" for a in node.names if _is_private(a.name)]
        else:
            continue
        if names:
            hits.append((node.lineno, names))
    return hits


def _source_path(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        msg = f"no source file for {module}"
        raise ValueError(msg)
    return Path(spec.origin)


def _root(dotted: str) -> str:
    return dotted.split(".", 1)[0]


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_private_path(dotted: str) -> bool:
    return any(_is_private(part) for part in dotted.split("."))
