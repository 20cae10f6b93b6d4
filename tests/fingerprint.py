"""Fingerprint of a run's results: the sha256 of every results/**/*.{csv,md,npy} and of each
summary.json with its timing keys removed. Two runs of the same config on the same stack must
have equal fingerprints; ``python tests/fingerprint.py RESULTS_DIR OUT.json`` writes one, and beside
it (OUT.machine.json) the processor and software it was recorded on: other software (xgboost 3 grows
other trees than 1.7) gives other numbers, and the same software on another processor can round a few
numbers differently in their last bits (the penn_geisinger_like stand-in's truth did, from one machine
of the same kind to the next)."""
import hashlib
import json
import sys
from pathlib import Path

SUFFIXES = (".csv", ".md", ".npy")
TIMING = ("seconds", "wall", "elapsed", "runtime", "started", "finished", "time")


def _untimed(obj):
    """summary.json without keys that measure time and with absolute paths as file names (both
    differ between identical runs: the clock, and where the project is checked out)."""
    if isinstance(obj, dict):
        return {k: _untimed(v) for k, v in obj.items() if not any(t in k.lower() for t in TIMING)}
    if isinstance(obj, list):
        return [_untimed(v) for v in obj]
    if isinstance(obj, str) and obj.startswith("/"):
        return Path(obj).name
    return obj


def fingerprint(results: Path) -> dict:
    """{path relative to results/: sha256} of the files that carry the run's numbers."""
    results = Path(results)
    out = {}
    for path in sorted(results.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(results).as_posix()
        if rel.startswith("runtime/"):
            continue  # the run's own timings
        if path.suffix in SUFFIXES:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.name == "summary.json":
            text = json.dumps(_untimed(json.loads(path.read_text())), sort_keys=True)
            out[rel] = hashlib.sha256(text.encode()).hexdigest()
    return out


def software() -> dict:
    """The versions that make the numbers: Python's numeric stack, R and its forests."""
    import platform
    import subprocess
    from importlib import metadata

    out = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "pandas", "xgboost"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    r = subprocess.run(["Rscript", "-e", 'cat(as.character(getRversion()), as.character(packageVersion("grf")), '
                        'as.character(packageVersion("policytree")))'], capture_output=True, text=True)
    out["R"], out["grf"], out["policytree"] = (r.stdout.split() + [None] * 3)[:3] if r.returncode == 0 else (None,) * 3
    return out


def machine() -> dict:
    """The processor model, the SIMD features numpy dispatches on, and the software."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # numpy 1
        from numpy.core._multiarray_umath import __cpu_features__

    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown") if Path("/proc/cpuinfo").exists() else "unknown"
    return dict(cpu=model, numpy_simd=sorted(k for k, on in __cpu_features__.items() if on), software=software())


if __name__ == "__main__":
    out = Path(sys.argv[2])
    out.write_text(json.dumps(fingerprint(Path(sys.argv[1])), indent=1, sort_keys=True) + "\n")
    out.with_name(out.name.replace(".sha256.json", "") + ".machine.json").write_text(json.dumps(machine(), indent=1) + "\n")
