# Section 5.1: the studies (simulated stand-ins or user datasets), validation, the 70/30 split,
# Table 2 and Figures 7, 8, 13, 14.


rule simulate_study:
    input:
        spec=lambda w: project_path(STUDY[w.study]["simulator"]),
    output:
        data="results/simulated/{study}/observed.csv",
        truth="results/simulated/{study}/truth.npy",
        arms="results/simulated/{study}/truth.arms.yaml",
        summary="results/simulated/{study}/truth.json",
        spec="results/simulated/{study}/spec.yaml",
    log:
        "logs/data/simulate_{study}.log",
    benchmark:
        "logs/benchmarks/data/simulate_{study}.tsv"
    params:
        n=lambda w: STUDY[w.study].get("n"),
        seed=lambda w: STUDY[w.study].get("seed"),
    priority: 10
    threads: 1
    resources:
        mem_mb=4000,
        runtime=10,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/simulate_study.py"


rule validate_study:
    input:
        unpack(study_inputs),
    output:
        "results/data/{study}/summary.json",
    log:
        "logs/data/validate_{study}.log",
    benchmark:
        "logs/benchmarks/data/validate_{study}.tsv"
    params:
        name=lambda w: parent(w.study),  # a repeated split is its study under another name
        min_arm_rows=config["data"]["min_arm_rows"],
    priority: 10
    threads: 1
    resources:
        mem_mb=3000,
        runtime=10,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/validate_study.py"


rule split_study:
    input:
        unpack(validated_study),
    output:
        "results/data/{study}/split.csv",
    log:
        "logs/data/split_{study}.log",
    benchmark:
        "logs/benchmarks/data/split_{study}.tsv"
    params:
        min_arm_rows=config["data"]["min_arm_rows"],
        train_share=config["data"]["train_share"],
        seed=lambda w: seed_for(f"split/{w.study}"),
    priority: 10
    threads: 1
    resources:
        mem_mb=3000,
        runtime=10,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/split_study.py"


rule arm_rates:
    input:
        unpack(validated_study),
        split="results/data/{study}/split.csv",
    output:
        csv="results/descriptives/{study}/arm_rates.csv",
        png="results/descriptives/{study}/arm_rates.png",
    log:
        "logs/data/arm_rates_{study}.log",
    benchmark:
        "logs/benchmarks/data/arm_rates_{study}.tsv"
    params:
        min_arm_rows=config["data"]["min_arm_rows"],
    priority: 5
    threads: 1
    resources:
        mem_mb=3000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    script:
        "../../scripts/arm_rates.py"


rule figure_arm_rates:
    input:
        lambda w: f"results/descriptives/{paper_study(role_of_figure(w.armfig))}/arm_rates.csv",
    output:
        "results/figures/figure{armfig}.png",
    log:
        "logs/data/figure{armfig}.log",
    benchmark:
        "logs/benchmarks/data/figure{armfig}.tsv"
    params:
        study=lambda w: paper_study(role_of_figure(w.armfig)),
        role=lambda w: PAPER_ROLES[role_of_figure(w.armfig)][0],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    script:
        "../../scripts/figure_arm_rates.py"


rule table2:
    input:
        expand("results/data/{study}/summary.json", study=STUDIES),
    output:
        csv="results/tables/table2.csv",
        md="results/tables/table2.md",
    log:
        "logs/data/table2.log",
    benchmark:
        "logs/benchmarks/data/table2.tsv"
    params:
        paper_studies=PAPER_STUDY,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/table2.py"


rule figures_covariates:
    input:
        specs=[study_spec(paper_study(r)) for r in PAPER_ROLES if paper_study(r)],
        summaries=[f"results/data/{paper_study(r)}/summary.json" for r in PAPER_ROLES if paper_study(r)],
    output:
        age="results/figures/figure13.png",
        income="results/figures/figure14.png",
    log:
        "logs/data/figures_covariates.log",
    benchmark:
        "logs/benchmarks/data/figures_covariates.tsv"
    params:
        min_arm_rows=config["data"]["min_arm_rows"],
    threads: 1
    resources:
        mem_mb=4000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    script:
        "../../scripts/figures_covariates.py"


rule true_moments:
    input:
        expand("results/simulated/{study}/truth.json", study=SIMULATED),
    output:
        "results/tables/true_moments.csv",
    log:
        "logs/data/true_moments.log",
    benchmark:
        "logs/benchmarks/data/true_moments.tsv"
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/true_moments.py"
