"""Replication and extension of Shchetkina & Berman (2024), "When Is Heterogeneity Actionable for
Personalization?".

Four parts, each importing only from those before it:

- ``actionable.stats``: the statistics (the paper's model, moments, prediction error, learners,
  forests, policy search, evaluation, sensitivity, simulation). No file IO, no config layout, no
  published values.
- ``actionable.studies``: studies on disk (config and its schemas, dataset specs, datasets, the
  split, the spec tool, simulator specs, forest files, atomic file IO).
- ``actionable.paper``: the paper's artefacts (every printed value in ``published``; one module per
  table or figure family).
- ``actionable.app``: the report, the run's timing summary and the command line.
"""

__version__ = "0.1.0"
