"""Studies on disk: the config and its schemas (package data), dataset specs and data, the 70/30
split, the spec tool, simulator specs, forest files and atomic file IO."""

__all__ = ["config", "datasets", "forest_files", "io", "simulator", "spec_tool", "split", "study"]
