"""Metrics: emitted as EMF when enabled; with POWERTOOLS_METRICS_DISABLED nothing is kept or printed."""

from __future__ import annotations

import json

import pytest

from services.core.observability import MetricUnit, metrics


@pytest.fixture(autouse=True)
def _clean() -> None:
    metrics.clear_metrics()


def test_disabled_metrics_are_neither_kept_nor_printed(monkeypatch, capsys):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    for _ in range(150):  # Powertools itself prints a metric once it holds 100 values
        metrics.add_metric(name="UploadVerified", unit=MetricUnit.Count, value=1)
    metrics.flush_metrics()
    assert capsys.readouterr().out == ""
    assert metrics.metric_set == {}


def test_enabled_metrics_are_flushed_as_emf(monkeypatch, capsys):
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    monkeypatch.delenv("POWERTOOLS_DEV", raising=False)
    metrics.add_metric(name="UploadVerified", unit=MetricUnit.Count, value=1)
    metrics.flush_metrics()
    emitted = json.loads(capsys.readouterr().out)
    assert emitted["UploadVerified"] == [1.0]
    assert emitted["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "DichVuCong"
