"""Answers that peek at the tests: what in an answer's source reads the tests' own objects.

A test cell runs in the student's kernel after the answers, so an answer could, in principle,
read what the tests left there: their reference functions, their cases, their expected values.
Such an answer gets no credit for its exercise. What counts as reading the tests is decided here,
the same way when the student runs the notebook (:mod:`autograder.checks`, check mode) and when
the grader grades it (:mod:`autograder.judge`), so that a rule never surfaces first at grading
time.

The rule is **scope-aware**: an answer reads the tests only if it uses a name that it does not
bind itself. A correct answer may call its local variables anything (``_var = var * m / (m -
1)`` inside a function is the student's own ``_var``); reading ``_t_rng`` without defining it
is reading the tests. To keep students' names and the tests' names apart, every private name a
test cell defines at its top level starts with :data:`TEST_PREFIX` (``_t_``), which
``autograder.release`` checks before an assignment is released.

Flagged, when the answer does not bind the name itself:

* a name with the tests' prefix, or a private name that a test cell defines;
* the notebook's input history (``In``, ``_ih``), which holds the tests' source.

Flagged wherever they appear: importing the grading package (``import autograder``,
``__import__("autograder.checks")``: a string that is a module path of the package, not a word
in a docstring), and the ways of reading the tests' frames and objects
(``sys._getframe``, ``inspect.stack``, ``frame.f_locals``, ``gc.get_referrers``, ...).

Only the plain ways: the names as written in the code. An answer that builds such a name at run
time is not caught here (see the threat model in ``autograder/README.md``).
"""

from __future__ import annotations

import ast
import re
import symtable

TEST_PREFIX = "_t_"  # every private name a test cell defines starts with it

INTROSPECTION = {
    "_getframe": "sys._getframe (the tests' call stack)",
    "currentframe": "inspect.currentframe (the tests' call stack)",
    "getouterframes": "inspect.getouterframes (the tests' call stack)",
    "f_back": "frame.f_back (the tests' call stack)",
    "f_locals": "frame.f_locals (the tests' variables)",
    "f_globals": "frame.f_globals (the tests' variables)",
    "get_referrers": "gc.get_referrers (the tests' objects)",
    "get_objects": "gc.get_objects (the tests' objects)",
}
HISTORY = {
    "_ih": "the notebook's input history (the tests' source)",
    "In": "the notebook's input history (the tests' source)",
}
GRADER = "the grading package autograder (the tests' own code)"
_GRADER_MODULE = re.compile(r"autograder(\.\w+)*")


def is_test_name(name: str, test_names: set[str] = frozenset()) -> bool:
    """A name that belongs to the tests: the tests' prefix, or a private name they define."""
    return name.startswith(TEST_PREFIX) or (name.startswith("_") and name in test_names)


def unbound_names(source: str) -> set[str]:
    """The names that ``source`` reads without binding them itself.

    A name read inside a function is the function's own if it is a parameter or assigned
    there, or bound in an enclosing function; otherwise Python looks it up in the notebook's
    globals, and it is the answer's own only if the cell binds it at its top level (an
    assignment, ``def``, ``class``, ``import``, a loop variable). Raises SyntaxError.
    """
    top = symtable.symtable(source, "<answer>", "exec")
    bound_at_top = {s.get_name() for s in top.get_symbols()
                    if s.is_assigned() or s.is_imported()}
    unbound: set[str] = set()
    tables = [top]
    while tables:
        table = tables.pop()
        tables.extend(table.get_children())
        for symbol in table.get_symbols():
            if not symbol.is_referenced():
                continue
            if table is top or table.get_type() == "class":
                own = symbol.is_assigned() or symbol.is_imported() or symbol.is_parameter()
                if table is not top and not own and not symbol.is_free():
                    own = symbol.get_name() in bound_at_top
            elif symbol.is_global():
                own = symbol.get_name() in bound_at_top
            else:  # a local, a parameter, or a variable of an enclosing function
                own = True
            if not own:
                unbound.add(symbol.get_name())
    return unbound


def reads_the_tests(source: str, test_names: set[str] = frozenset()) -> list[str]:
    """What in an answer cell's ``source`` reads the tests (empty: nothing), in plain words.

    ``test_names``: the names the assignment's test cells define (their private ones count
    besides those with :data:`TEST_PREFIX`).
    """
    try:
        tree = ast.parse(source)
        unbound = unbound_names(source)
    except (SyntaxError, ValueError):  # not Python: the kernel reports it
        return []
    found: set[str] = set()
    for name in unbound:
        if is_test_name(name, test_names):
            found.add(f"{name} (defined by the tests)")
        elif name in HISTORY:
            found.add(HISTORY[name])
        elif name == "autograder":
            found.add(GRADER)
    for node in ast.walk(tree):
        if _imports_the_grader(node):
            found.add(GRADER)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if _GRADER_MODULE.fullmatch(node.value):
                found.add(GRADER)
            elif node.value.isidentifier() and is_test_name(node.value, test_names):
                found.add(f"{node.value} (defined by the tests)")
        elif isinstance(node, ast.Attribute):
            if node.attr in INTROSPECTION:
                found.add(INTROSPECTION[node.attr])
            elif node.attr == "stack" and isinstance(node.value, ast.Name) and (
                    node.value.id == "inspect"):
                found.add("inspect.stack (the tests' call stack)")
        elif isinstance(node, ast.alias) and node.name in INTROSPECTION:
            found.add(INTROSPECTION[node.name])  # from sys import _getframe
    return sorted(found)


def _imports_the_grader(node: ast.AST) -> bool:
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "autograder" for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").split(".")[0] == "autograder" and not node.level
    return False


def unprefixed_test_names(source: str) -> list[str]:
    """The private names a test cell binds at its top level without :data:`TEST_PREFIX`
    (for the release check: such a name could collide with a student's own).

    A comprehension's loop variable (``[f() for _ in range(3)]``) is the comprehension's own,
    not the cell's: it is not counted."""
    try:
        top = symtable.symtable(source, "<test>", "exec")
        comprehension_only = _comprehension_only_names(ast.parse(source))
    except (SyntaxError, ValueError):
        return []
    return sorted(s.get_name() for s in top.get_symbols()
                  if (s.is_assigned() or s.is_imported()) and s.get_name().startswith("_")
                  and not s.get_name().startswith(TEST_PREFIX)
                  and s.get_name() not in comprehension_only
                  and not (s.get_name().startswith("__") and s.get_name().endswith("__")))


def _comprehension_only_names(tree: ast.AST) -> set[str]:
    """The names that ``tree`` binds only as loop variables of comprehensions.

    Since Python 3.12 (PEP 709, comprehensions inlined) :mod:`symtable` lists them among the
    enclosing scope's assigned names; before, they were in a scope of their own. Either way
    they are local to the comprehension."""
    loop_variables: set[int] = set()
    in_comprehensions: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.comprehension):
            for name in ast.walk(node.target):
                if isinstance(name, ast.Name):
                    loop_variables.add(id(name))
                    in_comprehensions.add(name.id)
    bound_elsewhere: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            if id(node) not in loop_variables:
                bound_elsewhere.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound_elsewhere.add(node.name)
        elif isinstance(node, ast.alias):
            bound_elsewhere.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound_elsewhere.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bound_elsewhere.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound_elsewhere.add(node.rest)
    return in_comprehensions - bound_elsewhere
