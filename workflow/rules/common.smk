# Shared logic: config validation at load time, paths and input functions.
import sys

# The statistics package lives at the workflow root. Jobs import it through the symlink
# scripts/actionable: Snakemake puts a script's own folder on sys.path, locally, in conda
# environments and on cluster nodes alike.
sys.path.insert(0, workflow.basedir)

from actionable.config import validate_config  # noqa: E402
from actionable.seeds import stream_seed  # noqa: E402

# Stops the run before any job, naming each bad key and what was expected.
validate_config(config, source="config (config.yaml and --config/--configfile)")

FIGURE6_CASES = sorted(config["theory"]["figure6"]["cases"])

wildcard_constraints:
    case="|".join(FIGURE6_CASES),
    number="[345]",


def seed_for(step):
    """Seed of one random step, derived from the config's base seed and the step's name."""
    return stream_seed(config["seed"], step)


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


def all_outputs():
    return theory_outputs()
