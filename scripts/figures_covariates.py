"""Figures 13 and 14: age and zip-code income distributions of the two paper studies."""
from actionable.paper import figures
from actionable.studies.datasets import load_dataset
from actionable.studies.io import save_figure, script_log

with script_log(snakemake) as log:
    studies = [load_dataset(p, min_arm_rows=snakemake.params.min_arm_rows) for p in snakemake.input.specs]
    for role, out, xlabel, title, money in [
        ("age", snakemake.output.age, "age (years)", "Figure 13: age distribution", False),
        ("income", snakemake.output.income, "zip-code median income", "Figure 14: zip-code median income distribution", True),
    ]:
        samples = {ds.name: ds.frame[ds.spec["display"][role]].to_numpy(float) for ds in studies}
        save_figure(figures.covariate_distributions(samples, xlabel, title, money=money), out)
        log.info("%s: %s", role, {k: (round(v.mean(), 1), round(v.std(), 1)) for k, v in samples.items()})
