"""Shared test set-up: draw figures off-screen."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
