"""On top of everything: the HTML report, the run's timing summary and the ``actionable`` command."""

__all__ = ["cli", "report", "runtime"]
