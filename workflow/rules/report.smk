# The report in one offline HTML page: the paper's tables and figures beside its values (when the paper's
# studies are configured) and every study's own analysis.


rule replication_report:
    input:
        [f for f in all_outputs() if f.endswith((".md", ".png", ".csv"))],
        summaries=expand("results/data/{study}/summary.json", study=STUDIES),
        specs=[study_spec(s) for s in STUDIES],
        our_model=expand("results/moments/{study}/our_model.json", study=STUDIES),
        moments="results/tables/moments.csv",
    output:
        html="reports/replication.html",
    log:
        "logs/report/replication_report.log",
    benchmark:
        "logs/benchmarks/report/replication_report.tsv"
    params:
        report_dir=project_path("workflow/report"),
        paper_studies=PAPER_STUDY,
        pairs=SWAP_PAIRS,
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/r.yaml"
    script:
        "../../scripts/report_html.py"
