# Section 5.2 and Appendix A.2: OLS, S-learner and T-learner XGBoost (one model per arm, fit in
# jobs of tlearner_arms_per_job arms), trained on the 70% split, predicting every holdout
# person's outcome under every arm.


rule fit_ols:
    input:
        unpack(validated_study),
        split="results/data/{study}/split.csv",
    output:
        predictions="results/learners/{study}/ols/predictions.npy",
        info="results/learners/{study}/ols/info.json",
    log:
        "logs/learners/{study}/ols.log",
    benchmark:
        "logs/benchmarks/learners/{study}/ols.tsv"
    params:
        min_arm_rows=config["data"]["min_arm_rows"],
    priority: 5
    threads: 1
    resources:
        mem_mb=4000,
        runtime=20,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/fit_ols.py"


rule fit_slearner:
    input:
        unpack(validated_study),
        split="results/data/{study}/split.csv",
    output:
        predictions="results/learners/{study}/sxgb/predictions.npy",
        model="results/learners/{study}/sxgb/model.json",
        info="results/learners/{study}/sxgb/info.json",
    log:
        "logs/learners/{study}/sxgb.log",
    benchmark:
        "logs/benchmarks/learners/{study}/sxgb.tsv"
    params:
        min_arm_rows=config["data"]["min_arm_rows"],
        xgb=config["learners"]["xgboost"],
        seed=lambda w: seed_for(f"sxgb/{w.study}"),
    priority: 5
    threads: 1
    resources:
        mem_mb=6000,
        runtime=60,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/fit_slearner.py"


rule fit_tlearner:
    input:
        unpack(validated_study),
        split="results/data/{study}/split.csv",
    output:
        predictions="results/learners/{study}/txgb_{covset}/group{group}.npy",
        models=directory("results/learners/{study}/txgb_{covset}/group{group}.models"),
        info="results/learners/{study}/txgb_{covset}/group{group}.json",
    log:
        "logs/learners/{study}/txgb_{covset}/group{group}.log",
    benchmark:
        "logs/benchmarks/learners/{study}/txgb_{covset}/group{group}.tsv"
    params:
        min_arm_rows=config["data"]["min_arm_rows"],
        xgb=config["learners"]["xgboost"],
        arms=lambda w: tlearner_groups(w.study)[int(w.group)],
        seeds=lambda w: [seed_for(f"txgb/{w.study}/{w.covset}/{a}") for a in tlearner_groups(w.study)[int(w.group)]],
        half_seed=lambda w: seed_for(f"halves/{w.study}"),
    priority: 5
    threads: 1
    resources:
        mem_mb=3000,
        runtime=30,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/fit_tlearner.py"


rule gather_tlearner:
    input:
        predictions=lambda w: expand("results/learners/{{study}}/txgb_{{covset}}/group{g}.npy",
                                     g=range(len(tlearner_groups(w.study)))),
        infos=lambda w: expand("results/learners/{{study}}/txgb_{{covset}}/group{g}.json",
                               g=range(len(tlearner_groups(w.study)))),
    output:
        predictions="results/learners/{study}/txgb_{covset}/predictions.npy",
        info="results/learners/{study}/txgb_{covset}/info.json",
    log:
        "logs/learners/{study}/txgb_{covset}/gather.log",
    benchmark:
        "logs/benchmarks/learners/{study}/txgb_{covset}/gather.tsv"
    priority: 5
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/gather_tlearner.py"
