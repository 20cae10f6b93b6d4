# Section 5.3 and Section 6: every policy evaluated on the holdout (Eq. 9, Table 4), and the
# model-based analyses (Figure 12, Tables 5 and 6).


rule evaluate_policies:
    input:
        unpack(validated_study),
        split="results/data/{study}/split.csv",
        rates="results/descriptives/{study}/arm_rates.csv",
        ols="results/learners/{study}/ols/predictions.npy",
        sxgb="results/learners/{study}/sxgb/predictions.npy",
        txgb="results/learners/{study}/txgb_all/predictions.npy",
        tau="results/forests/{study}/macf/tau.npy",
        pt="results/forests/{study}/policy_tree/policy.npy",
        our_model="results/moments/{study}/our_model.json",
    output:
        csv="results/evaluation/{study}/policies.csv",
        info="results/evaluation/{study}/info.json",
        curves="results/evaluation/{study}/gain_curves.csv",
    log:
        "logs/evaluation/{study}/policies.log",
    benchmark:
        "logs/benchmarks/evaluation/{study}/policies.tsv"
    params:
        min_arm_rows=config["data"]["min_arm_rows"],
        settings=config["evaluation"],
        xgb=config["learners"]["xgboost"],
        seed=lambda w: seed_for(f"evaluation/{w.study}"),
        curve_seed=lambda w: seed_for(f"gain_curves/{w.study}"),
    priority: 10
    threads: 1
    resources:
        mem_mb=6000,
        runtime=30,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/evaluate_policies.py"


rule figure_gain_curves:
    input:
        curves="results/evaluation/{study}/gain_curves.csv",
        info="results/evaluation/{study}/info.json",
        our_model="results/moments/{study}/our_model.json",
    output:
        "results/evaluation/{study}/gain_curves.png",
    log:
        "logs/evaluation/{study}/gain_curves.log",
    benchmark:
        "logs/benchmarks/evaluation/{study}/gain_curves.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/plot.yaml"
    script:
        "../../scripts/figure_gain_curves.py"


rule export_policies:
    input:
        unpack(validated_study),
        split="results/data/{study}/split.csv",
        rates="results/descriptives/{study}/arm_rates.csv",
        ols="results/learners/{study}/ols/predictions.npy",
        sxgb="results/learners/{study}/sxgb/predictions.npy",
        txgb="results/learners/{study}/txgb_all/predictions.npy",
        tau="results/forests/{study}/macf/tau.npy",
        pt="results/forests/{study}/policy_tree/policy.npy",
        rules="results/policies/{study}/rules.json",
    output:
        assignments="results/policies/{study}/assignments.csv",
        rules_md="results/policies/{study}/rules.md",
    log:
        "logs/policies/{study}/export.log",
    benchmark:
        "logs/benchmarks/policies/{study}/export.tsv"
    params:
        min_arm_rows=config["data"]["min_arm_rows"],
    threads: 1
    resources:
        mem_mb=4000,
        runtime=10,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/export_policies.py"


rule table4:
    input:
        evals=expand("results/evaluation/{study}/policies.csv", study=STUDIES),
        infos=expand("results/evaluation/{study}/info.json", study=STUDIES),
    output:
        csv="results/tables/table4.csv",
        md="results/tables/table4.md",
        per_study=expand("results/evaluation/{study}/table4.md", study=STUDIES),
    log:
        "logs/evaluation/table4.log",
    benchmark:
        "logs/benchmarks/evaluation/table4.tsv"
    params:
        paper_studies=PAPER_STUDY,
        our_model=config["our_model"],
        paper_sigma_eps=config["sensitivity"]["paper_sigma_eps"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/table4.py"


rule sensitivity_curves:
    input:
        moments="results/moments/{study}/moments_all.json",
    output:
        "results/sensitivity/{study}/curves.csv",
    log:
        "logs/sensitivity/{study}/curves.log",
    benchmark:
        "logs/benchmarks/sensitivity/{study}/curves.tsv"
    params:
        settings=config["sensitivity"],
        s=config["our_model"]["s"],
        seed=lambda w: seed_for(f"sensitivity/{w.study}"),
    priority: 5
    threads: 1
    resources:
        mem_mb=3000,
        runtime=60,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/sensitivity_curves.py"


rule figure12:
    input:
        curves=[f"results/sensitivity/{s}/curves.csv" for s in PAPER_STUDIES],
        moments=[f"results/moments/{s}/moments_all.json" for s in PAPER_STUDIES],
        our_model=[f"results/moments/{s}/our_model.json" for s in PAPER_STUDIES],
        evals=[f"results/evaluation/{s}/policies.csv" for s in PAPER_STUDIES],
    output:
        "results/figures/figure12.png",
    log:
        "logs/sensitivity/figure12.log",
    benchmark:
        "logs/benchmarks/sensitivity/figure12.tsv"
    params:
        s=config["our_model"]["s"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/plot.yaml"
    script:
        "../../scripts/figure12.py"


rule tables56:
    input:
        moments=[f"results/moments/{s}/moments_all.json" for s in PAPER_STUDIES],
        prediction_error=[f"results/moments/{s}/prediction_error.json" for s in PAPER_STUDIES],
    output:
        t5="results/tables/table5.csv",
        t5_md="results/tables/table5.md",
        t6="results/tables/table6.csv",
        t6_md="results/tables/table6.md",
    log:
        "logs/sensitivity/tables56.log",
    benchmark:
        "logs/benchmarks/sensitivity/tables56.tsv"
    params:
        settings=config["sensitivity"],
        s=config["our_model"]["s"],
        paper_studies=PAPER_STUDY,
        prediction_error=config["our_model"]["prediction_error"],
        seed=seed_for("tables56"),
    priority: 5
    threads: 1
    resources:
        mem_mb=3000,
        runtime=60,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/tables56.py"


rule figure12_study:
    input:
        curves=["results/sensitivity/{study}/curves.csv"],
        moments=["results/moments/{study}/moments_all.json"],
        our_model=["results/moments/{study}/our_model.json"],
        evals=["results/evaluation/{study}/policies.csv"],
    output:
        "results/sensitivity/{study}/figure12.png",
    log:
        "logs/sensitivity/{study}/figure12.log",
    benchmark:
        "logs/benchmarks/sensitivity/{study}/figure12.tsv"
    params:
        s=config["our_model"]["s"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/plot.yaml"
    script:
        "../../scripts/figure12.py"


rule study_table6:
    input:
        moments=["results/moments/{study}/moments_all.json"],
        prediction_error=["results/moments/{study}/prediction_error.json"],
    output:
        csv="results/sensitivity/{study}/table6.csv",
        md="results/sensitivity/{study}/table6.md",
    log:
        "logs/sensitivity/{study}/table6.log",
    benchmark:
        "logs/benchmarks/sensitivity/{study}/table6.tsv"
    params:
        kind="elasticities",
        settings=config["sensitivity"],
        s=config["our_model"]["s"],
        prediction_error=config["our_model"]["prediction_error"],
        seed=seed_for("tables56"),  # Tables 5-6's seed: the paper's studies get the same numbers as there
    priority: 5
    threads: 1
    resources:
        mem_mb=3000,
        runtime=30,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/study_sensitivity.py"


rule swaps:
    input:
        moments=lambda w: [f"results/moments/{s}/moments_all.json" for s in w.pair.split("--")],
        prediction_error=lambda w: [f"results/moments/{s}/prediction_error.json" for s in w.pair.split("--")],
    output:
        csv="results/sensitivity/swaps/{pair}.csv",
        md="results/sensitivity/swaps/{pair}.md",
    log:
        "logs/sensitivity/swaps/{pair}.log",
    benchmark:
        "logs/benchmarks/sensitivity/swaps/{pair}.tsv"
    params:
        kind="swaps",
        settings=config["sensitivity"],
        s=config["our_model"]["s"],
        prediction_error=config["our_model"]["prediction_error"],
        seed=seed_for("tables56"),
    priority: 5
    threads: 1
    resources:
        mem_mb=3000,
        runtime=30,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/study_sensitivity.py"
