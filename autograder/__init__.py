"""The course's grading pipeline: nbgrader assignments released, graded and exported.

* :mod:`autograder.checks` runs inside the students' notebooks: it compares their functions with
  the reference implementations and gives partial credit with useful messages.
"""

import sys

# Every grading process validates notebooks with nbformat, whose jsonschema, on import, also
# imports ``rfc3987_syntax`` where it is installed (JupyterLab's jupyter_events brings it) and
# that compiles a grammar: about 1 CPU second in each process that starts (the coordinator,
# each feedback helper, each Dask worker; ``import autograder.unit`` takes 1.2 s, not 2.2). That
# module only checks the "iri" string formats of JSON schemas, which no notebook schema uses and
# which jsonschema checks only when asked; without it jsonschema leaves those formats unchecked.
sys.modules.setdefault("rfc3987_syntax", None)
