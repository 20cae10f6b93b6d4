"""Table 4: IPW values of every policy in every study, with Our Model, beside the paper's."""
import json

import pandas as pd

from actionable import paper, sensitivity, table4
from actionable.io import script_log, write_csv, write_text

with script_log(snakemake) as log:
    evals = pd.concat([pd.read_csv(p) for p in snakemake.input.evals], ignore_index=True)
    infos = [json.load(open(p)) for p in snakemake.input.infos]
    our_model = {i["study"]: i["our_model_gain"] for i in infos}
    our_model_inf = {i["study"]: i["our_model_gain_inf"] for i in infos}
    extension = {i["study"]: i["our_model_extension"] for i in infos if i.get("our_model_extension")}
    percent = {i["study"]: i["binary"] for i in infos}
    settings = snakemake.params.our_model
    names = {s: paper.ROLE_NAMES[r] for r, s in snakemake.params.paper_studies.items()}
    evals["our_model_gain"] = evals["study"].map(our_model)
    write_csv(evals, snakemake.output.csv)
    paper_mode = {}
    if names:
        pub = sensitivity.published_parameters(settings["n"], snakemake.params.paper_sigma_eps, settings["uniform"])
        paper_mode = {k: (sensitivity.exact(p, settings["uniform"]), sensitivity.exact(p, "population"))
                      for k, p in pub.items()}
    write_text(table4.render(evals, our_model, names, percent, our_model_inf, paper_mode, settings, extension),
               snakemake.output.md)
    for path in snakemake.output.per_study:  # each study's rows, for its own section of the report
        study = path.split("/")[-2]
        mode = paper_mode if study in names else {}  # the paper's parameters belong to its studies' rows only
        write_text(table4.render(evals[evals["study"] == study], our_model, names, percent, our_model_inf, mode,
                                 settings, extension), path)
    log.info("\n%s", evals.to_string())
