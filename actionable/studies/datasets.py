"""Dataset specs: any megastudy described in YAML, loaded and checked against its data.

A spec (schema: workflow/schemas/dataset.schema.yaml) names the data file, the outcome, the
arm column and control label, the covariates with their types, and the assignment
probabilities. ``load_dataset`` reads the file and refuses anything the analysis cannot use,
with an error naming the file, the column and what was expected.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .config import SCHEMAS, InputError, read_yaml, validate_document

DATASET_SCHEMA = SCHEMAS / "dataset.schema.yaml"
PROB_TOLERANCE = 1e-6  # a sum this close to 1 is exact
SUM_TOLERANCE = 1e-3  # declared probabilities rounded by hand: renormalized, with a note
FRACTION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*$")
OTHERS = "others"  # in a probabilities mapping: the arms not named, with 'equal'


class DatasetError(InputError):
    """A dataset or spec the analysis cannot use; the message names the file and column."""


@dataclass
class Dataset:
    """A validated study: the data frame with arms as strings, and what the spec declares."""

    name: str
    spec: dict
    spec_path: str
    data_path: str
    frame: pd.DataFrame
    arms: list  # arm labels (strings), control first then natural order
    control: str
    propensity: dict  # arm label -> assignment probability
    covariates: list  # [{name, type, ...}]
    arm_labels: dict = field(default_factory=dict)  # arm label -> human-readable text
    warnings: list = field(default_factory=list)  # legitimate but odd data, said at start and in the report
    propensity_rows: np.ndarray | None = None  # n x m, when probabilities differ by row (blocks, columns)
    design: str = "fixed"  # fixed | blocks | columns

    def propensity_matrix(self) -> np.ndarray:
        """e(a | x_i) for every row and arm (n x m, arms in ``arms`` order): what IPW, AIPW and the
        forest's W.hat use."""
        if self.propensity_rows is not None:
            return self.propensity_rows
        return np.tile(np.array([self.propensity[a] for a in self.arms]), (len(self.frame), 1))

    @property
    def outcome(self) -> str:
        return self.spec["outcome"]["column"]

    @property
    def arm_column(self) -> str:
        return self.spec["arm"]["column"]

    @property
    def binary(self) -> bool:
        return self.spec["outcome"]["type"] == "binary"

    def arm_indices(self) -> np.ndarray:
        """Each row's arm as an index into ``arms`` (control = 0)."""
        return self.frame[self.arm_column].map({a: i for i, a in enumerate(self.arms)}).to_numpy()

    def covariate_names(self, kind: str | None = None) -> list:
        return [c["name"] for c in self.covariates if kind is None or c["type"] == kind]

    def covariate_set(self, name: str) -> list:
        sets = self.spec.get("covariate_sets") or {}
        if name not in sets:
            raise DatasetError(f"{self.spec_path}: no covariate set {name!r} (has: {', '.join(sets) or 'none'})")
        return list(sets[name])

    def summary(self) -> dict:
        counts = self.frame[self.arm_column].value_counts()
        return dict(
            study=self.name, spec=self.spec_path, data=self.data_path, n=len(self.frame),
            outcome=self.outcome, outcome_type=self.spec["outcome"]["type"],
            arms=self.arms, control=self.control, m=len(self.arms),
            rows_per_arm={a: int(counts.get(a, 0)) for a in self.arms},
            propensity=self.propensity, design=self.design,
            covariates=self.covariates,
            covariates_total=len(self.covariates),
            covariates_continuous=len(self.covariate_names("continuous")),
            covariates_discrete=len(self.covariates) - len(self.covariate_names("continuous")),
            missing_covariate_values={c: int(self.frame[c].isna().sum()) for c in self.covariate_names()},
            outcome_mean=float(self.frame[self.outcome].mean()),
            warnings=list(self.warnings),
            **self._declared_form(),
        )

    def _declared_form(self) -> dict:
        """The spec's probabilities as written, when IPW uses other numbers than those literally
        written (fractions, 'others: equal', a renormalized sum)."""
        probs = self.spec["assignment"].get("probabilities")
        if not isinstance(probs, dict) or self.design != "fixed":
            return {}
        literal = {_label(k): v for k, v in probs.items()}
        if all(isinstance(literal.get(a), (int, float)) and float(literal[a]) == self.propensity[a] for a in self.arms):
            return {}
        return dict(propensity_declared=probs)


def _plain(value):
    """A value as Python shows it (numpy 2 prints np.int64(0) for a numpy scalar's repr)."""
    return value.item() if isinstance(value, np.generic) else value


def _natural_key(label: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", str(label))]


def arm_order(labels, control: str) -> list:
    """Control first, then the other arms in natural order (2 before 10)."""
    rest = sorted((str(a) for a in labels if str(a) != control), key=_natural_key)
    return [control, *rest]


def load_spec(path: str | Path) -> dict:
    spec = read_yaml(path, DatasetError)
    validate_document(spec, DATASET_SCHEMA, str(path), DatasetError, what="dataset spec")
    return spec


def read_columns(path: Path, fmt: str | None, columns: list | None, spec_path) -> pd.DataFrame:
    """The named columns (None: all) of a data file in any supported format, each name checked to
    appear exactly once in the file."""
    if not path.exists():
        raise DatasetError(f"{spec_path}: data file {path} does not exist")
    if path.stat().st_size == 0:
        raise DatasetError(f"{path}: the data file is empty (0 bytes)")
    fmt = fmt or infer_format(path)
    try:
        if fmt == "csv":
            # the raw header: pandas renames a repeated name ('spend' -> 'spend.1') and reads the first
            header = _csv_header(path)
            _unique_columns(header, path)
            columns = header if columns is None else columns
            _require_columns(header, columns, path)
            # every column, not usecols: with usecols pandas drops a row's extra fields silently
            try:
                return pd.read_csv(path, low_memory=False, encoding="utf-8-sig")[columns]
            except pd.errors.ParserError as exc:
                raise DatasetError(f"{path}: rows do not all have the header's {len(header)} fields "
                                   f"({str(exc).strip()}); check the quoting and separators of that line") from exc
        frame = _read_binary(path, fmt)
        _unique_columns(frame.columns.tolist(), path)
        columns = frame.columns.tolist() if columns is None else columns
        _require_columns(frame.columns.tolist(), columns, path)
        return frame[columns].copy()
    except DatasetError:
        raise
    except (OSError, ValueError, ImportError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read as {fmt} ({exc})") from exc


def _csv_header(path: Path) -> list:
    """The header as written (compressed files too), without a UTF-8 byte-order mark."""
    if path.suffix in (".gz", ".bz2", ".xz", ".zip", ".zst"):
        try:
            first = pd.read_csv(path, header=None, nrows=1, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except pd.errors.EmptyDataError:
            return []
        return first.iloc[0].tolist() if len(first) else []
    # utf-8-sig: a byte-order mark (Excel's "CSV UTF-8") is not part of the first column's name
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return next(csv.reader(fh), [])


FORMATS = {".h5": "hdf5", ".hdf5": "hdf5", ".dta": "stata", ".parquet": "parquet", ".pq": "parquet"}
WRITERS = {"hdf5": "pandas.DataFrame.to_hdf", "stata": "Stata (save) or pandas.DataFrame.to_stata",
           "parquet": "pandas.DataFrame.to_parquet or arrow"}


def infer_format(path: Path) -> str:
    """csv unless the extension says otherwise (.csv.gz and other compressed CSVs are CSV)."""
    return FORMATS.get(Path(path).suffix.lower(), "csv")


def _read_binary(path: Path, fmt: str) -> pd.DataFrame:
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401  (pandas reads Parquet through it)
        except ImportError as exc:
            raise DatasetError(f"{path}: Parquet input needs the pyarrow package, which this Python lacks; "
                               "install it (Debian: python3-pyarrow) or save the data as CSV or Stata .dta") from exc
    try:
        if fmt == "hdf5":
            return pd.read_hdf(path)
        if fmt == "stata":
            # codes, not value labels: a labelled 0/1 stays numeric, and text covariates stay text
            frame = pd.read_stata(path, convert_categoricals=False)
            # Stata's missing string is "", which would otherwise become a level of its own
            text = frame.columns[frame.dtypes == object]
            frame[text] = frame[text].replace("", np.nan)
            return frame
        return pd.read_parquet(path)
    except Exception as exc:  # PyTables and the Stata reader raise their own classes
        last = [line.strip() for line in str(exc).splitlines() if line.strip()] or [type(exc).__name__]
        raise DatasetError(f"{path}: cannot read as {fmt} ({last[-1]}); expected a file written by "
                           f"{WRITERS[fmt]}") from exc


def _unique_columns(header, path):
    names = list(map(str, header))
    dup = sorted(n for n, k in Counter(names).items() if k > 1)
    if dup:
        where = {d: [i + 1 for i, c in enumerate(names) if c == d] for d in dup}
        raise DatasetError(f"{path}: column name(s) used more than once: "
                           + "; ".join(f"{d!r} (columns {', '.join(map(str, w))})" for d, w in where.items())
                           + "; every column needs its own name")


def _require_columns(header, columns, path):
    missing = [c for c in columns if c not in header]
    if missing:
        raise DatasetError(f"{path}: missing column(s) {', '.join(map(repr, missing))} declared in the spec; "
                           f"the file has: {', '.join(map(str, header))}")


def _label(x) -> str:
    """Arm labels as strings; 14.0 read from a numeric column becomes '14'."""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _labels(col: pd.Series) -> pd.Series:
    """``_label`` of every value, computed once per distinct value (missing stays missing)."""
    mapping = {v: _label(v) for v in pd.unique(col.dropna())}
    return col.map(mapping).astype(object)


def load_dataset(spec_path: str | Path, min_arm_rows: int = 1) -> Dataset:
    """Read the spec and its data; raise DatasetError on anything the analysis cannot use.

    Relative paths in the spec are relative to the spec file's folder.
    """
    spec_path = Path(spec_path)
    spec = load_spec(spec_path)
    data_path = resolve(spec_path, spec["data"])
    out_col, arm_col = spec["outcome"]["column"], spec["arm"]["column"]
    covs = spec["covariates"]
    names = [c["name"] for c in covs]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise DatasetError(f"{spec_path}: covariate(s) declared twice: {', '.join(dup)}")
    clash = [n for n in names if n in (out_col, arm_col, spec.get("id"))]
    if clash:
        raise DatasetError(f"{spec_path}: column(s) {', '.join(clash)} declared both as covariate and as outcome/arm/id")
    design_cols = [c for c in [spec["assignment"].get("block"), *(spec["assignment"].get("probability_columns") or {}).values()]
                   if c and c not in names + [arm_col, out_col, spec.get("id")]]
    columns = ([spec["id"]] if spec.get("id") else []) + [arm_col, out_col] + names + list(dict.fromkeys(design_cols))
    frame = read_columns(data_path, spec.get("format"), columns, spec_path)
    where = str(data_path)
    if frame.empty:
        raise DatasetError(f"{where}: has column names but no data rows")

    if spec.get("id"):
        check_ids(frame, spec["id"], where)

    # outcome
    y = frame[out_col]
    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        bad = pd.to_numeric(y, errors="coerce").isna() & y.notna()
        example = y[bad].iloc[0] if bad.any() else y.iloc[0]
        raise DatasetError(f"{where}: outcome column {out_col!r} must be numeric, found non-numeric values such as {_plain(example)!r}")
    if y.isna().any():
        raise DatasetError(f"{where}: outcome column {out_col!r} has {int(y.isna().sum())} missing value(s); every row needs an outcome")
    if not np.all(np.isfinite(y.to_numpy(float))):
        raise DatasetError(f"{where}: outcome column {out_col!r} has non-finite values")
    if y.nunique() < 2:
        raise DatasetError(f"{where}: outcome column {out_col!r} has the same value ({_plain(y.iloc[0])!r}) in every row; "
                           "there is no response to personalize")
    if spec["outcome"]["type"] == "binary":
        vals = set(np.unique(y.to_numpy(float)).tolist())
        if not vals <= {0.0, 1.0}:
            other = sorted(vals - {0.0, 1.0})[:5]
            raise DatasetError(f"{where}: outcome column {out_col!r} is declared binary but has values other than 0/1: {other}")
        frame[out_col] = y.astype(np.int8)

    # arms
    if frame[arm_col].isna().any():
        raise DatasetError(f"{where}: arm column {arm_col!r} has {int(frame[arm_col].isna().sum())} missing value(s)")
    frame[arm_col] = _labels(frame[arm_col])
    control = _label(spec["arm"]["control"])
    present = set(frame[arm_col].unique())
    folded = {}
    for a in present:
        folded.setdefault(a.strip().casefold(), []).append(a)
    variants = [sorted(v) for v in folded.values() if len(v) > 1]
    if variants:
        counts = frame[arm_col].value_counts()
        listing = "; ".join(" vs ".join(f"{a!r} ({int(counts[a])} rows)" for a in v) for v in variants[:5])
        raise DatasetError(f"{where}: arm column {arm_col!r} has labels that differ only in case or surrounding "
                           f"spaces: {listing}; they would count as separate arms. Make each arm's label identical "
                           "in every row")
    if control not in present:
        raise DatasetError(f"{where}: control arm {control!r} (spec key arm.control) does not appear in column {arm_col!r}; "
                           f"arms found: {', '.join(sorted(present, key=_natural_key)[:30])}")
    if len(present) < 2:
        raise DatasetError(f"{where}: arm column {arm_col!r} has {len(present)} arm; a megastudy needs at least 2")
    arms = arm_order(present, control)
    counts = frame[arm_col].value_counts()
    warnings = [f"arm {a!r} has {int(counts[a])} rows (fewer than {RARE_ARM_ROWS}): its holdout gives each of the "
                "10 quantile groups of the stratified sigma and rho fewer than 10 people"
                for a in arms if counts[a] < RARE_ARM_ROWS]
    small = [(a, int(counts[a])) for a in arms if counts[a] < min_arm_rows]
    if small:
        listing = ", ".join(f"{a!r} ({k})" for a, k in small[:10])
        raise DatasetError(f"{where}: arm(s) with fewer than {min_arm_rows} rows (config data.min_arm_rows): {listing}")

    # assignment probabilities
    propensity, rows, design, more = _assignment(spec, frame, arms, counts, present, spec_path, where)
    warnings += more

    for cov in covs:
        check_covariate(frame, cov, where)

    warnings += _check_design_width(frame, covs, counts, arms, where)

    for set_name, members in (spec.get("covariate_sets") or {}).items():
        unknown = [c for c in members if c not in names]
        if unknown:
            raise DatasetError(f"{spec_path}: covariate_sets.{set_name} names undeclared covariate(s): {', '.join(unknown)}")
    for role, col in (spec.get("display") or {}).items():
        if col not in names:
            raise DatasetError(f"{spec_path}: display.{role} names undeclared covariate {col!r}")
    labels = {_label(k): v for k, v in (spec["arm"].get("labels") or {}).items()}
    return Dataset(name=spec["name"], spec=spec, spec_path=str(spec_path), data_path=str(data_path),
                   frame=frame, arms=arms, control=control, propensity=propensity, covariates=covs,
                   arm_labels=labels, warnings=warnings, propensity_rows=rows, design=design)


def check_ids(frame: pd.DataFrame, column: str, where: str) -> None:
    ids = frame[column]
    if ids.isna().any():
        raise DatasetError(f"{where}: id column {column!r} has {int(ids.isna().sum())} missing value(s)")
    dups = ids[ids.duplicated()]
    if len(dups):
        raise DatasetError(f"{where}: id column {column!r} has {len(dups)} duplicate id(s), e.g. {_plain(dups.iloc[0])!r}; ids must be unique")


def check_covariate(frame: pd.DataFrame, cov: dict, where: str, constant_ok: bool = False) -> None:
    """A declared covariate against its column, which it converts in place (numbers as float,
    categories as strings). ``constant_ok``: new people a fitted policy is applied to may share a value."""
    name, kind = cov["name"], cov["type"]
    col = frame[name]
    nonmissing = col.dropna()
    if kind == "continuous":
        if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            conv = pd.to_numeric(nonmissing, errors="coerce")
            example = nonmissing[conv.isna()].iloc[0] if conv.isna().any() else nonmissing.iloc[0]
            raise DatasetError(f"{where}: covariate {name!r} is declared continuous but is not numeric (e.g. {_plain(example)!r})")
        x = col.to_numpy(float)
        x = x[~np.isnan(x)]
        if not np.all(np.isfinite(x)):
            raise DatasetError(f"{where}: covariate {name!r} has infinite values ({int(np.sum(~np.isfinite(x)))} rows); "
                               "use a finite number, or leave the value empty for missing")
        with np.errstate(over="ignore", invalid="ignore"):
            spread = np.std(x) if len(x) else 0.0
        if not np.isfinite(spread):
            raise DatasetError(f"{where}: covariate {name!r} has values too large to compute with (largest "
                               f"magnitude {np.max(np.abs(x)):.3g}); rescale the column")
        frame[name] = col.astype(float)
    elif kind == "binary":
        vals = set(pd.unique(nonmissing))
        if not vals <= {0, 1, True, False}:
            raise DatasetError(f"{where}: covariate {name!r} is declared binary but has values other than 0/1: {sorted(map(str, vals))[:5]}")
        frame[name] = col.astype(float)
    else:
        frame[name] = _labels(col)
    if not constant_ok and frame[name].nunique(dropna=True) < 2:
        raise DatasetError(f"{where}: covariate {name!r} is constant (at most one distinct non-missing value); it cannot explain heterogeneity, drop it from the spec")


def _per_arm(mapping: dict, arms: list, present: set, spec_path, key: str, where: str) -> dict:
    """A spec mapping keyed by arm label, checked to cover every arm and to name no absent one."""
    given = {_label(k): v for k, v in mapping.items()}
    missing = [a for a in arms if a not in given]
    if missing:
        raise DatasetError(f"{spec_path}: {key} does not cover arm(s) {', '.join(map(repr, missing))} found in {where}")
    extra = [a for a in given if a not in present]
    if extra:
        raise DatasetError(f"{spec_path}: {key} names arm(s) {', '.join(map(repr, extra))} absent from {where}")
    return given


def _probability(value, spec_path, key: str, arm: str) -> float:
    """A declared probability: a number or an exact fraction written as text ('1/4', '3/44')."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    match = FRACTION.match(value) if isinstance(value, str) else None
    if match and float(match.group(2)) > 0:
        return float(match.group(1)) / float(match.group(2))
    raise DatasetError(f"{spec_path}: {key}.{arm} must be a number or a fraction such as '3/44', found {value!r}")


def _declared(probs: dict, arms: list, present: set, spec_path, key: str, where: str) -> tuple[dict, list]:
    """One mapping arm -> probability and its notes: covers every arm, names no absent one,
    positive, sums to 1. Values may be fractions ('1/4'); 'others: equal' gives the arms not
    named an equal share of what the named ones leave. A sum within SUM_TOLERANCE of 1 (rounded
    values) is renormalized, and a note says so with both sets of values."""
    given = {_label(k): v for k, v in probs.items()}
    if OTHERS in given and OTHERS not in present:
        if given.pop(OTHERS) != "equal":
            raise DatasetError(f"{spec_path}: {key}.{OTHERS} must be 'equal' (the arms not named share what the "
                               f"named ones leave), found {probs[OTHERS]!r}")
        named = {a: _probability(v, spec_path, key, a) for a, v in given.items()}
        rest = [a for a in arms if a not in named]
        left = 1.0 - sum(named.values())
        if not rest or left <= 0:
            raise DatasetError(f"{spec_path}: {key}: '{OTHERS}: equal' leaves {left:.6g} to share among {len(rest)} "
                               f"arm(s) not named; name fewer arms or lower their probabilities")
        given = {**named, **{a: left / len(rest) for a in rest}}
    given = {a: _probability(v, spec_path, key, a) for a, v in _per_arm(given, arms, present, spec_path, key, where).items()}
    bad = {a: p for a, p in given.items() if not (p > 0 and math.isfinite(p))}
    if bad:
        raise DatasetError(f"{spec_path}: {key} must be > 0 for every arm (IPW needs every arm possible), got {bad}")
    total = sum(given.values())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise DatasetError(
            f"{spec_path}: {key} sum to {total:.8g}, off by {total - 1:+.3g}, more than the rounding tolerance "
            f"{SUM_TOLERANCE:g}. Write exact values as fractions (e.g. '1/4', '3/44'), or give some arms and let "
            f"the rest share equally: {{{arms[0]}: 0.25, {OTHERS}: equal}}")
    if abs(total - 1.0) <= PROB_TOLERANCE:
        return {a: given[a] for a in arms}, []
    note = (f"{key} sum to {total:.8g} (within the rounding tolerance {SUM_TOLERANCE:g}); IPW uses them divided by "
            f"that sum: declared {', '.join(f'{a} {given[a]:.7g}' for a in arms)}; used "
            f"{', '.join(f'{a} {given[a] / total:.7g}' for a in arms)}")
    return {a: given[a] / total for a in arms}, [note]


def _assignment(spec, frame, arms, counts, present, spec_path, where):
    """(marginal probability per arm, n x m per-row probabilities or None, design, warnings).

    Fixed designs give one probability per arm ('equal', 'estimate' or a mapping). Randomization
    within blocks (``assignment.block``) gives each block its own: a mapping block -> {arm: p},
    or 'estimate' (each block's arm shares) or 'equal'. ``assignment.probability_columns`` reads
    each row's probability of every arm from the data.
    """
    asg = spec["assignment"]
    probs, block, columns = asg.get("probabilities"), asg.get("block"), asg.get("probability_columns")
    arm_col = spec["arm"]["column"]
    n, warnings = len(frame), []
    if columns:
        if probs is not None or block:
            raise DatasetError(f"{spec_path}: assignment.probability_columns replaces assignment.probabilities and "
                               "assignment.block; give only one way of stating the design")
        cols = _per_arm(columns, arms, present, spec_path, "assignment.probability_columns", where)
        mat = np.empty((n, len(arms)))
        for j, a in enumerate(arms):
            col = pd.to_numeric(frame[cols[a]], errors="coerce")
            if col.isna().any():
                raise DatasetError(f"{where}: probability column {cols[a]!r} (arm {a!r}) has {int(col.isna().sum())} "
                                   "missing or non-numeric value(s); every row needs its probability of every arm")
            mat[:, j] = col.to_numpy(float)
        bad = ~np.isfinite(mat) | (mat <= 0) | (mat > 1)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise DatasetError(f"{where}: probability column {cols[arms[j]]!r} has {int(bad[:, j].sum())} value(s) "
                               f"outside (0, 1], e.g. {_plain(mat[i, j])!r} in data row {i + 1}; every arm must be possible "
                               "for everyone (IPW divides by it)")
        off = np.abs(mat.sum(axis=1) - 1) > 1e-4
        if off.any():
            i = int(np.argmax(off))
            raise DatasetError(f"{where}: the probability columns ({', '.join(cols[a] for a in arms)}) must sum to 1 "
                               f"in every row; {int(off.sum())} row(s) do not, e.g. data row {i + 1} sums to "
                               f"{mat[i].sum():.6g}")
        return {a: float(mat[:, j].mean()) for j, a in enumerate(arms)}, mat, "columns", warnings
    if not block:
        if probs == "equal":
            propensity = {a: 1.0 / len(arms) for a in arms}
            warnings += _check_shares(propensity, counts, n, spec_path, where)
        elif probs == "estimate":
            propensity = {a: float(counts[a] / n) for a in arms}
        else:
            if any(isinstance(v, dict) for v in probs.values()):
                raise DatasetError(f"{spec_path}: assignment.probabilities gives probabilities per block; name the "
                                   "block column in assignment.block")
            propensity, notes = _declared(probs, arms, present, spec_path, "assignment.probabilities", where)
            warnings += notes + _check_shares(propensity, counts, n, spec_path, where)
        return propensity, None, "fixed", warnings
    # randomized within blocks
    b = frame[block]
    if b.isna().any():
        raise DatasetError(f"{where}: block column {block!r} (assignment.block) has {int(b.isna().sum())} missing "
                           "value(s); every row needs its block")
    b = _labels(b)
    levels = sorted(pd.unique(b), key=_natural_key)
    mat = np.empty((n, len(arms)))
    for level in levels:
        rows = (b == level).to_numpy()
        k = frame.loc[rows, arm_col].value_counts()
        there = f"{where}, block {block}={level!r}"
        if probs == "estimate":
            absent = [a for a in arms if k.get(a, 0) == 0]
            if absent:
                raise DatasetError(f"{there}: no row got arm(s) {', '.join(map(repr, absent))}; estimating the "
                                   "probabilities within blocks needs every arm in every block (merge small blocks)")
            p = {a: float(k[a] / rows.sum()) for a in arms}
        elif probs == "equal":
            p = {a: 1.0 / len(arms) for a in arms}
            warnings += _check_shares(p, k, int(rows.sum()), spec_path, there)
        else:
            table = {_label(key): v for key, v in probs.items()}
            if level not in table:
                raise DatasetError(f"{spec_path}: assignment.probabilities has no entry for block {level!r} of column "
                                   f"{block!r}; blocks in {where}: {', '.join(levels[:20])}")
            if not isinstance(table[level], dict):
                raise DatasetError(f"{spec_path}: assignment.probabilities.{level} must map each arm to its probability "
                                   f"in that block, found {table[level]!r}")
            p, notes = _declared(table[level], arms, present, spec_path, f"assignment.probabilities.{level}", where)
            warnings += notes + _check_shares(p, k, int(rows.sum()), spec_path, there)
        mat[rows] = [p[a] for a in arms]
    if isinstance(probs, dict):
        extra = [key for key in map(_label, probs) if key not in levels]
        if extra:
            raise DatasetError(f"{spec_path}: assignment.probabilities names block(s) {', '.join(map(repr, extra))} "
                               f"absent from column {block!r} of {where}")
    return {a: float(mat[:, j].mean()) for j, a in enumerate(arms)}, mat, "blocks", warnings


def _check_design_width(frame, covs, counts, arms, where) -> list:
    """A categorical covariate with a level for nearly every person (an id by another name) makes
    the per-arm OLS (Eq. 13) a saturated fit that predicts nothing. Refused when it has more than
    10 levels and at least half as many as the smallest arm has rows (tiny arms are for
    data.min_arm_rows to refuse); a warning from a tenth."""
    smallest = min(arms, key=lambda a: counts[a])
    rows = int(counts[smallest])
    out = []
    for c in covs:
        levels = frame[c["name"]].nunique(dropna=True) if c["type"] == "categorical" else 0
        if levels > 10 and levels >= rows / 2:
            raise DatasetError(f"{where}: categorical covariate {c['name']!r} has {levels:,} levels, at "
                               f"least half the {rows:,} rows of arm {smallest!r}: the per-arm OLS would be "
                               "saturated. Merge rare levels or drop the covariate")
        if levels > 10 and levels >= rows / 10:
            out.append(f"categorical covariate {c['name']!r} has {levels:,} levels for the {rows:,} rows of arm "
                       f"{smallest!r}: the per-arm OLS is close to saturated")
    return out


# An arm's count this many binomial SDs from its declared share is not what the declared design
# produces (about 2e-9 per arm by chance): the IPW weights would be wrong without a word. Beyond 3 SDs
# (about 0.3% per arm) the run goes on with a warning.
SHARE_Z = 6.0
SHARE_WARN_Z = 3.0
RARE_ARM_ROWS = 300  # below this an arm's 30% holdout gives its 10 quantile groups fewer than 10 people each


def _check_shares(propensity: dict, counts, n: int, spec_path, where) -> list:
    """Refuse shares beyond SHARE_Z binomial SDs of the declared design; warn beyond SHARE_WARN_Z."""
    bad, odd = [], []
    for a, p in propensity.items():
        k = int(counts.get(a, 0))
        sd = math.sqrt(n * p * (1 - p)) if p < 1 else 0.0
        z = (k - n * p) / sd if sd > 0 else 0.0
        text = f"{a!r} declared {p:.4g}, observed {k:,} of {n:,} rows ({k / n:.4g}; expected about {n * p:,.0f})"
        if abs(z) > SHARE_Z:
            bad.append(text)
        elif abs(z) > SHARE_WARN_Z:
            odd.append(f"{text}, {z:+.1f} binomial SDs")
    if bad:
        raise DatasetError(f"{spec_path}: assignment.probabilities disagree with the arm shares in {where} beyond "
                           f"{SHARE_Z:g} binomial SDs: " + "; ".join(bad[:5])
                           + ". Correct the declared probabilities, or use 'probabilities: estimate' to take the "
                           "observed shares")
    return [f"arm shares unusually far from the declared probabilities (IPW uses the declared ones): {t}" for t in odd]


def resolve(dataset_or_spec_path, path: str) -> Path:
    """A path from a spec, relative to the spec's folder unless absolute."""
    base = Path(getattr(dataset_or_spec_path, "spec_path", dataset_or_spec_path)).parent
    return Path(path) if Path(path).is_absolute() else base / path


def load_truth(dataset: Dataset) -> np.ndarray | None:
    """The stored ground truth (n x m, columns in ``dataset.arms`` order), if the spec has one."""
    if not dataset.spec.get("truth"):
        return None
    path = resolve(dataset, dataset.spec["truth"])
    truth = np.load(path)
    order = read_yaml(path.with_suffix(".arms.yaml"), DatasetError)
    idx = [list(map(str, order)).index(a) for a in dataset.arms]
    if truth.shape[0] != len(dataset.frame):
        raise DatasetError(f"{path}: truth has {truth.shape[0]} rows, the data {len(dataset.frame)}")
    return truth[:, idx]
