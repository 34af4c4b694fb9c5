"""The deployment and review examples exist, parse, use real commands and options, and say
what the code does (headers, waitress settings, ownership)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from carta.cli import make_parser
from carta.server import SECURITY_HEADERS, WAITRESS_SETTINGS, SiteApp

from .conftest import FIXTURES, ROOT, TODAY, wsgi_call

README = (ROOT / "README.md").read_text(encoding="utf-8")
DEPLOY = ROOT / "examples" / "deploy"
CI = ROOT / "examples" / "ci"


def assert_real_carta_command(line: str) -> None:
    """``line`` runs carta with a command and options that the parser accepts."""
    words = shlex.split(line)
    assert words[0] == "carta", line
    try:
        make_parser().parse_args(words[1:])
    except SystemExit as exc:
        raise AssertionError(f"not a valid carta command: {line}") from exc


def test_every_example_the_readme_links_exists() -> None:
    links = re.findall(r"\]\((examples/[^)]+)\)", README)
    assert len(links) >= 7
    for link in links:
        assert (ROOT / link).is_file(), link


@pytest.mark.parametrize("path", ["nginx.conf", "apache.conf", "_headers"])
def test_static_hosts_send_the_apps_security_headers(path: str, built_mini: Path) -> None:
    """The nginx and Apache examples, and the `_headers` file every build writes."""
    text = (built_mini / path if path == "_headers" else DEPLOY / path).read_text("utf-8")
    for name, value in SECURITY_HEADERS:
        assert re.search(rf'{name}:? "?{re.escape(value)}"?', text), (path, name)
    assert "max-age=3600" in text  # static assets cached, pages not
    for name, value in SECURITY_HEADERS:  # and the README shows the same block
        assert f"{name}: {value}" in README


def waitress_options(command: str) -> dict[str, str]:
    from waitress.adjustments import Adjustments

    words = shlex.split(command)
    start = next(n for n, word in enumerate(words) if word.endswith("waitress-serve"))
    words = words[start + 1 :]
    options, app = Adjustments.parse_args(words)
    assert app == ["carta.server:make_app"] and options.pop("call") is True
    options.pop("help")
    options.pop("listen")
    return options


@pytest.mark.parametrize("where", ["README", "systemd unit"])
def test_documented_waitress_command_has_the_servers_settings(where: str) -> None:
    text = README if where == "README" else (DEPLOY / "carta-search@.service").read_text()
    line = next(line for line in text.splitlines() if "waitress-serve --" in line)
    expected = {
        name: "true" if value is True else str(value) for name, value in WAITRESS_SETTINGS.items()
    }
    assert waitress_options(line.replace("%i", "8081")) == expected


def test_the_make_app_factory_the_docs_name_serves_carta_site(
    built_mini: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carta.server import make_app

    monkeypatch.setenv("CARTA_SITE", str(built_mini))
    status, headers, _ = wsgi_call(make_app(), "/non-esiste/")
    assert status == "404 Not Found" and headers["X-Frame-Options"] == "DENY"


def test_deploy_script_switches_the_symlink_and_keeps_the_newest_releases(tmp_path: Path) -> None:
    if not shutil.which("sh") or sys.platform == "win32":
        pytest.skip("needs a POSIX shell")
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "mini", content)
    env = {
        **os.environ,
        "CARTA": f"{sys.executable} -m carta",
        "CARTA_TODAY": TODAY,
        "PYTHONPATH": str(ROOT),
        "KEEP": "2",
    }
    current = tmp_path / "srv" / "current"

    def deploy() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["sh", str(DEPLOY / "deploy.sh"), str(content), str(tmp_path / "srv")],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    seen = []
    for _ in range(3):
        result = deploy()
        assert result.returncode == 0, result.stderr
        assert current.is_symlink()
        seen.append(os.readlink(current))
        assert wsgi_call(SiteApp(current), "/servizi/")[0] == "200 OK"
    assert len(set(seen)) == 3  # a new release every time
    releases = sorted(p.name for p in (tmp_path / "srv" / "releases").glob("[!.]*"))
    assert [str(tmp_path / "srv" / "releases" / r) for r in releases] == seen[-2:]
    broken = content / "servizi" / "sportello-nord.md"
    broken.write_text(broken.read_text().replace("stato: attivo", "stato: attiva"))
    result = deploy()
    assert result.returncode != 0 and os.readlink(current) == seen[-1]  # the live site stays


def test_pre_commit_hooks_run_carta_check() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    config = yaml.safe_load((CI / "pre-commit-config.yaml").read_text(encoding="utf-8"))
    local = [hook for repo in config["repos"] for hook in repo["hooks"]]
    for hook in [*hooks, *local]:
        assert hook["id"] == "carta-check"
        assert hook["pass_filenames"] is False  # check reads the whole content folder
        assert re.match(hook["files"], "content/servizi/sad.md")
        assert_real_carta_command(hook["entry"])
        assert shlex.split(hook["entry"])[1] == "check"
    assert "pyproject.toml" in os.listdir(ROOT)  # language: python installs this package


def test_ci_workflow_checks_every_pull_request_and_builds_a_preview() -> None:
    workflow = yaml.safe_load((CI / "github-workflow.yml").read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    commands = [step["run"] for step in steps if "run" in step]
    carta = [c for c in commands if c.startswith("carta ")]
    for command in carta:
        assert_real_carta_command(command)
    assert "carta check --strict" in carta
    build = next(c for c in carta if c.startswith("carta build"))
    out = shlex.split(build)[shlex.split(build).index("--out") + 1]
    uploads = [s for s in steps if s.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads and uploads[0]["with"]["path"].rstrip("/") == out  # the preview is kept


def front_matter(path: Path) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1])


def test_codeowners_gives_each_ente_its_own_entries() -> None:
    rules = [
        line.split()
        for line in (CI / "CODEOWNERS").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0][0] == "*"  # a default owner first: later rules win
    owners: dict[str, set[str]] = {}
    for path, owner in rules[1:]:
        file = ROOT / path.lstrip("/")
        assert file.is_file(), path
        ente = owner.rsplit("/", 1)[1]
        owners.setdefault(ente, set()).add(path)
        data = front_matter(file)
        if file.parent.name == "servizi":
            assert data["ente"] == ente, path
        elif file.parent.name == "iniziative":
            assert data["promotori"][0] == ente, path
        else:
            assert file == ROOT / "content" / "enti" / f"{ente}.md", path
    assert len(owners) >= 5
    for service in (ROOT / "content" / "servizi").glob("*.md"):
        ente = front_matter(service).get("ente")
        owned = {
            ente for ente, paths in owners.items() if f"/content/servizi/{service.name}" in paths
        }
        # a service whose source names no provider stays with the redazione (the * rule)
        assert owned == ({ente} if ente else set()), service.name
