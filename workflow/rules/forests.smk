# Section 5.3 and Appendix A.2: grf's multi-arm causal forest and policytree's depth-2 tree through
# rpy2, and Figures 9-11.
# A forest is grown by `chunks` jobs (the regression forest for Y.hat first; merge_yhat gives its
# out-of-bag and holdout predictions). With forests.combine statistics (the default) each MACF chunk's
# sufficient statistics are a job of their own and fit_macf adds them up and solves, and merge_yhat
# adds up the Y.hat chunks' leaf values one chunk at a time, each in a process of its own; with
# merge, both merge their chunks with grf and predict once for all trees. One thread per job: on two cores,
# two-thread jobs wait behind the one-thread jobs Snakemake keeps starting on the free core
# (benchmarks/RESULTS.md). On bigger nodes give them more, e.g. --set-threads fit_macf_chunk=8.
# Priorities start the longest chains first: forests 10 (the critical path); 5 for the learners ->
# moments -> model chain (Figure 12 and Tables 5-6 wait on it), arm_rates (the evaluation's input)
# and Figure 6's Monte Carlo cases (long, and needing nothing); then the rest.


rule fit_yhat_chunk:
    input:
        unpack(validated_study),
        split="results/data/{study}/split.csv",
    output:
        forest=chunk_file("results/forests/{study}/macf/chunks/yhat{chunk}.rds"),
    log:
        "logs/forests/{study}/yhat_chunk{chunk}.log",
    benchmark:
        "logs/benchmarks/forests/{study}/yhat_chunk{chunk}.tsv"
    params:
        kind="yhat",
        chunks=lambda w: macf_chunks(w.study),
        min_arm_rows=config["data"]["min_arm_rows"],
        settings=lambda w: macf_settings(w.study),
        seed=lambda w: seed_for(f"yhat/{w.study}/chunk{w.chunk}"),
    priority: 10
    threads: 1
    resources:
        mem_mb=forest_mem_mb,
        runtime=180,
    conda:
        "../../envs/r.yaml"
    script:
        "../../scripts/fit_forest_chunk.py"


rule merge_yhat:
    input:
        unpack(validated_study),
        split="results/data/{study}/split.csv",
        chunks=lambda w: [f"results/forests/{w.study}/macf/chunks/yhat{i}.rds" for i in range(macf_chunks(w.study))],
    output:
        yhat="results/forests/{study}/macf/yhat.npy",
        yhat_holdout="results/forests/{study}/macf/yhat_holdout.npy",
    log:
        "logs/forests/{study}/merge_yhat.log",
    benchmark:
        "logs/benchmarks/forests/{study}/merge_yhat.tsv"
    params:
        min_arm_rows=config["data"]["min_arm_rows"],
        combine=config["forests"]["combine"],
    priority: 10
    threads: 1
    resources:
        mem_mb=forest_mem_mb,
        runtime=60,
    conda:
        "../../envs/r.yaml"
    script:
        "../../scripts/merge_yhat.py"


rule fit_macf_chunk:
    input:
        unpack(validated_study),
        split="results/data/{study}/split.csv",
        yhat="results/forests/{study}/macf/yhat.npy",
    output:
        forest=chunk_file("results/forests/{study}/macf/chunks/macf{chunk}.rds"),
    log:
        "logs/forests/{study}/macf_chunk{chunk}.log",
    benchmark:
        "logs/benchmarks/forests/{study}/macf_chunk{chunk}.tsv"
    params:
        kind="macf",
        chunks=lambda w: macf_chunks(w.study),
        min_arm_rows=config["data"]["min_arm_rows"],
        settings=lambda w: macf_settings(w.study),
        seed=lambda w: seed_for(f"macf/{w.study}/chunk{w.chunk}"),
    priority: 10
    threads: 1
    resources:
        mem_mb=forest_mem_mb,
        runtime=180,
    conda:
        "../../envs/r.yaml"
    script:
        "../../scripts/fit_forest_chunk.py"


rule macf_chunk_statistics:
    input:
        unpack(validated_study),
        split="results/data/{study}/split.csv",
        forest="results/forests/{study}/macf/chunks/macf{chunk}.rds",
    output:
        temp("results/forests/{study}/macf/chunks/macf{chunk}.stats.npz"),  # walmart_like: 1.6 GB per chunk
    log:
        "logs/forests/{study}/macf_chunk{chunk}_statistics.log",
    benchmark:
        "logs/benchmarks/forests/{study}/macf_chunk{chunk}_statistics.tsv"
    params:
        min_arm_rows=config["data"]["min_arm_rows"],
    priority: 10
    threads: 1
    resources:
        mem_mb=forest_mem_mb,
        runtime=120,
    conda:
        "../../envs/r.yaml"
    script:
        "../../scripts/macf_chunk_statistics.py"


rule fit_macf:
    input:
        unpack(validated_study),
        split="results/data/{study}/split.csv",
        chunks=lambda w: [f"results/forests/{w.study}/macf/chunks/macf{i}.{CHUNK_FILE}" for i in range(macf_chunks(w.study))],
        yhat="results/forests/{study}/macf/yhat.npy",
        yhat_holdout="results/forests/{study}/macf/yhat_holdout.npy",
    output:
        tau="results/forests/{study}/macf/tau.npy",
        mu="results/forests/{study}/macf/mu.npy",
        gamma="results/forests/{study}/macf/dr_scores.npy",
        importance="results/forests/{study}/macf/importance.csv",
        info="results/forests/{study}/macf/info.json",
    log:
        "logs/forests/{study}/macf.log",
    benchmark:
        "logs/benchmarks/forests/{study}/macf.tsv"
    params:
        min_arm_rows=config["data"]["min_arm_rows"],
        settings=lambda w: macf_settings(w.study),
        combine=config["forests"]["combine"],
    priority: 10
    threads: 1
    resources:
        mem_mb=forest_mem_mb,
        runtime=180,
    conda:
        "../../envs/r.yaml"
    script:
        "../../scripts/fit_macf.py"


rule fit_policy_tree:
    input:
        unpack(validated_study),
        split="results/data/{study}/split.csv",
        gamma="results/forests/{study}/macf/dr_scores.npy",
    output:
        tree="results/forests/{study}/policy_tree/tree.txt",
        policy="results/forests/{study}/policy_tree/policy.npy",
        info="results/forests/{study}/policy_tree/info.json",
        rules="results/policies/{study}/rules.json",
    log:
        "logs/forests/{study}/policy_tree.log",
    benchmark:
        "logs/benchmarks/forests/{study}/policy_tree.tsv"
    params:
        min_arm_rows=config["data"]["min_arm_rows"],
        settings=config["forests"]["policy_tree"],
        seed=lambda w: seed_for(f"policy_tree/{w.study}"),
    priority: 10
    threads: 1
    resources:
        mem_mb=6000,
        runtime=120,
    conda:
        "../../envs/r.yaml"
    script:
        "../../scripts/fit_policy_tree.py"


rule figures_forest_paper:
    input:
        **forest_figure_inputs(PAPER_STUDIES),
    output:
        fig9="results/figures/figure9.png",
        fig10="results/figures/figure10.png",
        fig11="results/figures/figure11.png",
    log:
        "logs/forests/figures_paper.log",
    benchmark:
        "logs/benchmarks/forests/figures_paper.tsv"
    params:
        studies=PAPER_STUDIES,
        titles={s: f"{s} ({PAPER_ROLES[r][0]})" for r, s in PAPER_STUDY.items()},
        min_arm_rows=config["data"]["min_arm_rows"],
    threads: 1
    resources:
        mem_mb=4000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    script:
        "../../scripts/figures_forest.py"


rule figures_forest_study:
    input:
        unpack(lambda w: forest_figure_inputs([w.study])),
    output:
        fig9="results/forests/{study}/figure9.png",
        fig10="results/forests/{study}/figure10.png",
        fig11="results/forests/{study}/figure11.png",
    log:
        "logs/forests/{study}/figures.log",
    benchmark:
        "logs/benchmarks/forests/{study}/figures.tsv"
    params:
        studies=lambda w: [w.study],
        titles=lambda w: {w.study: w.study},
        min_arm_rows=config["data"]["min_arm_rows"],
    threads: 1
    resources:
        mem_mb=4000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    script:
        "../../scripts/figures_forest.py"
