# Repeated 70/30 splits (config splits.count > 1; this package's, not the paper's): each study's
# chain on every split, aggregated per study and across studies. Split k of a study runs under the
# name "{study}__split{k}" through the same rules as the study itself (common.smk: SPLIT_OF).


rule split_robustness:
    input:
        policies=lambda w: [f"results/evaluation/{s}/policies.csv" for s in split_names(w.study)],
        moments=lambda w: [f"results/moments/{s}/moments_all.json" for s in split_names(w.study)],
        our_model=lambda w: [f"results/moments/{s}/our_model.json" for s in split_names(w.study)],
    output:
        per_split="results/splits/{study}/per_split.csv",
        summary="results/splits/{study}/summary.csv",
        figure="results/splits/{study}/gains.png",
    log:
        "logs/splits/{study}.log",
    benchmark:
        "logs/benchmarks/splits/{study}.tsv"
    params:
        seeds=[config["seed"] + k for k in range(SPLITS)],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/plot.yaml"
    script:
        "../../scripts/split_robustness.py"


rule table_split_robustness:
    input:
        summaries=expand("results/splits/{study}/summary.csv", study=STUDIES),
        moments=expand("results/moments/{study}/moments_all.json", study=STUDIES),
    output:
        csv="results/tables/split_robustness.csv",
        md="results/tables/split_robustness.md",
    log:
        "logs/splits/table.log",
    benchmark:
        "logs/benchmarks/splits/table.tsv"
    params:
        studies=STUDIES,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/plot.yaml"
    script:
        "../../scripts/table_split_robustness.py"
