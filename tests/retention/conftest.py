"""Purges are tested on the reports' hand-worked data set, with the reports' fixtures."""

from tests.reports.conftest import build, dataset, supervisor  # noqa: F401 (fixtures)
