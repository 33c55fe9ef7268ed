"""The course's grading pipeline: nbgrader assignments released, graded and exported.

* :mod:`autograder.checks` runs inside the students' notebooks: it compares their functions with
  the reference implementations and gives partial credit with useful messages.
"""
