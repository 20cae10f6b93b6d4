"""The paper's artefacts: ``published`` holds every number the paper prints and its study names;
the other modules build its tables and figures from this package's results."""

__all__ = ["figures", "illustrations", "markdown", "motivating", "parameters", "published", "table2", "table4",
           "tables56"]
