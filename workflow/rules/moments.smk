# Section 5.2's moment estimates, the covariate-overlap analysis of Section 6, and "Our Model".


rule estimate_moments:
    input:
        unpack(validated_study),
        split="results/data/{study}/split.csv",
        predictions="results/learners/{study}/txgb_{covset}/predictions.npy",
    output:
        "results/moments/{study}/moments_{covset}.json",
    log:
        "logs/moments/{study}/moments_{covset}.log",
    benchmark:
        "logs/benchmarks/moments/{study}/moments_{covset}.tsv"
    params:
        min_arm_rows=config["data"]["min_arm_rows"],
        groups=config["moments"]["quantile_groups"],
        sigma_sd=config["moments"]["sigma_sd"],
    priority: 5
    threads: 1
    resources:
        mem_mb=4000,
        runtime=10,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/estimate_moments.py"


rule prediction_error:
    input:
        unpack(validated_study),
        split="results/data/{study}/split.csv",
        full="results/learners/{study}/txgb_all/predictions.npy",
        half1="results/learners/{study}/txgb_all_half1/predictions.npy",
        half2="results/learners/{study}/txgb_all_half2/predictions.npy",
        forest="results/forests/{study}/macf/mu.npy",
    output:
        "results/moments/{study}/prediction_error.json",
    log:
        "logs/moments/{study}/prediction_error.log",
    benchmark:
        "logs/benchmarks/moments/{study}/prediction_error.tsv"
    params:
        min_arm_rows=config["data"]["min_arm_rows"],
        bootstrap=config["our_model"]["prediction_error_bootstrap"],
        seed=lambda w: seed_for(f"prediction_error/{w.study}"),
    priority: 5
    threads: 1
    resources:
        mem_mb=6000,
        runtime=20,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/prediction_error.py"


rule our_model:
    input:
        unpack(validated_study),
        split="results/data/{study}/split.csv",
        moments="results/moments/{study}/moments_all.json",
        prediction_error="results/moments/{study}/prediction_error.json",
        ols="results/learners/{study}/ols/predictions.npy",
        sxgb="results/learners/{study}/sxgb/predictions.npy",
        txgb="results/learners/{study}/txgb_all/predictions.npy",
        forest="results/forests/{study}/macf/mu.npy",
    output:
        "results/moments/{study}/our_model.json",
    log:
        "logs/moments/{study}/our_model.log",
    benchmark:
        "logs/benchmarks/moments/{study}/our_model.tsv"
    params:
        min_arm_rows=config["data"]["min_arm_rows"],
        settings=config["our_model"],
        seed=lambda w: seed_for(f"our_model/{w.study}"),
    priority: 5
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/our_model.py"


rule table_moments:
    input:
        moments=expand("results/moments/{study}/moments_all.json", study=STUDIES),
        our_model=expand("results/moments/{study}/our_model.json", study=STUDIES),
        prediction_error=expand("results/moments/{study}/prediction_error.json", study=STUDIES),
        overlap=[f"results/moments/{o['study']}/moments_{o['covariate_set']}.json" for o in OVERLAP],
    output:
        csv="results/tables/moments.csv",
        md="results/tables/moments.md",
    log:
        "logs/moments/table_moments.log",
    benchmark:
        "logs/benchmarks/moments/table_moments.tsv"
    params:
        paper_studies=PAPER_STUDY,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/table_moments.py"
