"""Validation of YAML documents (the config, dataset specs, simulator specs) against the
workflow's JSON schemas, with messages that name the file, the key and what was expected."""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import yaml

SCHEMAS = Path(__file__).resolve().parent.parent / "workflow" / "schemas"
SCHEMA = SCHEMAS / "config.schema.yaml"


class ConfigError(ValueError):
    """A config value the workflow cannot use; the message names the key."""


def _key(path) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else str(p) for p in path]
    return ".".join(parts).replace(".[", "[") or "<top level>"


def _describe(err: jsonschema.ValidationError) -> str:
    desc = err.schema.get("description") if isinstance(err.schema, dict) else None
    if err.validator == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = f"; allowed keys: {', '.join(allowed)}" if allowed else ""
        return f"{err.message}{extra}"
    return f"{err.message}" + (f" (expected: {desc})" if desc else "")


def validate_document(doc, schema_path: Path | str, source: str, error=None, what="configuration"):
    """Raise ``error`` (ConfigError by default) naming every bad key of ``doc``."""
    error = error or ConfigError
    with open(schema_path) as fh:
        schema = yaml.safe_load(fh)
    if not isinstance(doc, dict):
        raise error(f"{source}: expected a mapping of keys to values, got {type(doc).__name__}")
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"  key '{_key(e.absolute_path)}': {_describe(e)}" for e in errors]
        raise error(f"{source}: invalid {what}\n" + "\n".join(lines))
    return schema


def validate_config(config: dict, source: str = "config", schema_path: Path | str = SCHEMA) -> dict:
    """Raise ConfigError naming every bad key; return the config with schema defaults filled in."""
    schema = validate_document(config, schema_path, source)
    _fill_defaults(config, schema)
    return config


def _fill_defaults(doc: dict, schema: dict) -> None:
    """Schema defaults for missing keys, at every level of nested objects present in ``doc``."""
    for key, sub in schema.get("properties", {}).items():
        if key not in doc and "default" in sub:
            doc[key] = copy.deepcopy(sub["default"])
        elif isinstance(doc.get(key), dict):
            _fill_defaults(doc[key], sub)


def read_yaml(path: str | Path, error=None):
    """Parse a YAML file; unreadable or malformed files raise ``error`` naming the file."""
    error = error or ConfigError
    path = Path(path)
    try:
        with open(path) as fh:
            return yaml.safe_load(fh)
    except OSError as exc:
        raise error(f"{path}: cannot read file ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML ({exc})") from exc


def load_config(path: str | Path) -> dict:
    return validate_config(read_yaml(path), source=str(path))
