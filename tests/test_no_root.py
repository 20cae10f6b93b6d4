"""Runs where researchers are: with the packages present, a user without root runs the set-up and
the tests, and neither apt nor sudo is ever called (both are replaced by traps that record a call)."""
import os
import pwd
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.workflow

USER = "actionable-nonroot"


@pytest.fixture(scope="module")
def unprivileged(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("creating a fresh unprivileged user needs root (CI runs as root)")
    try:
        pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", USER], check=True)
    home = pwd.getpwnam(USER).pw_dir
    project = os.path.join(home, "project")
    shutil.rmtree(project, ignore_errors=True)
    generated = {".git", "results", "logs", ".snakemake", "reports"}  # at the top level only

    def ignore(folder, names):
        return [n for n in names if (os.path.samefile(folder, ROOT) and n in generated) or n == "__pycache__"]

    shutil.copytree(ROOT, project, ignore=ignore)
    traps = os.path.join(home, "traps")
    os.makedirs(traps, exist_ok=True)
    for tool in ("apt-get", "apt", "sudo", "dpkg"):
        with open(os.path.join(traps, tool), "w") as fh:
            fh.write(f'#!/bin/sh\necho "{tool} $*" >> {home}/trapped.log\nexit 1\n')
        os.chmod(os.path.join(traps, tool), 0o755)
    subprocess.run(["chown", "-R", f"{USER}:{USER}", home], check=True)
    yield home, project
    shutil.rmtree(project, ignore_errors=True)


def _as_user(home, project, *cmd, timeout=900):
    env = {"HOME": home, "USER": USER, "PATH": f"{home}/traps:/usr/local/bin:/usr/bin:/bin",
           "PYTHONDONTWRITEBYTECODE": "1", "ACTIONABLE_PYTHON": sys.executable}
    return subprocess.run(["runuser", "-u", USER, "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()], *cmd],
                          cwd=project, capture_output=True, text=True, timeout=timeout)


def test_a_user_without_root_sets_up_and_tests_without_apt_or_sudo(unprivileged):
    home, project = unprivileged
    res = _as_user(home, project, "bash", "bin/setup.sh")
    assert res.returncode == 0, res.stderr
    assert "ready without installing" in res.stderr and sys.executable in res.stderr
    res = _as_user(home, project, "bash", "bin/test.sh", "tests/test_model.py", "tests/test_cli.py", "-k",
                   "eq7_closed_form or cli_prints_gain")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    assert " passed" in res.stdout and "failed" not in res.stdout
    assert not os.path.exists(os.path.join(home, "trapped.log")), open(os.path.join(home, "trapped.log")).read()
