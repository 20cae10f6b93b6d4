"""Validation of YAML documents (the config, dataset specs, simulator specs) against the
workflow's JSON schemas, with messages that name the file, the key and what was expected."""

from __future__ import annotations

import argparse
import copy
import math
import os
import sys
from pathlib import Path

import jsonschema
import yaml

SCHEMAS = Path(__file__).resolve().parent / "schemas"  # package data: an installed package validates too
SCHEMA = SCHEMAS / "config.schema.yaml"


class InputError(ValueError):
    """Input a user can fix (config, spec, data); its message names the file and key or column."""


class ConfigError(InputError):
    """A config value the workflow cannot use; the message names the key."""


DEBUG_VARIABLE = "ACTIONABLE_DEBUG"


def stop(error: InputError):
    """End the workflow on bad input with one block naming the problem and no traceback
    (ACTIONABLE_DEBUG=1 raises it instead). Snakemake reports any exception, SystemExit included,
    with a traceback, so the process ends here: before any job, with nothing written."""
    if os.environ.get(DEBUG_VARIABLE):
        raise error
    sys.stdout.flush()
    sys.stderr.write(f"\nerror: {error}\n(the run stopped before any job; {DEBUG_VARIABLE}=1 shows the traceback)\n")
    sys.stderr.flush()
    os._exit(1)


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


def _non_finite(doc, path=()):
    """Paths of NaN and infinite numbers: JSON schema's bounds never reject them (every comparison
    with NaN is false), and one NaN setting silently turns results into NaN or zeros."""
    if isinstance(doc, float) and not math.isfinite(doc):
        yield path, doc
    elif isinstance(doc, dict):
        for k, v in doc.items():
            yield from _non_finite(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _non_finite(v, (*path, i))


def validate_document(doc, schema_path: Path | str, source: str, error=None, what="configuration"):
    """Raise ``error`` (ConfigError by default) naming every bad key of ``doc``."""
    error = error or ConfigError
    with open(schema_path) as fh:
        schema = yaml.safe_load(fh)
    if not isinstance(doc, dict):
        raise error(f"{source}: expected a mapping of keys to values, got {type(doc).__name__}")
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    lines = [f"  key '{_key(e.absolute_path)}': {_describe(e)}" for e in errors]
    lines += [f"  key '{_key(p)}': found {v}, expected a finite number" for p, v in _non_finite(doc)]
    if lines:
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


class _DuplicateKey(yaml.YAMLError):
    pass


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping (PyYAML keeps the last silently)."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node.start_mark.line + 1)
            except TypeError:  # an unhashable key: let the base class report it
                continue
            if first != key_node.start_mark.line + 1:
                raise _DuplicateKey(f"key {key!r} appears twice (lines {first} and {key_node.start_mark.line + 1}); "
                                    "YAML would silently keep only the last one, so remove one of them")
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: str | Path, error=None):
    """Parse a YAML file; unreadable or malformed files, and keys given twice, raise ``error`` naming the file."""
    error = error or ConfigError
    path = Path(path)
    try:
        with open(path) as fh:
            return yaml.load(fh, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except OSError as exc:
        raise error(f"{path}: cannot read file ({exc.strerror})") from exc
    except _DuplicateKey as exc:
        raise error(f"{path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML ({exc})") from exc


def load_config(path: str | Path) -> dict:
    return validate_config(read_yaml(path), source=str(path))


def check_config_files(argv: list[str]) -> int:
    """Check the config files among Snakemake arguments before Snakemake reads them: it reports an
    empty file, a list or tab indentation with a traceback that does not name the file."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--configfile", "--configfiles", nargs="+", action="extend", default=[])
    files = parser.parse_known_args(argv)[0].configfile
    for path in files:
        try:
            doc = read_yaml(path)
            if not isinstance(doc, dict):
                found = "an empty file" if doc is None else f"a {type(doc).__name__}"
                raise ConfigError(f"{path}: expected a mapping of config keys to values, found {found}")
        except ConfigError as err:
            sys.stderr.write(f"error: {err}\n(the run did not start)\n")
            return 1
    return 0


if __name__ == "__main__":  # bin/replicate.sh: python3 -m actionable.studies.config <snakemake arguments>
    sys.exit(check_config_files(sys.argv[1:]))
