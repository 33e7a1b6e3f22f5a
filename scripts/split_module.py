"""Split one Python module into a package by topic without changing behaviour ("pure moves").

Usage: python scripts/split_module.py SPEC.json

SPEC: {"source": "src/openmash/x/services.py", "package_doc": "...",
       "modules": {"_common": {"doc": "...", "names": [...]}, "plans": {...}},
       "default": "_common", "reexport_private": ["_name", ...]}

Every top-level statement (with its leading comments and decorators) goes to the module that
declares one of the names it defines (or the default). Each new module gets the original
imports (ruff removes the unused ones afterwards) plus imports of what it uses from its
siblings. The package __init__ re-exports every public name (and any listed private ones),
so `from openmash.x.services import name` keeps working.
"""

from __future__ import annotations

import ast
import json
import sys
import textwrap
from pathlib import Path


def defined_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        out = []
        for t in node.targets:
            for n in ast.walk(t):
                if isinstance(n, ast.Name):
                    out.append(n.id)
        return out
    if isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def used_names(node: ast.AST) -> set[str]:
    names = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            names.add(n.id)
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            # string annotations under `from __future__ import annotations` are real names too
            text = n.value
            for ch in "[],|":
                text = text.replace(ch, " ")
            for part in text.split():
                if part.isidentifier():
                    names.add(part)
    return names


def annotation_names(node: ast.AST) -> set[str]:
    return used_names(node)


def main() -> None:
    spec = json.loads(Path(sys.argv[1]).read_text())
    src_path = Path(spec["source"])
    text = src_path.read_text()
    lines = text.splitlines(keepends=True)
    tree = ast.parse(text)
    body = tree.body
    docstring = ast.get_docstring(tree)
    start_idx = 1 if docstring is not None else 0

    header_imports: list[str] = []
    chunks: list[tuple[list[str], str, ast.stmt]] = []

    # starting line of each statement including decorators
    def first_line(node: ast.stmt) -> int:
        decos = getattr(node, "decorator_list", [])
        return min([node.lineno] + [d.lineno for d in decos])

    stmts = body[start_idx:]
    prev_end = body[start_idx - 1].end_lineno if start_idx else 0
    for node in stmts:
        begin = first_line(node)
        # include leading comment lines that directly belong to this statement
        seg_start = prev_end  # 0-based index of line after previous statement
        seg = "".join(lines[seg_start : node.end_lineno])
        prev_end = node.end_lineno
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            header_imports.append("".join(lines[begin - 1 : node.end_lineno]))
            continue
        chunks.append((defined_names(node), seg, node))
    tail = "".join(lines[prev_end:])

    name_to_mod: dict[str, str] = {}
    for mod, info in spec["modules"].items():
        for n in info["names"]:
            name_to_mod[n] = mod
    default = spec["default"]

    mod_chunks: dict[str, list[tuple[list[str], str, ast.stmt]]] = {m: [] for m in spec["modules"]}
    defined_in: dict[str, str] = {}
    for names, seg, node in chunks:
        target = None
        for n in names:
            if n in name_to_mod:
                target = name_to_mod[n]
                break
        if target is None:
            target = default
            if names:
                print(f"  default -> {default}: {names}", file=sys.stderr)
        mod_chunks[target].append((names, seg, node))
        for n in names:
            defined_in[n] = target

    unknown = set(name_to_mod) - set(defined_in)
    if unknown:
        sys.exit(f"names in spec not defined in source: {sorted(unknown)}")

    pkg_dir = src_path.with_suffix("")
    pkg_mod = ".".join(pkg_dir.relative_to("src").parts)
    pkg_dir.mkdir()
    deps: dict[str, set[str]] = {}
    for mod, items in mod_chunks.items():
        own = {n for names, _, _ in items for n in names}
        used: set[str] = set()
        for _, _, node in items:
            used |= used_names(node)
        from_siblings: dict[str, list[str]] = {}
        for n in sorted(used - own):
            if n in defined_in and defined_in[n] != mod:
                from_siblings.setdefault(defined_in[n], []).append(n)
        deps[mod] = set(from_siblings)
        out = ['"""' + textwrap.fill(spec["modules"][mod]["doc"].strip(), 95) + '\n"""\n\n']
        out.append("from __future__ import annotations\n\n")
        for imp in header_imports:
            if "from __future__" in imp:
                continue
            out.append(imp)
        for sib, names in sorted(from_siblings.items()):
            out.append(f"from {pkg_mod}.{sib} import {', '.join(names)}\n")
        out.append("\n")
        for _, seg, _ in items:
            out.append(seg)
        out.append("\n")
        (pkg_dir / f"{mod}.py").write_text("".join(out))

    # cycles?
    def visit(m: str, stack: list[str]) -> None:
        if m in stack:
            sys.exit(f"import cycle between new modules: {' -> '.join([*stack, m])}")
        for d in deps[m]:
            visit(d, [*stack, m])

    for m in deps:
        visit(m, [])

    private = set(spec.get("reexport_private", []))
    init = ['"""' + (spec.get("package_doc") or docstring or "").strip() + '\n"""\n\n']
    exported: list[str] = []
    for mod, items in mod_chunks.items():
        names = sorted({n for ns, _, _ in items for n in ns if not n.startswith("_") or n in private})
        if not names:
            continue
        exported += names
        init.append(f"from {pkg_mod}.{mod} import (\n")
        for n in names:
            init.append(f"    {n},\n")
        init.append(")\n")
    init.append("\n__all__ = [\n")
    for n in sorted(exported):
        init.append(f'    "{n}",\n')
    init.append("]\n")
    (pkg_dir / "__init__.py").write_text("".join(init))
    if tail.strip():
        print("tail left over:\n" + tail, file=sys.stderr)
    src_path.unlink()
    print(f"split {src_path} into {sorted(mod_chunks)}; deps {deps}")


if __name__ == "__main__":
    main()
