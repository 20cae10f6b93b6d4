# The replication report: every table and figure beside the paper's values in one offline HTML page.


rule replication_report:
    input:
        [f for f in all_outputs() if f.endswith((".md", ".png", ".csv"))],
        summaries=expand("results/data/{study}/summary.json", study=STUDIES),
    output:
        html="reports/replication.html",
    log:
        "logs/report/replication_report.log",
    benchmark:
        "benchmarks/runs/report/replication_report.tsv"
    params:
        report_dir=project_path("workflow/report"),
        title="Replication of Shchetkina & Berman (2024)",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/r.yaml"
    script:
        "../../scripts/report_html.py"
