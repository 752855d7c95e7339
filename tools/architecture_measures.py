"""Plain measures of the code's structure, read with `ast` from src/ventanilla (issue 25, "Done when").

    python tools/architecture_measures.py                 # JSON on stdout
    python tools/architecture_measures.py --markdown      # the table docs/architecture.md shows
    python tools/architecture_measures.py --update-docs   # rewrite that table in docs/architecture.md

What is counted (each rule is in one function below):
- largest module (physical lines) and largest function (from `def` to its last line);
- functions with more than 6 parameters (self/cls, *args and **kwargs not counted; `__init__` excluded);
- HTTP handlers (functions decorated with `@<router>.get/post/put/patch/delete/api_route`) that call
  `.commit()` or a repository module's function in their own body, and repository calls anywhere in a
  transport module (http.py, webhook.py, socket.py, web.py, ops.py), helpers included;
- GET handlers that write in their own body (`.commit()`, `.flush()`, `session.add/delete`, or SQL
  `insert/update/delete`);
- bare status literals: string constants equal to a value of `domain.Estado`, outside that enum
  (docstrings and migrations not counted).
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "ventanilla"
DOCS = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- measures:begin -->", "<!-- measures:end -->"
MAX_PARAMS = 6
HTTP_METHODS = {"get", "post", "put", "patch", "delete", "api_route"}
TRANSPORT_FILES = {"http.py", "webhook.py", "socket.py", "web.py", "ops.py"}
WRITE_CALLS = {"commit", "flush"}
SESSION_WRITES = {"add", "add_all", "delete", "merge"}
SQL_WRITES = {"insert", "update", "delete"}


@dataclass
class Module:
    path: Path
    name: str
    tree: ast.Module
    lines: int


def load(package: Path = PACKAGE) -> list[Module]:
    """Every module of the package, migrations left out (they freeze old literals on purpose)."""
    modules = []
    for path in sorted(package.rglob("*.py")):
        if "migrations" in path.relative_to(package).parts:
            continue
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(package.parent))
        modules.append(Module(path, name, ast.parse(text, filename=str(path)), len(text.splitlines())))
    return modules


def functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]


def parameter_count(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    args = fn.args
    named = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    return len([a for a in named if a.arg not in ("self", "cls")])


def http_method(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The HTTP method of a route decorator (`@router.get(...)`), or None."""
    for decorator in fn.decorator_list:
        call = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(call, ast.Attribute) and call.attr in HTTP_METHODS:
            if call.attr == "api_route" and isinstance(decorator, ast.Call):
                for kw in decorator.keywords:
                    if kw.arg == "methods" and isinstance(kw.value, ast.List | ast.Tuple):
                        return ",".join(str(ast.literal_eval(e)).lower() for e in kw.value.elts)
            return call.attr
    return None


def repository_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """(names bound to repository modules, names of functions imported from one)."""
    modules: set[str] = set()
    functions_: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = node.module or ""
            for alias in node.names:
                bound = alias.asname or alias.name
                if source.endswith("repository"):
                    functions_.add(bound)
                elif alias.name == "repository" or alias.name.endswith("_repository"):
                    modules.add(bound)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.endswith(".repository") and alias.asname:
                    modules.add(alias.asname)
    return modules, functions_


def calls(node: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Call)]


def is_repository_call(call: ast.Call, modules: set[str], functions_: set[str]) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id in modules
    return isinstance(func, ast.Name) and func.id in functions_


def is_commit(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr == "commit"


def is_write(call: ast.Call) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute):
        if func.attr in WRITE_CALLS:
            return True
        if func.attr in SESSION_WRITES:
            receiver = ast.unparse(func.value)
            return "session" in receiver or "uow" in receiver
    return isinstance(func, ast.Name) and func.id in SQL_WRITES


def status_values(modules: list[Module]) -> tuple[set[str], Module | None, ast.ClassDef | None]:
    for module in modules:
        if module.name.endswith("domain.py"):
            for node in module.tree.body:
                if isinstance(node, ast.ClassDef) and node.name == "Estado":
                    values = {
                        stmt.value.value
                        for stmt in node.body
                        if isinstance(stmt, ast.Assign)
                        and isinstance(stmt.value, ast.Constant)
                        and isinstance(stmt.value.value, str)
                    }
                    return values, module, node
    return set(), None, None


def docstring_nodes(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def by_place(items: list[str]) -> list[str]:
    """Sorted by module, then line."""

    def key(item: str) -> tuple[str, int]:
        place = item.split(" ", 1)[0]
        module, _, line = place.rpartition(":")
        return module, int(line)

    return sorted(items, key=key)


def measure(modules: list[Module]) -> dict[str, Any]:
    largest_module = max(modules, key=lambda m: m.lines)
    all_functions = [(m, fn) for m in modules for fn in functions(m.tree)]
    m_big, fn_big = max(all_functions, key=lambda p: (p[1].end_lineno or p[1].lineno) - p[1].lineno)

    over = sorted(
        ((parameter_count(fn), f"{m.name}:{fn.lineno} {fn.name}") for m, fn in all_functions if fn.name != "__init__"),
        key=lambda pair: (-pair[0], pair[1]),
    )
    many_params = [{"function": where, "parameters": count} for count, where in over if count > MAX_PARAMS]

    handlers_commit: list[str] = []
    handlers_repo: list[str] = []
    get_writes: list[str] = []
    transport_repo_calls: list[str] = []
    for m in modules:
        repo_modules, repo_functions = repository_names(m.tree)
        if m.path.name in TRANSPORT_FILES:
            for call in calls(m.tree):
                if is_repository_call(call, repo_modules, repo_functions):
                    transport_repo_calls.append(f"{m.name}:{call.lineno} {ast.unparse(call.func)}")
        for fn in functions(m.tree):
            method = http_method(fn)
            if method is None:
                continue
            where = f"{m.name}:{fn.lineno} {fn.name}"
            body_calls = calls(fn)
            if any(is_commit(c) for c in body_calls):
                handlers_commit.append(where)
            if any(is_repository_call(c, repo_modules, repo_functions) for c in body_calls):
                handlers_repo.append(where)
            if "get" in method.split(",") and any(is_write(c) for c in body_calls):
                get_writes.append(where)

    values, domain, enum = status_values(modules)
    literals = []
    for m in modules:
        skip = docstring_nodes(m.tree)
        inside_enum = {id(n) for n in ast.walk(enum)} if enum is not None and m is domain else set()
        for node in ast.walk(m.tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and node.value in values
                and id(node) not in skip
                and id(node) not in inside_enum
            ):
                literals.append(f"{m.name}:{node.lineno} {node.value!r}")

    handler_count = sum(1 for m in modules for fn in functions(m.tree) if http_method(fn))
    return {
        "modules": len(modules),
        "functions": len(all_functions),
        "http_handlers": handler_count,
        "largest_module": {"module": largest_module.name, "lines": largest_module.lines},
        "largest_function": {
            "function": f"{m_big.name}:{fn_big.lineno} {fn_big.name}",
            "lines": (fn_big.end_lineno or fn_big.lineno) - fn_big.lineno + 1,
        },
        "functions_over_6_parameters": {"count": len(many_params), "items": many_params},
        "handlers_that_commit": {"count": len(handlers_commit), "items": by_place(handlers_commit)},
        "handlers_that_call_a_repository": {"count": len(handlers_repo), "items": by_place(handlers_repo)},
        "repository_calls_in_transport_modules": {
            "count": len(transport_repo_calls),
            "items": by_place(transport_repo_calls),
        },
        "get_handlers_that_write": {"count": len(get_writes), "items": by_place(get_writes)},
        "bare_status_literals": {"count": len(literals), "items": by_place(literals)},
    }


def markdown(result: dict[str, Any]) -> str:
    """The table for docs/architecture.md."""

    def top(key: str, n: int = 3) -> str:
        items = result[key]["items"][:n]
        shown = ", ".join(f"`{i['function'] if isinstance(i, dict) else i}`" for i in items)
        more = result[key]["count"] - len(items)
        return shown + (f" (+{more} more)" if more > 0 else "")

    rows = [
        ("Largest module (lines)", result["largest_module"]["lines"], f"`{result['largest_module']['module']}`", "—"),
        (
            "Largest function (lines)",
            result["largest_function"]["lines"],
            f"`{result['largest_function']['function']}`",
            "—",
        ),
        (
            "Functions with more than 6 parameters (constructors excluded)",
            result["functions_over_6_parameters"]["count"],
            top("functions_over_6_parameters"),
            "0",
        ),
        ("HTTP handlers that commit", result["handlers_that_commit"]["count"], top("handlers_that_commit"), "0"),
        (
            "HTTP handlers that call a repository",
            result["handlers_that_call_a_repository"]["count"],
            top("handlers_that_call_a_repository"),
            "0",
        ),
        (
            "Repository calls in transport modules (helpers included)",
            result["repository_calls_in_transport_modules"]["count"],
            top("repository_calls_in_transport_modules"),
            "0",
        ),
        ("GET handlers that write", result["get_handlers_that_write"]["count"], top("get_handlers_that_write"), "0"),
        ("Bare status literals", result["bare_status_literals"]["count"], top("bare_status_literals"), "0"),
    ]
    lines = [
        f"{result['modules']} modules, {result['functions']} functions, {result['http_handlers']} HTTP handlers "
        "(`python tools/architecture_measures.py`).",
        "",
        "| Measure | Value | Where (first few) | Target |",
        "|---|---:|---|---:|",
    ]
    lines += [f"| {name} | {value} | {where} | {target} |" for name, value, where, target in rows]
    return "\n".join(lines) + "\n"


def update_docs(table: str, path: Path = DOCS) -> None:
    """Replace the block between the markers (the lead re-runs this after each merge)."""
    text = path.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{path}: markers {BEGIN} / {END} not found")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{table}{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print the table instead of JSON")
    parser.add_argument("--update-docs", action="store_true", help=f"rewrite the table in {DOCS.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    result = measure(load())
    table = markdown(result)
    if args.update_docs:
        update_docs(table)
    if args.markdown:
        sys.stdout.write(table)
    else:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
