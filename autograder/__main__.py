"""``python -m autograder``: release assignments, grade submissions, run the demo.

    python -m autograder release [ASSIGNMENT ...]
    python -m autograder grade ASSIGNMENT SUBMISSIONS [--out DIR] [--workers N]
                               [--timeout SECONDS_PER_CELL] [--notebook-timeout SECONDS]
                               [--layout {auto,plain,nbgrader,canvas,moodle,blackboard}]
                               [--due ISO-8601] [--memory MB] [--max-file-size MB]
                               [--cpu-time SECONDS] [--max-output CHARS] [--max-processes N]
                               [--no-sandbox] [--no-forked-kernels] [--nbgrader-course DIR]
                               [--resume]
                               [--scheduler ADDRESS] [--tls-ca-file F --tls-cert F --tls-key F]
    python -m autograder export GRADES_CSV LMS_GRADEBOOK --out FILE [--column NAME]
                                [--assignment NAME] [--header ROLE=COLUMN ...]
    python -m autograder demo [--assignment NAME] [--out DIR]

Exit codes: 0 when the work was done (a batch with broken submissions is still graded: each is
reported in the summary), 2 on a usage or setup error (an unknown assignment, a missing folder),
3 when grading stopped before the end (Ctrl-C, a cluster that went away: ``--resume`` goes on).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import time
from pathlib import Path

from tqdm import tqdm

from autograder.coursedir import REPOSITORY, SetupError, assignments, find_assignment

USAGE_ERROR = 2
STOPPED = 3  # grading stopped part-way; what was graded is kept for --resume


def _quiet_nbgrader() -> None:
    """nbgrader logs every step; keep warnings and errors only (they go to the log file)."""
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def cmd_release(args) -> int:
    from autograder.release import release

    root = _course_dir(args)
    names = args.assignments or [a.name for a in assignments(root)]
    chosen = [find_assignment(name, root) for name in names]
    for assignment in chosen:
        print(f"validating {assignment.name}: running the solution against its own tests ...")
        for path in release(assignment, root):
            print(f"  released {path.relative_to(root)}")
    return 0


def _course_dir(args) -> Path:
    root = Path(args.course_dir).resolve() if args.course_dir else REPOSITORY
    if not (root / "solutions").is_dir():
        raise SetupError(f"{root} has no solutions/ folder: give the course directory with "
                         "--course-dir")
    return root


def cmd_grade(args) -> int:
    from autograder.feedback_zip import write_feedback_zip
    from autograder.grading import GradingOptions, GradingStopped, grade_submissions
    from autograder.layouts import parse_due, read_submissions
    from autograder.nbgrader_feedback import check_course_dir, write_course_feedback
    from autograder.report import summary_table, write_feedback, write_grades_csv
    from autograder.sandbox import SandboxPolicy, require_bwrap
    from autograder.submissions import unpack

    root = _course_dir(args)
    assignment = find_assignment(args.assignment, root)
    if args.workers < 1:
        raise SetupError("--workers must be at least 1")
    if args.timeout <= 0 or args.notebook_timeout <= 0:
        raise SetupError("--timeout and --notebook-timeout must be positive numbers of seconds")
    out = Path(args.out or root / "grades" / assignment.name).resolve()
    out.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []  # zip members that were not extracted
    source = Path(args.submissions).resolve()
    due = parse_due(args.due) if args.due else None
    folder = unpack(source, _fresh(out / "unpacked", source), notes)
    found = read_submissions(folder, assignment, args.layout, due)
    submissions = found.submissions
    how = "detected" if found.detected else "as given with --layout"
    if not submissions:
        raise SetupError(f"no submissions in {found.root} read as the {found.layout} layout "
                         f"({how}); the layouts are described in `grade --help`")
    course = (check_course_dir(Path(args.nbgrader_course), found.layout)
              if args.nbgrader_course else None)
    print(f"read {len(submissions)} submissions from {found.root} in the {found.layout} "
          f"layout ({how})" + (f", late after {due.isoformat()}" if due else ""))
    if args.memory <= 0 or args.max_file_size <= 0:
        raise SetupError("--memory and --max-file-size must be positive numbers of MB")
    sandbox = not args.no_sandbox
    cluster = None
    if args.scheduler:
        from autograder.cluster import ClusterSpec  # Dask is imported only when it is used

        cluster = ClusterSpec(args.scheduler, args.tls_ca_file, args.tls_cert, args.tls_key)
    if cluster is None and any((args.tls_ca_file, args.tls_cert, args.tls_key)):
        raise SetupError("the TLS options are for --scheduler: give the scheduler's address")
    if sandbox and cluster is None:
        require_bwrap()
    elif not sandbox:
        print("warning: grading WITHOUT the sandbox: students' code runs with your rights; "
              "the results are marked unsandboxed")
    if args.max_processes < 8:
        raise SetupError("--max-processes must be at least 8 (the kernel needs a few threads)")
    if args.cpu_time is not None and args.cpu_time < 1:
        raise SetupError("--cpu-time must be at least 1 second")
    if args.max_output < 100:
        raise SetupError("--max-output must be at least 100 characters")
    cpu_time = args.cpu_time if args.cpu_time is not None else args.notebook_timeout + 5
    policy = SandboxPolicy(memory_bytes=int(args.memory * 1024**2),
                           file_size_bytes=int(args.max_file_size * 1024**2),
                           cpu_seconds=int(max(cpu_time, 1)),
                           max_processes=args.max_processes)
    where = (f"on {cluster.describe()}" if cluster else f"{args.workers} at a time")
    print(f"grading {assignment.name}: {len(submissions)} students {where}, "
          + ("resuming the interrupted run, " if args.resume else "")
          + f"time limit {args.timeout:g} s per cell and {args.notebook_timeout:g} s per notebook, "
          + (f"sandboxed (memory {args.memory:g} MB, files {args.max_file_size:g} MB)"
             if sandbox else "NOT sandboxed"))
    started = time.perf_counter()
    with tqdm(total=len(submissions), unit="student", disable=args.no_progress) as bar:
        options = GradingOptions(workers=args.workers, cell_timeout=args.timeout,
                                 notebook_timeout=args.notebook_timeout, sandbox=sandbox,
                                 policy=policy, max_output=args.max_output,
                                 forked_kernels=not args.no_forked_kernels)
        try:
            results = grade_submissions(assignment, submissions, out / "nbgrader", options,
                                        on_done=lambda _student: bar.update(1),
                                        cluster=cluster, resume=args.resume)
        except GradingStopped as stopped:
            bar.close()
            print(f"grading stopped: {stopped}", file=sys.stderr)
            return STOPPED
    write_grades_csv(results, out / "grades.csv")
    write_feedback(results, assignment, out / "nbgrader", out)
    deliveries = [write_feedback_zip(found.layout, submissions, results, assignment, out)]
    if course is not None:
        deliveries.append(write_course_feedback(submissions, results, assignment, out, course))
    print(summary_table(results, notes, found.skipped, found.layout))
    for delivery in deliveries:
        print("\n".join(delivery.describe()))
    print(f"graded in {time.perf_counter() - started:.1f} s; grades: {out / 'grades.csv'}; "
          f"feedback: {out / 'feedback'}/<student>/")
    return 0


def _fresh(folder: Path, submissions: Path) -> Path:
    """Where to extract a zip of ``submissions``: ``folder``, emptied of an earlier run's
    students (left as it is when the submissions are a folder, perhaps this one)."""
    if submissions.is_file() and not submissions.is_relative_to(folder) and folder.is_dir() \
            and not folder.is_symlink():
        shutil.rmtree(folder)
    return folder


def cmd_demo(args) -> int:
    from autograder.release import release
    from autograder.samples import demo_submissions
    from autograder.sandbox import find_bwrap

    root = _course_dir(args)
    assignment = find_assignment(args.assignment, root)
    out = Path(args.out or root / "demo").resolve()
    if out.exists():
        shutil.rmtree(out)
    print(f"1. release {assignment.name} (the solution must pass its own tests first)")
    released = release(assignment, root)
    for path in released:
        print(f"   released {path.relative_to(root)}")
    print("2. sample submissions:")
    source = assignment.source_dir / released[0].name
    students = demo_submissions(released[0], source, out / "submissions")
    for student, description in students.items():
        print(f"   {student:5s} {description}")
    no_sandbox = args.no_sandbox
    if not no_sandbox and find_bwrap() is None:
        print("   (bubblewrap is not installed: the demo's own sample submissions are graded "
              "without the sandbox; `grade` on real submissions refuses to, see "
              "autograder/README.md)")
        no_sandbox = True
    print("3. grade them")
    # through the real parser, so that every option of `grade` has its usual default
    grade_args = build_parser().parse_args([
        "grade", assignment.name, str(out / "submissions"), "--course-dir", str(root),
        "--out", str(out / "grades"), "--workers", str(args.workers),
        "--timeout", "10", "--notebook-timeout", "60",
        *(["--no-progress"] if args.no_progress else []),
        *(["--no-sandbox"] if no_sandbox else []),
    ])
    return cmd_grade(grade_args)


def _layouts() -> dict:
    from autograder.layouts import LAYOUTS

    return LAYOUTS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograder",
        description="Release the course's nbgrader assignments, grade submissions, export "
                    "grades and feedback.",
    )
    course_dir = argparse.ArgumentParser(add_help=False)
    course_dir.add_argument("--course-dir", metavar="DIR",
                            help="the course directory holding solutions/ (default: this "
                                 "repository)")
    commands = parser.add_subparsers(dest="command", required=True)

    release = commands.add_parser("release", help="validate and release assignments",
                                  parents=[course_dir])
    release.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                         help="assignment names (default: all of them)")
    release.set_defaults(run=cmd_release)

    grade = commands.add_parser(
        "grade", help="grade a folder (or zip) of submissions", parents=[course_dir],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Grade a folder (or zip) of submissions in any of these layouts, "
                    "detected from the names:\n"
                    + "".join(f"  {name:<11} {layout.SHAPE}\n" for name, layout in
                              _layouts().items()))
    grade.add_argument("assignment", metavar="ASSIGNMENT")
    grade.add_argument("submissions", metavar="SUBMISSIONS",
                       help="a folder, or a zip of one: <student_id>/<notebook>.ipynb, "
                            "nbgrader's submitted/<student>/<assignment>/, or the download "
                            "of Canvas, Moodle or Blackboard (see --layout)")
    grade.add_argument("--layout", default="auto", choices=["auto", *_layouts()],
                       help="how the submissions are laid out (default auto: detected from "
                            "the names; give it when they fit more than one layout)")
    grade.add_argument("--due", metavar="ISO-8601",
                       help="the due date, e.g. 2026-11-30T23:59:00+01:00 (without a time "
                            "zone: this machine's local time); a submission whose time (from "
                            "nbgrader's timestamp.txt, Blackboard's attempt) is after it is "
                            "marked late (Canvas's _LATE marker is used as it is)")
    grade.add_argument("--workers", type=int, default=4,
                       help="notebooks graded at the same time (default 4)")
    grade.add_argument("--timeout", "--cell-timeout", type=float, default=60.0, metavar="SECONDS",
                       help="time limit PER CELL, in seconds, as nbgrader's own timeout "
                            "(default 60); a cell past it is stopped and scores 0, the cells "
                            "after it still run")
    grade.add_argument("--notebook-timeout", type=float, default=300.0, metavar="SECONDS",
                       help="time limit PER NOTEBOOK, in seconds (default 300). No cell can "
                            "use it up: each cell not yet run keeps a share (half of it "
                            "divided by the number of code cells, at most --timeout), so an "
                            "infinite loop costs only its own cell's points")
    grade.add_argument("--out", metavar="DIR",
                       help="where grades.csv and feedback/ go (default grades/<assignment>)")
    grade.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    grade.add_argument("--memory", type=float, default=2048,
                       help="memory limit per kernel, in MB (default 2048)")
    grade.add_argument("--max-file-size", type=float, default=50,
                       help="largest file a kernel may write, in MB (default 50)")
    grade.add_argument("--cpu-time", type=float, default=None,
                       help="CPU seconds per kernel (default: --notebook-timeout + 5)")
    grade.add_argument("--max-output", type=int, default=20_000,
                       help="characters kept of each cell output (default 20000)")
    grade.add_argument("--max-processes", type=int, default=64,
                       help="processes and threads per kernel (default 64; needs a pids "
                            "control group, see autograder/README.md)")
    grade.add_argument("--no-sandbox", action="store_true",
                       help="run students' code without bubblewrap (results are marked "
                            "unsandboxed)")
    grade.add_argument("--no-forked-kernels", action="store_true",
                       help="start each sandboxed kernel with bubblewrap instead of forking it "
                            "from a process that has ipykernel loaded (the same sandbox; "
                            "slower to start)")
    grade.add_argument("--resume", action="store_true",
                       help="continue the run in --out that was interrupted (Ctrl-C, a cluster "
                            "that went away): the students it graded are kept, the others are "
                            "graded")
    grade.add_argument("--scheduler", metavar="ADDRESS",
                       help="grade on a Dask cluster: the scheduler's address (tcp://HOST:8786, "
                            "tls://HOST:8786), or local:N for N worker processes on this "
                            "machine; see the README's 'Grading on a cluster'")
    grade.add_argument("--tls-ca-file", metavar="FILE",
                       help="with --scheduler tls://...: the CA certificate the cluster's "
                            "certificates are signed by")
    grade.add_argument("--tls-cert", metavar="FILE", help="this client's certificate (PEM)")
    grade.add_argument("--tls-key", metavar="FILE", help="this client's private key (PEM)")
    grade.add_argument("--nbgrader-course", metavar="DIR",
                       help="the nbgrader course directory the submissions were collected "
                            "into: write the feedback to DIR/feedback/<student>/<assignment>/ "
                            "for `nbgrader release_feedback` (nbgrader layout only)")
    grade.set_defaults(run=cmd_grade)

    from autograder.export import add_export_command  # grades.csv into the LMS's gradebook

    add_export_command(commands)

    demo = commands.add_parser("demo", help="release, make sample submissions, grade them",
                               parents=[course_dir])
    demo.add_argument("--assignment", default="a1_neuron_perceptron")
    demo.add_argument("--out", metavar="DIR", help="default: demo/")
    demo.add_argument("--workers", type=int, default=4)
    demo.add_argument("--no-progress", action="store_true")
    demo.add_argument("--no-sandbox", action="store_true",
                      help="grade without bubblewrap (if it is not installed)")
    demo.set_defaults(run=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _quiet_nbgrader()
    try:
        return args.run(args)
    except SetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return USAGE_ERROR


if __name__ == "__main__":
    sys.exit(main())
