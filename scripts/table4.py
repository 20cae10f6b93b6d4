"""Table 4: IPW values of every policy in every study, with Our Model, beside the paper's."""
import pandas as pd

from actionable.paper.published import ROLE_NAMES
from actionable.paper.table4 import table4
from actionable.studies.io import read_jsons, script_log, write_csv, write_text

with script_log(snakemake) as log:
    evals = pd.concat([pd.read_csv(p) for p in snakemake.input.evals], ignore_index=True)
    names = {s: ROLE_NAMES[r] for r, s in snakemake.params.paper_studies.items()}
    evals, md, per_study = table4(evals, read_jsons(snakemake.input.infos), names, snakemake.params.our_model,
                                  snakemake.params.paper_sigma_eps)
    write_csv(evals, snakemake.output.csv)
    write_text(md, snakemake.output.md)
    for path in snakemake.output.per_study:  # results/evaluation/{study}/table4.md
        write_text(per_study[path.split("/")[-2]], path)
    log.info("\n%s", evals.to_string())
