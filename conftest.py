"""Test-session set-up shared by the library tests and the notebook regression tests.

The lecture notebooks multiply small matrices; OpenBLAS splitting them between threads costs
more than it saves and, on a busy 2-core machine, makes them several times slower. Kernels that
nbval starts inherit this environment, so they run with one BLAS thread, exactly as
``lectures/run_notebooks.py`` runs them when it saves their outputs.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")


def pytest_configure(config):
    """Make nbval's sanitize file an absolute path, whatever the working folder is later."""
    for option in ("nbval_sanitize_with", "sanitize_with"):
        value = getattr(config.option, option, None)
        if value and not os.path.isabs(value):
            setattr(config.option, option, os.path.join(str(config.rootpath), value))
