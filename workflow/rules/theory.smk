# Sections 2-4: the motivating example, Eq. 7's illustrations and Algorithm 1 (no data needed).


rule table1:
    output:
        csv="results/theory/table1.csv",
        md="results/theory/table1.md",
    log:
        "logs/theory/table1.log",
    benchmark:
        "logs/benchmarks/theory/table1.tsv"
    params:
        n=config["theory"]["table1"]["n"],
        seed=seed_for("table1"),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/table1.py"


rule figures_motivating:
    output:
        fig1="results/figures/figure1.png",
        fig2="results/figures/figure2.png",
    log:
        "logs/theory/figures_motivating.log",
    benchmark:
        "logs/benchmarks/theory/figures_motivating.tsv"
    params:
        n=20000,
        seed=seed_for("figure1"),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    script:
        "../../scripts/figures_motivating.py"


rule figure_illustration:
    output:
        "results/figures/figure{number}.png",
    log:
        "logs/theory/figure{number}.log",
    benchmark:
        "logs/benchmarks/theory/figure{number}.tsv"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    script:
        "../../scripts/figure_illustration.py"


rule figure6_case:
    output:
        "results/theory/figure6/{case}.csv",
    log:
        "logs/theory/figure6_{case}.log",
    benchmark:
        "logs/benchmarks/theory/figure6_{case}.tsv"
    params:
        settings=config["theory"]["figure6"],
        chunk_mb=config["monte_carlo"]["chunk_mb"],
        seed=seed_for("figure6"),
    priority: 5
    threads: 1
    resources:
        mem_mb=lambda wc, threads: 500 + int(config["monte_carlo"]["chunk_mb"]) * 2 * threads,
        runtime=30,
    conda:
        "../../envs/python.yaml"
    script:
        "../../scripts/figure6_case.py"


rule figure6:
    input:
        expand("results/theory/figure6/{case}.csv", case=FIGURE6_CASES),
    output:
        csv="results/theory/figure6.csv",
        png="results/figures/figure6.png",
    log:
        "logs/theory/figure6.log",
    benchmark:
        "logs/benchmarks/theory/figure6.tsv"
    params:
        cases=config["theory"]["figure6"]["cases"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/plot.yaml"
    script:
        "../../scripts/figure6.py"
