# Replication of Shchetkina & Berman (2024), "When Is Heterogeneity Actionable for Personalization?"
# Table of contents; the logic lives in workflow/rules/ and the statistics in the actionable package.
import packaging.version  # noqa: F401  (Snakemake 7.32's min_version uses it without importing it)
from snakemake.utils import min_version

min_version("7.21")


configfile: "config.yaml"


# With --use-singularity (Apptainer) every rule runs in this image, e.g. --config container=actionable.sif
# (built from the Containerfile; README). Absent: rules run on the host.
container: config.get("container")


include: "workflow/rules/common.smk"
include: "workflow/rules/theory.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/learners.smk"
include: "workflow/rules/moments.smk"
include: "workflow/rules/forests.smk"
include: "workflow/rules/evaluation.smk"
include: "workflow/rules/splits.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        all_outputs(),
        "reports/replication.html",
    default_target: True
