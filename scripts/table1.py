"""Table 1: the motivating example's three strategies, simulated beside Eq. 7 and the paper."""
from actionable.paper import motivating
from actionable.studies.io import script_log, write_csv, write_text

with script_log(snakemake) as log:
    n, seed = snakemake.params.n, snakemake.params.seed
    log.info("simulating footnote 4's experiments with n=%d per experiment, seed=%d", n, seed)
    table = motivating.table1(n, seed)
    write_csv(table, snakemake.output.csv)
    write_text(motivating.render_table1(table), snakemake.output.md)
    log.info("\n%s", table.to_string())
