"""Jobs per rule that ``snakemake -n`` plans for a config, from a fresh working directory."""
import re
import subprocess
import sys
import tempfile
from pathlib import Path

CONFIGS = {"config.yaml": ["config.yaml"], ".test/config.yaml": [".test/config.yaml"],
           "config/paper_scale.yaml": ["config.yaml", "config/paper_scale.yaml"]}


def job_counts(snakefile: Path, configfiles: list, cwd: Path) -> dict:
    with tempfile.TemporaryDirectory() as work:
        res = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(snakefile), "-n", "--cores", "2", "-d", work,
                              "--configfile", *map(str, configfiles)], cwd=cwd, capture_output=True, text=True,
                             timeout=600)
    if res.returncode != 0:
        raise RuntimeError(res.stderr[-3000:])
    table = res.stdout.split("Job stats:")[1].split("\n\n")[0]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)\b", table, re.M) if m.group(1) != "total"}


if __name__ == "__main__":
    import json
    root = Path(sys.argv[1])
    out = {name: job_counts(root / "Snakefile", [root / f for f in files], root) for name, files in CONFIGS.items()}
    Path(sys.argv[2]).write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
