"""Figure 12: sensitivity curves of one study or the paper's two, with their estimates and the MACF's IPW gain."""
import json

import pandas as pd

from actionable.paper import figures as plotting
from actionable.studies.io import save_figure, script_log

with script_log(snakemake) as log:
    markers, ipw, binary = {}, {}, []
    for m_path, g_path, e_path in zip(snakemake.input.moments, snakemake.input.our_model, snakemake.input.evals):
        est, gain = json.load(open(m_path)), json.load(open(g_path))
        s = est["s_corrected"] if snakemake.params.s == "corrected" else est["s"]
        markers[est["study"]] = dict(s=s, sigma=est["sigma"], rho=est["rho"], sigma_eps=est["sigma_eps"], gain=gain["gain"])
        ext = gain.get("extension") or {}
        if pd.notna(ext.get("gain")):  # this package's extension, where identified
            markers[est["study"]]["extension"] = dict(s=s, sigma=ext["sigma"], rho=ext["rho"], sigma_eps=ext["sigma_eps"],
                                                      gain=ext["gain"])
            fx = ext.get("forest") or {}
            if pd.notna(fx.get("gain")):  # the same model for the forest's predictions (their arm-specific error)
                markers[est["study"]]["extension"]["forest"] = dict(s=s, sigma=ext["sigma"], rho=ext["rho"],
                                                                    sigma_eps=fx["sigma_eps"], gain=fx["gain"])
        ev = pd.read_csv(e_path).set_index("policy")
        ipw[est["study"]] = float(ev.loc["MACF", "gain"])
        binary.append(est["binary"])
    curves = pd.concat([pd.read_csv(p) for p in snakemake.input.curves], ignore_index=True)
    save_figure(plotting.sensitivity_curves(curves, markers, ipw, percent=all(binary)), snakemake.output[0])
    log.info("markers %s; MACF IPW gains %s", markers, ipw)
