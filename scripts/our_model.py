"""The "Our Model" prediction: Algorithm 2 with the study's estimated moments, and this package's extension."""
import json

from actionable.stats.our_model import study_prediction
from actionable.studies.io import script_log, write_json

with script_log(snakemake) as log:
    out = study_prediction(json.load(open(snakemake.input.moments)), json.load(open(snakemake.input.prediction_error)),
                           snakemake.params.settings, snakemake.params.seed, snakemake.threads)
    write_json(out, snakemake.output[0])
