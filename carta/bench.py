"""``carta bench``: build and search a synthetic Carta of 1,000 and 10,000 entries and print
the figures (index build seconds, index bytes, query latency, bytes a browser downloads for
a first search). A benchmark prints; it never fails a test.

The synthetic text is drawn, with a fixed seed and Zipf-like frequencies, from the words of
the default Carta, so the vocabulary is realistic Italian welfare language.
"""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from .loader import load_content
from .pipeline import default_today
from .render import default_templates
from .resolve import resolve
from .validate import validate

QUERIES = [
    "badante", "assistenza domiciliare", "anziani", "anzaini", "disabilita", "affitto",
    "sfratto", "casa di riposo", "tutela minori", "lavoro disabili", "baby sitter",
    "amministratore di sostegno", "psicologo", "bollette", "ludopatia", "centro diurno",
    "famiglie fragili", "assistente sociale", "dimissioni ospedale", "affido",
    "inserimento lavorativo", "conciliazione", "volontariato", "domiciliare integrata",
    "povertà", "contributo economico", "servizi sociali crema", "minori stranieri",
    "salute mentale", "gioco d'azzardo",
]  # fmt: skip
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT = ROOT / "content"
BROWSER_RUNNER = ROOT / "tests" / "search" / "run_browser_engine.cjs"


def synthetic_content(
    target: Path,
    entries: int,
    seed: int = 20261123,
    today: date | None = None,
    body_chars: int = 0,
) -> None:
    """Write a content folder with ``entries`` services, on the taxonomies of content/, in
    Italian only. With ``body_chars``, each service's body is at least that long (the peer
    benchmark's bodies are about 1,600 characters); otherwise it has one to four sentences per
    section."""
    rng = random.Random(seed)
    target.mkdir(parents=True)
    for name in (
        "carta.yaml",
        "aree.yaml",
        "destinatari.yaml",
        "territorio.yaml",
        "sinonimi.yaml",
        "fonti.yaml",
    ):
        shutil.copy(DEFAULT_CONTENT / name, target / name)
    # the synthetic services have other names: no "dove chiedere" entries to point to; and no
    # other languages (the enti are copied without their translations, and the peers the
    # benchmark compares with build one language)
    config = (target / "carta.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
    dropped = ("dove_chiedere:", "lingue:")
    (target / "carta.yaml").write_text(
        "".join(line for line in config if not line.startswith(dropped)), encoding="utf-8"
    )
    shutil.copytree(
        DEFAULT_CONTENT / "enti", target / "enti", ignore=shutil.ignore_patterns("*.*.md")
    )
    words: Counter[str] = Counter()
    for path in sorted(DEFAULT_CONTENT.rglob("*.md")):
        text = path.read_text(encoding="utf-8").split("---", 2)[-1]
        words.update(w.lower() for w in re.findall(r"[^\W\d_]{3,}", text))
    vocabulary = [w for w, _ in words.most_common()]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    site, _ = validate(load_content(DEFAULT_CONTENT), today or default_today())
    assert site is not None
    aree, destinatari, enti = list(site.aree), list(site.destinatari), list(site.enti)
    fonte = next(iter(site.fonti))

    def sentence(n: int) -> str:
        picked = rng.choices(vocabulary, weights=weights, k=n)
        return " ".join(picked).capitalize() + "."

    folder = target / "servizi"
    folder.mkdir()
    for n in range(entries):
        title = " ".join(rng.choices(vocabulary, weights=weights, k=rng.randint(2, 5))).capitalize()
        parts: dict[str, list[str]] = {
            heading: [] for heading in ("A chi è rivolto", "Come fare", "Cosa si ottiene")
        }
        for said in parts.values():
            said.extend(sentence(rng.randint(8, 20)) for _ in range(rng.randint(1, 4)))
        while body_chars and sum(len(" ".join(t)) for t in parts.values()) < body_chars:
            rng.choice(list(parts.values())).append(sentence(rng.randint(8, 20)))
        body = "\n\n".join(f"## {h}\n\n" + " ".join(said) for h, said in parts.items())
        (folder / f"servizio-{n:05d}.md").write_text(
            "---\n"
            f"titolo: {json.dumps(title, ensure_ascii=False)}\n"
            f"sommario: {json.dumps(sentence(rng.randint(8, 16))[:190], ensure_ascii=False)}\n"
            "stato: attivo\n"
            f"aree: [{', '.join(rng.sample(aree, 2))}]\n"
            f"destinatari: [{rng.choice(destinatari)}]\n"
            f"ente: {rng.choice(enti)}\n"
            "territorio: ambito\n"
            "accesso:\n  modalita: [sportello]\n  dove: Servizio sociale del Comune.\n"
            f"costi:\n  tipo: {rng.choice(['gratuito', 'compartecipazione'])}\n"
            f"parole_chiave: [{', '.join(rng.choices(vocabulary[:300], k=3))}]\n"
            f"fonti:\n  - fonte: {fonte}\n"
            "---\n" + sentence(rng.randint(10, 30)) + "\n\n" + body + "\n",
            encoding="utf-8",
        )


def _size(folder: Path) -> tuple[int, int]:
    raw = gz = 0
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            raw += len(data)
            gz += len(gzip.compress(data, mtime=0))
    return raw, gz


def _gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), mtime=0))


def first_search_bytes(
    site_dir: Path, queries: list[str], lang: str | None = None
) -> list[int] | None:
    """For each query, the gzip bytes a browser downloads to show its first results page
    (script + every index file the browser engine reads), measured by running cerca.js in
    Node on the search page of ``lang`` (Italian when ``None``). ``None`` when Node is not
    installed."""
    if shutil.which("node") is None or not BROWSER_RUNNER.is_file():
        return None
    script = _gz(site_dir / "static" / "cerca.js")
    sizes = []
    for query in queries:
        out = subprocess.run(
            ["node", str(BROWSER_RUNNER)],
            input=json.dumps({"site": str(site_dir), "queries": [{"q": query}], "lang": lang}),
            capture_output=True,
            text=True,
            check=True,
        )
        fetched = json.loads(out.stdout)[0]["fetched"]
        sizes.append(script + sum(_gz(Path(f)) for f in fetched))
    return sizes


def search_timings(engine: Any, count: int) -> tuple[list[float], list[float]]:
    """Milliseconds of ``count`` searches cycling through QUERIES on one open engine: the
    warm ones (every run of a query after its first) and, apart, the first run of each query
    (before the engine has seen its words)."""
    warm: list[float] = []
    first: list[float] = []
    for n in range(count):
        query = QUERIES[n % len(QUERIES)]
        started = time.perf_counter()
        engine.search(query)
        elapsed = (time.perf_counter() - started) * 1000
        (first if n < len(QUERIES) else warm).append(elapsed)
    return warm or first, first


def percentiles(timings: list[float]) -> tuple[float, float]:
    """p50 and p95 (nearest rank)."""
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def search_figures(site_dir: Path, queries: int) -> list[str]:
    """The search figures of a built site: engine open time, query latency, bytes of a
    first search in a browser."""
    from .search.engine import Engine

    started = time.perf_counter()
    engine = Engine(site_dir)
    open_ms = (time.perf_counter() - started) * 1000
    timings, first = search_timings(engine, queries)
    engine.close()
    p50, p95 = percentiles(timings)
    lines = [
        f"  search engine open:         {open_ms:.0f} ms",
        f"  query latency, warm:        p50 {p50:.1f} ms, p95 {p95:.1f} ms "
        f"({len(timings)} searches on one open engine, after each query's first run)",
        f"  query latency, first runs:  p50 {statistics.median(first):.1f} ms, "
        f"max {max(first):.1f} ms (each query the first time)",
    ]
    browser = first_search_bytes(site_dir, QUERIES)
    if browser is None:
        lines.append("  first search in a browser:  not measured (Node.js not installed)")
    else:
        browser.sort()
        lines.append(
            "  first search in a browser:  "
            f"median {statistics.median(browser) / 1e3:.0f} KB, max {browser[-1] / 1e3:.0f} KB gzip "
            "(script + index files read)"
        )
    return lines


def run_bench(sizes: list[int], *, queries: int, log: Callable[[str], None]) -> None:
    from .pipeline import build
    from .search.index import write_search_index

    log(f"carta bench — {len(QUERIES)} fixed queries, {queries} timed searches per size")
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="carta-bench-") as tmp:
            content = Path(tmp) / "content"
            synthetic_content(content, size)
            started = time.perf_counter()
            build(content, Path(tmp) / "site", templates=default_templates())
            build_seconds = time.perf_counter() - started
            site, _ = validate(load_content(content), default_today())
            assert site is not None
            resolve(site)
            index_dir = Path(tmp) / "index-only"
            started = time.perf_counter()
            write_search_index(site, index_dir)
            index_seconds = time.perf_counter() - started
            whoosh_raw, whoosh_gz = _size(index_dir / "_search" / "whoosh")
            total_raw, total_gz = _size(index_dir / "_search")
            log(f"\n{size} entries (+ {len(site.enti)} enti)")
            log(f"  full build (pages + index): {build_seconds:.1f} s")
            log(f"  search index build:         {index_seconds:.1f} s")
            log(
                f"  Whoosh index:               {whoosh_raw / 1e6:.2f} MB ({whoosh_gz / 1e6:.2f} MB gzip)"
            )
            log(
                f"  browser index (all files):  {(total_raw - whoosh_raw) / 1e6:.2f} MB ({(total_gz - whoosh_gz) / 1e3:.0f} KB gzip)"
            )
            for line in search_figures(Path(tmp) / "site", queries):
                log(line)


#: the edits whose incremental rebuild ``carta bench --build`` times, as an editor makes them
EDITS = ("modifica del testo", "modifica del titolo", "modifica di un modello")


def _edit(content: Path, templates: Path, edit: str, n: int) -> None:
    """Make the ``n``-th edit of kind ``edit`` (see :data:`EDITS`) in a bench Carta."""
    if edit == EDITS[2]:
        path = templates / "servizio.html"
        path.write_text(
            path.read_text(encoding="utf-8") + f"{{# modifica di prova {n} #}}\n", encoding="utf-8"
        )
        return
    services = sorted((content / "servizi").glob("*.md"))
    path = services[(10 + 7 * n) % len(services)]
    text = path.read_text(encoding="utf-8")
    if edit == EDITS[0]:
        path.write_text(text + f"\nAggiornamento di prova numero {n}.\n", encoding="utf-8")
    else:
        lines = text.split("\n")
        at = next(i for i, line in enumerate(lines) if line.startswith("titolo:"))
        lines[at] = f'titolo: "Servizio rinominato {n}"'
        path.write_text("\n".join(lines), encoding="utf-8")


def _now_into(times: list[float]) -> None:
    times.append(time.perf_counter())


def build_child(content: Path, work: Path, saves: int) -> dict[str, Any]:
    """What ``carta bench --build`` measures in a process of its own (so that its peak memory
    is the build's): a clean build by stage, a build with nothing changed, and ``saves``
    incremental rebuilds after each of :data:`EDITS`, made on a copy of the content and of the
    templates. Returns the figures as JSON-ready data."""
    import resource

    from .markup import Renderer
    from .pipeline import build

    copy, templates, site_dir = work / "content", work / "templates", work / "site"
    shutil.copytree(content, copy)
    shutil.copytree(default_templates(), templates)
    started = time.perf_counter()
    clean = build(copy, site_dir, templates=templates, clean=True)
    seconds = time.perf_counter() - started
    sizes = [p.stat().st_size for p in site_dir.rglob("*") if p.is_file()]
    figures: dict[str, Any] = {
        "entries": sum(1 for _ in copy.glob("*/*.md")),
        "clean": seconds,
        "stages": clean.seconds,
        "files": len(sizes),
        "bytes": sum(sizes),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    started = time.perf_counter()
    build(copy, site_dir, templates=templates)
    figures["unchanged"] = time.perf_counter() - started
    rebuilds: dict[str, list[dict[str, Any]]] = {}
    renderer = Renderer()  # as carta serve: one kept from build to build
    build(copy, site_dir, templates=templates, renderer=renderer)
    for edit in EDITS:
        for n in range(saves):
            _edit(copy, templates, edit, n)
            page_in_place: list[float] = []
            started = time.perf_counter()
            result = build(
                copy,
                site_dir,
                templates=templates,
                renderer=renderer,
                published=partial(_now_into, page_in_place),
            )
            ended = time.perf_counter()
            rebuilds.setdefault(edit, []).append(
                {
                    "seconds": ended - started,
                    # from the save to the edited page on disk (what carta serve reloads on)
                    "page": (page_in_place[0] if page_in_place else ended) - started,
                    "written": result.pages,
                    "incremental": result.incremental,
                }
            )
    figures["rebuilds"] = rebuilds
    figures["rss_mb_all"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def build_figures(content: Path, work: Path, saves: int) -> tuple[list[str], Path]:
    """The build figures of ``content``, measured in a child process, as lines to print; and
    the site it built (for the search figures)."""
    import sys

    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, sys; from pathlib import Path; from carta.bench import build_child; "
            "print(json.dumps(build_child(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]))))",
            str(content),
            str(work),
            str(saves),
        ],
        capture_output=True,
        text=True,
    )
    if child.returncode != 0:
        raise RuntimeError(f"the bench build failed:\n{child.stderr[-4000:]}")
    f = json.loads(child.stdout.strip().splitlines()[-1])
    lines = [
        f"  clean build:                {f['clean']:.1f} s, peak RSS {f['rss_mb']:.0f} MB, "
        f"{f['files']:,} files, {f['bytes'] / 1e6:.1f} MB ({f['entries']:,} entry files)",
    ]
    for stage, seconds in f["stages"].items():
        lines.append(f"    {stage + ':':<40}{seconds:6.2f} s")
    lines.append(f"  build with nothing changed: {f['unchanged']:.2f} s")
    for edit, runs in f["rebuilds"].items():
        seconds = [r["seconds"] for r in runs]
        kinds = {"incrementale" if r["incremental"] else "completa" for r in runs}
        page = statistics.median(r["page"] for r in runs)
        lines.append(
            f"  rebuild after a {edit}: median {statistics.median(seconds):.2f} s "
            f"(min {min(seconds):.2f}, max {max(seconds):.2f}; {len(runs)} saves; "
            f"{runs[-1]['written']:,} files written; {', '.join(sorted(kinds))}); "
            f"edited page on disk after {page:.2f} s"
        )
    lines.append(f"  peak RSS, rebuilds included: {f['rss_mb_all']:.0f} MB")
    return lines, work / "site"


def run_build_bench(
    sizes: list[int],
    *,
    queries: int,
    saves: int,
    log: Callable[[str], None],
    content: Path | None = None,
    body_chars: int = 1600,
) -> None:
    """``carta bench --build``: for each size (or for ``content`` as it is), the build figures
    of :func:`build_figures` and the search figures of :func:`search_figures`."""
    log(
        f"carta bench --build — clean build by stage, {saves} saves per kind of edit, "
        f"{queries} timed searches"
    )
    corpora: list[tuple[str, Path | None, int]] = (
        [(str(content), content, 0)] if content else [(f"{n:,} servizi", None, n) for n in sizes]
    )
    for name, given, size in corpora:
        with tempfile.TemporaryDirectory(prefix="carta-bench-") as tmp:
            folder = given
            if folder is None:
                folder = Path(tmp) / "corpus"
                synthetic_content(folder, size, body_chars=body_chars)
            log(f"\n{name}" + ("" if given else f" (bodies ≥ {body_chars} characters)"))
            lines, site_dir = build_figures(folder, Path(tmp) / "work", saves)
            for line in lines:
                log(line)
            for line in search_figures(site_dir, queries):
                log(line)
