"""Figures 9-11: the MACF policy's arm shares, variable importance and covariate profile per arm."""
import numpy as np
import pandas as pd

from actionable.stats import descriptives
from actionable.paper import figures as plotting
from actionable.studies.io import save_figure, script_log
from actionable.studies.study import load_study

with script_log(snakemake) as log:
    shares, imps, profiles, labels = {}, {}, {}, {}
    for study, spec, split_path, tau_path, imp_path, rates_path in zip(
            snakemake.params.studies, snakemake.input.specs, snakemake.input.splits, snakemake.input.tau,
            snakemake.input.importance, snakemake.input.rates):
        ds, split = load_study(spec, split_path, snakemake.params.min_arm_rows)
        policy = np.argmax(np.load(tau_path), axis=1)
        order = pd.read_csv(rates_path, dtype={"arm": str})["arm"].tolist()
        title = snakemake.params.titles[study]
        shares[title] = descriptives.assignment_shares(policy, ds.arms, order, ds.arm_labels, ds.control)
        imps[title] = descriptives.importance_by_covariate(pd.read_csv(imp_path))
        test = ds.frame.loc[(split["set"] == "test").to_numpy()]
        profiles[title] = descriptives.covariate_profile(test, ds.covariates, policy, ds.arms)
        labels[title] = ds.arm_labels
        log.info("%s: arms used %d; top importance %s", study, int((shares[title]["share"] > 0).sum()),
                 imps[title]["covariate"].head(3).tolist())
    save_figure(plotting.assignment_shares(shares), snakemake.output.fig9)
    save_figure(plotting.importance(imps), snakemake.output.fig10)
    save_figure(plotting.covariate_heatmap(profiles, labels), snakemake.output.fig11)
