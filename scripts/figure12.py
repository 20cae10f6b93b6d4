"""Figure 12: sensitivity curves of one study or the paper's two, with their estimates and the MACF's IPW gain."""
import pandas as pd

from actionable.paper import figures
from actionable.studies.io import read_jsons, save_figure, script_log

with script_log(snakemake) as log:
    markers, ipw, binary = figures.figure12_markers(read_jsons(snakemake.input.moments), read_jsons(snakemake.input.our_model),
                                                    [pd.read_csv(p) for p in snakemake.input.evals], snakemake.params.s)
    curves = pd.concat([pd.read_csv(p) for p in snakemake.input.curves], ignore_index=True)
    save_figure(figures.sensitivity_curves(curves, markers, ipw, percent=binary), snakemake.output[0])
    log.info("markers %s; MACF IPW gains %s", markers, ipw)
