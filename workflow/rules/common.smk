# Shared logic: config validation at load time, paths and input functions.
import functools
import os
import sys

# The statistics package lives at the workflow root. Jobs import it through the symlink
# scripts/actionable: Snakemake puts a script's own folder on sys.path, locally, in conda
# environments and on cluster nodes alike.
sys.path.insert(0, workflow.basedir)

from snakemake.logging import logger  # noqa: E402

from actionable.paper.published import ROLES as PAPER_ROLES  # noqa: E402
from actionable.stats.forests import chunk_settings, chunk_trees  # noqa: E402
from actionable.stats.seeds import stream_seed  # noqa: E402
from actionable.studies.config import ConfigError, InputError, read_yaml, stop, validate_config  # noqa: E402
from actionable.studies.datasets import read_columns, resolve  # noqa: E402
from actionable.studies.forest_files import study_settings  # noqa: E402
from actionable.studies import memory  # noqa: E402
from actionable.studies.study import check_studies  # noqa: E402


def _unique(key):
    values = [e[key] for e in config["studies"] if key in e]
    dup = sorted({v for v in values if values.count(v) > 1})
    if dup:
        raise ConfigError(f"config key 'studies': {key} {', '.join(dup)} appears more than once")


def _check_config():
    """Stops the run before any job, naming each bad key and what was expected. Snakemake has
    merged the config files already, keeping the last of a key given twice: re-read each to
    refuse that."""
    for path in workflow.configfiles:
        read_yaml(path)
    validate_config(config, source="config (config.yaml and --config/--configfile)")
    _unique("name")
    _unique("paper_role")


try:
    _check_config()
except InputError as _err:
    stop(_err)

FIGURE6_CASES = sorted(config["theory"]["figure6"]["cases"])
STUDY = {entry["name"]: entry for entry in config["studies"]}
STUDIES = list(STUDY)
# Repeated splits (splits.count = S): split 1 is the study itself; split k > 1 is the study again
# under the name "{study}__split{k}", every random step seeded as a run with seed + k - 1 would
# seed it, so that split k equals a single-split run with that seed.
SPLITS = config["splits"]["count"]
SPLIT_MARK = "__split"
for _study in STUDIES:
    if SPLIT_MARK in _study:
        stop(ConfigError(f"config key 'studies': name {_study!r} contains {SPLIT_MARK!r}, which names repeated splits; "
                         "expected a name without it"))
SPLIT_OF = {f"{s}{SPLIT_MARK}{k}": (s, k) for s in STUDIES for k in range(2, SPLITS + 1)}
STUDY.update({name: STUDY[s] for name, (s, _) in SPLIT_OF.items()})
SIMULATED = [s for s in STUDIES if "simulator" in STUDY[s]]
PAPER_STUDY = {e["paper_role"]: e["name"] for e in config["studies"] if "paper_role" in e}
PAPER_STUDIES = [PAPER_STUDY[r] for r in PAPER_ROLES if r in PAPER_STUDY]
# An overlap analysis of a study this run does not include is skipped (with a warning), so a
# config that swaps in other studies need not also edit moments.overlap.
OVERLAP = [o for o in config["moments"].get("overlap", []) if o["study"] in STUDY]
for _o in config["moments"].get("overlap", []):
    if _o["study"] not in STUDY:
        logger.warning(f"config key 'moments.overlap': skipping study {_o['study']!r}, not among studies ({', '.join(STUDIES)})")


def _swap_pairs():
    """Table 5's parameter swaps: the pairs in sensitivity.swaps, else the paper's two studies."""
    pairs = config["sensitivity"].get("swaps")
    if pairs is None:
        pairs = [[PAPER_STUDY["penn_geisinger"], PAPER_STUDY["walmart"]]] if len(PAPER_STUDIES) == 2 else []
    for i, pair in enumerate(pairs):
        unknown = [s for s in pair if s not in STUDY]
        if unknown or pair[0] == pair[1]:
            stop(ConfigError(f"config key 'sensitivity.swaps[{i}]': found {pair}; expected two different studies "
                             f"among studies ({', '.join(STUDIES)})"))
    return [f"{a}--{b}" for a, b in pairs]


SWAP_PAIRS = _swap_pairs()

wildcard_constraints:
    case="|".join(FIGURE6_CASES),
    pair="|".join(SWAP_PAIRS) or "(?!)",
    number="[345]",
    n="9|10|11",
    armfig="[78]",
    study="|".join(STUDIES + list(SPLIT_OF)),
    covset="[A-Za-z][A-Za-z0-9_]*",
    chunk="[0-9]{1,4}",
    group="[0-9]{1,4}",


def seed_for(step):
    """Seed of one random step, derived from the config's base seed and the step's name. A step of
    split k of a study (a name "{study}__split{k}" in it) gets the seed the study's step has in a
    run with base seed + k - 1."""
    for name, (study, k) in SPLIT_OF.items():
        if name in step.split("/"):
            return stream_seed(config["seed"] + k - 1, step.replace(name, study))
    return stream_seed(config["seed"], step)


def parent(study):
    """The configured study a name stands for (itself, or the study of a repeated split)."""
    return SPLIT_OF.get(study, (study, 1))[0]


def split_names(study):
    """The study's name in each of its splits, split 1 first."""
    return [study] + [f"{study}{SPLIT_MARK}{k}" for k in range(2, SPLITS + 1)]


def macf_settings(study):
    """A study's forest settings: forests.macf with the study's own macf entries over it."""
    return study_settings(config, parent(study))


def macf_chunks(study):
    return macf_settings(study)["chunks"]


_YHAT = "in the Y.hat forest (a quarter of num_trees, at least 50, as grf grows it): "
for _i, _study in enumerate(STUDIES):
    _key = f"studies[{_i}].macf ({_study})" if "macf" in STUDY[_study] else "forests.macf"
    _settings = macf_settings(_study)
    for _kind, _where in (("macf", ""), ("yhat", _YHAT)):
        try:  # every chunk must get trees: fail before any job runs
            chunk_trees(chunk_settings(_settings, _kind), _settings["chunks"], _settings["chunks"] - 1)
        except ValueError as err:
            stop(ConfigError(f"config: key '{_key}.chunks': {_where}{err}"))


def _main_process():
    """True in the process a user starts (not in a job that re-reads the workflow to run one rule)."""
    mode = getattr(workflow, "mode", None)  # Snakemake 7: an int, 0 = snakemake.common.Mode.default
    if mode is None:
        mode = getattr(workflow, "exec_mode", None)  # Snakemake 8+: an enum, ExecMode.DEFAULT
    if mode is None:
        return True
    if hasattr(mode, "name"):
        return mode.name.lower() == "default"
    return mode == 0


def _size_mb(path):
    return os.path.getsize(path) / 2**20 if os.path.exists(path) else 0.0


def forest_mem_mb(wildcards, input, attempt):
    """Memory of a forest job, from the study's data file and the forest chunks it reads
    (actionable.studies.memory.request_mb)."""
    data = _size_mb(input.data) if "data" in input.keys() else 0.0
    chunks = [_size_mb(f) for f in input if str(f).endswith(".rds")]
    return memory.request_mb(data, chunks, config["forests"]["combine"], attempt)


# What the merge job reads of each forest chunk: the trees (merge) or their sufficient statistics
CHUNK_FILE = "stats.npz" if config["forests"]["combine"] == "statistics" else "rds"


def chunk_file(path):
    """A forest chunk: deleted after its merge when forests.temp_chunks (paper scale) says so."""
    return temp(path) if config["forests"]["temp_chunks"] else path


def project_path(path):
    """Config paths are relative to the project root, wherever the run's working directory is."""
    return path if os.path.isabs(path) else os.path.join(workflow.basedir, path)


if _main_process():
    # Every study's spec against its data before any job (validate_study records the same check)
    _sizes = {}
    try:
        for _warning in check_studies(config["studies"], config["data"]["min_arm_rows"], project_path, OVERLAP, _sizes):
            logger.warning(f"warning: {_warning}")  # also in results/data/{study}/summary.json and the report
    except InputError as _err:
        stop(_err)
    # Each study's forest jobs should fit the memory of the node that runs them (projected from its size)
    _given = config["forests"].get("job_mem_mb")
    _limit = _given or memory.node_mem_mb()
    _where = f"forests.job_mem_mb {_given} MB" if _given else f"the {_limit:,} MB of the machine Snakemake runs on (forests.job_mem_mb)"
    for _i, (_study, (_rows, _features, _arms)) in enumerate(_sizes.items()):
        _settings = study_settings(config, _study)
        _shape = memory.shape_of(_rows, _features, _arms, _settings)
        _problem = memory.plan(_shape, _settings["num_trees"], config["forests"]["combine"], _limit)
        if _problem:  # a projection, so said, not enforced: the job's own mem_mb request is what SLURM enforces
            _key = f"studies[{_i}].macf" if "macf" in STUDY[_study] else "forests.macf"
            logger.warning(f"warning: config key '{_key}.chunks' ({_study}): the forest's jobs may not fit {_where}: {_problem}")


def study_spec(study):
    """The dataset spec of a study: written by simulate_study, or the user's."""
    entry = STUDY[study]
    if "simulator" in entry:
        return f"results/simulated/{parent(study)}/spec.yaml"
    return project_path(entry["spec"])


def study_inputs(wildcards):
    """Spec, data file and truth (with its arm order) of a study: every file that loading it reads.
    A user's files are inputs only once they exist, so a missing one reaches validate_study, whose
    error names the spec and the file."""
    study = wildcards.study
    entry = STUDY[study]
    if "simulator" in entry:
        folder = f"results/simulated/{parent(study)}"
        return dict(spec=study_spec(study), data=f"{folder}/observed.csv", truth=f"{folder}/truth.npy",
                    truth_arms=f"{folder}/truth.arms.yaml")
    inputs = dict(spec=study_spec(study))
    try:
        spec = read_yaml(inputs["spec"])
        files = dict(data=resolve(inputs["spec"], spec["data"]))
        if spec.get("truth"):
            files["truth"] = resolve(inputs["spec"], spec["truth"])
            files["truth_arms"] = files["truth"].with_suffix(".arms.yaml")
        inputs.update({k: str(v) for k, v in files.items() if v.exists()})
    except Exception:  # a broken spec is reported by validate_study
        pass
    return inputs


def validated_study(wildcards):
    return {**study_inputs(wildcards), "summary": f"results/data/{wildcards.study}/summary.json"}


def tlearner_groups(study):
    """The T-learner jobs of a study: arm indices in consecutive groups of tlearner_arms_per_job."""
    size = config["learners"]["tlearner_arms_per_job"]
    arms = arm_indices(study)
    return [arms[i : i + size] for i in range(0, len(arms), size)]


@functools.lru_cache(maxsize=None)
def arm_indices(study):
    """0..m-1: arms in the dataset's order (control first), known before any job runs so that
    every T-learner job shows in a dry run. A user's data file is read for its arm column
    only; if it cannot be read, validate_study reports why."""
    entry = STUDY[study]
    if "simulator" in entry:
        return list(range(read_yaml(project_path(entry["simulator"]))["arms"]["count"]))
    try:
        spec_path = project_path(entry["spec"])
        spec = read_yaml(spec_path)
        column = spec["arm"]["column"]
        frame = read_columns(resolve(spec_path, spec["data"]), spec.get("format"), [column], spec_path)
        return list(range(frame[column].nunique()))
    except Exception:
        return []


def paper_study(role):
    """The study standing in for the paper's Walmart or Penn-Geisinger study, if configured."""
    return PAPER_STUDY.get(role)


def role_of_figure(number):
    return next(r for r, (_, fig) in PAPER_ROLES.items() if str(fig) == str(number))


def has_display(study, role):
    if study is None:
        return False
    entry = STUDY[study]
    spec = read_yaml(project_path(entry["simulator"] if "simulator" in entry else entry["spec"]))
    return role in (spec.get("display") or {})


def data_outputs():
    out = expand("results/data/{study}/{f}", study=STUDIES, f=["summary.json", "split.csv"])
    out += expand("results/descriptives/{study}/arm_rates.{ext}", study=STUDIES, ext=["csv", "png"])
    out += ["results/tables/table2.csv", "results/tables/table2.md"]
    if SIMULATED:
        out.append("results/tables/true_moments.csv")
    for role, (_, fig) in PAPER_ROLES.items():
        if paper_study(role):
            out.append(f"results/figures/figure{fig}.png")
    roles = [paper_study(r) for r in PAPER_ROLES]
    if all(has_display(s, "age") and has_display(s, "income") for s in roles):
        out += ["results/figures/figure13.png", "results/figures/figure14.png"]
    return out


def learner_outputs():
    out = expand("results/learners/{study}/{learner}/predictions.npy", study=STUDIES, learner=["ols", "sxgb", "txgb_all"])
    out += expand("results/moments/{study}/{f}.json", study=STUDIES, f=["moments_all", "our_model"])
    out += [f"results/moments/{o['study']}/moments_{o['covariate_set']}.json" for o in OVERLAP]
    out += ["results/tables/moments.csv", "results/tables/moments.md"]
    return out


def forest_figure_inputs(studies):
    """What Figures 9-11 read for a list of studies."""
    return dict(
        specs=[study_spec(s) for s in studies],
        splits=[f"results/data/{s}/split.csv" for s in studies],
        tau=[f"results/forests/{s}/macf/tau.npy" for s in studies],
        importance=[f"results/forests/{s}/macf/importance.csv" for s in studies],
        rates=[f"results/descriptives/{s}/arm_rates.csv" for s in studies],
    )


def forest_outputs():
    out = expand("results/forests/{study}/macf/tau.npy", study=STUDIES)
    out += expand("results/forests/{study}/policy_tree/policy.npy", study=STUDIES)
    out += expand("results/forests/{study}/figure{n}.png", study=STUDIES, n=[9, 10, 11])
    if PAPER_STUDIES:
        out += [f"results/figures/figure{n}.png" for n in (9, 10, 11)]
    return out


def evaluation_outputs():
    out = expand("results/evaluation/{study}/{f}", study=STUDIES, f=["policies.csv", "gain_curves.csv", "gain_curves.png"])
    out += expand("results/policies/{study}/{f}", study=STUDIES, f=["assignments.csv", "rules.md", "rules.json"])
    out += ["results/tables/table4.csv", "results/tables/table4.md"]
    out += expand("results/evaluation/{study}/table4.md", study=STUDIES)
    out += expand("results/sensitivity/{study}/{f}", study=STUDIES, f=["curves.csv", "figure12.png", "table6.md"])
    out += expand("results/sensitivity/swaps/{pair}.md", pair=SWAP_PAIRS)
    if PAPER_STUDIES:
        out.append("results/figures/figure12.png")
    if len(PAPER_STUDIES) == 2:  # Tables 5-6 exchange parameters between the paper's two studies
        out += [f"results/tables/table{n}.{ext}" for n in (5, 6) for ext in ("csv", "md")]
    return out


def theory_outputs():
    return [
        "results/theory/table1.csv",
        "results/theory/table1.md",
        "results/figures/figure1.png",
        "results/figures/figure2.png",
        *expand("results/figures/figure{number}.png", number=[3, 4, 5]),
        "results/theory/figure6.csv",
        "results/figures/figure6.png",
    ]


def split_outputs():
    """Repeated splits' aggregate (only with splits.count > 1: one split is the paper's run as it is)."""
    if SPLITS == 1:
        return []
    out = expand("results/splits/{study}/{f}", study=STUDIES, f=["per_split.csv", "summary.csv", "gains.png"])
    return out + ["results/tables/split_robustness.csv", "results/tables/split_robustness.md"]


def all_outputs():
    return (theory_outputs() + data_outputs() + learner_outputs() + forest_outputs() + evaluation_outputs()
            + split_outputs())
