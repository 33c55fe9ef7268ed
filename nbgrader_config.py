# nbgrader's configuration for this course directory (the repository root).
#
# The instructor's notebooks live in solutions/ (nbgrader's "source" directory); the student
# versions are generated into release/. `python -m autograder release` and the nbgrader
# JupyterLab extensions (formgrader, assignment list, validate) both read this file, so a
# lecturer may use either. `python -m autograder grade` works in a separate grading directory
# per run (see autograder/README.md) with the same settings.
c = get_config()  # noqa: F821 (nbgrader provides get_config)

c.CourseDirectory.course_id = "nn-course"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
