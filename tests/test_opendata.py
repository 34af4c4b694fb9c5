"""Open data that validates: every record of /dati/servizi.json, enti.json and iniziative.json
against the HSDS 3.0 JSON Schemas (copy in tests/hsds/, with its licence), formats included;
stable UUIDs; the Frictionless data package; the DCAT-AP_IT catalogue; the publisher warning."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from carta.pipeline import build, check

from .conftest import ROOT, TODAY, Built

HSDS = Path(__file__).resolve().parent / "hsds"
SITES = {"crema": ROOT / "content", "bologna": ROOT / "examples" / "bologna-metropolitana"}
SCHEMAS = {"servizi": "service.json", "enti": "organization.json", "iniziative": "program.json"}


def registry() -> Registry:
    return Registry().with_resources(
        (
            p.name,
            Resource.from_contents(
                json.loads(p.read_text(encoding="utf-8")), default_specification=DRAFT202012
            ),
        )
        for p in (HSDS / "schema").glob("*.json")
    )


FORMATS = FormatChecker()


def validator(schema: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": schema}, registry=registry(), format_checker=FORMATS)


def errors(record: dict[str, Any], schema: str) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator(schema).iter_errors(record)
    ]


def load(site: Path, name: str) -> Any:
    return json.loads((site / "dati" / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=sorted(SITES))
def built(request: pytest.FixtureRequest, shipped: Callable[[Path], Built]) -> Path:
    return shipped(SITES[request.param]).out


def test_the_schema_copy_keeps_its_licence_and_attribution() -> None:
    assert "Creative Commons Attribution Share-Alike 4.0" in (HSDS / "LICENSE").read_text()
    readme = (HSDS / "README.md").read_text(encoding="utf-8")
    assert "Open Referral" in readme and "CC BY-SA 4.0" in readme


def test_the_format_checker_really_checks_uri_date_time_and_uuid() -> None:
    # without rfc3986-validator / rfc3339-validator jsonschema silently accepts anything
    for fmt in ("uri", "date-time", "uuid", "email"):
        assert fmt in FORMATS.checkers, fmt
    bad = {"id": "assistenza-domiciliare", "name": "x", "status": "active", "url": "/servizi/x/"}
    found = errors({**bad, "last_modified": "2026-11-23"}, "service.json")
    assert any(e.startswith("id:") for e in found)
    assert any(e.startswith("url:") for e in found)
    assert any(e.startswith("last_modified:") for e in found)
    assert errors({"id": str(uuid.uuid4()), "name": "x", "status": "active", "phones": [{"number": "1"}]}, "service.json")  # fmt: skip


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_record_is_valid_hsds_3(built: Path, name: str) -> None:
    rows = load(built, f"{name}.json")
    assert rows
    found = {r["estensione_carta"]["slug"]: errors(r, SCHEMAS[name]) for r in rows}
    assert {k: v for k, v in found.items() if v} == {}


def test_records_have_no_nulls_real_alternate_names_and_nested_ids(built: Path) -> None:
    def walk(value: Any) -> None:
        assert value is not None
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            assert value, "empty lists are left out"
            for v in value:
                walk(v)

    services = load(built, "servizi.json")
    for name in SCHEMAS:
        walk(load(built, f"{name}.json"))
    for s in services:
        assert s.get("alternate_name") != s["estensione_carta"]["sommario"]
        for key in ("phones", "required_documents", "service_areas"):
            for item in s.get(key, []):
                uuid.UUID(item["id"])
                assert item["service_id"] == s["id"]
        assert s["last_modified"].endswith("T00:00:00Z")
        assert "assured_date" not in s  # nobody verified the shipped content
        assert "url" not in s and s["estensione_carta"]["pagina"].startswith("/servizi/")
    ids = [r["id"] for name in SCHEMAS for r in load(built, f"{name}.json")]
    assert len(ids) == len(set(ids))


def test_ids_are_uuid5_of_the_slug_in_the_configured_namespace(tmp_path: Path) -> None:
    import yaml

    content = SITES["crema"]
    config = yaml.safe_load((content / "carta.yaml").read_text(encoding="utf-8"))
    namespace = uuid.UUID(config["uuid_namespace"])
    build(content, tmp_path / "a", today=date.fromisoformat(TODAY))
    services = {s["estensione_carta"]["slug"]: s for s in load(tmp_path / "a", "servizi.json")}
    enti = {e["estensione_carta"]["slug"]: e for e in load(tmp_path / "a", "enti.json")}
    sad = services["tutela-minori"]  # a service whose source names its provider
    assert sad["id"] == str(uuid.uuid5(namespace, "servizio/tutela-minori"))
    assert uuid.UUID(sad["id"]).version == 5
    provider = sad["estensione_carta"]["ente"]
    assert sad["organization_id"] == enti[provider]["id"]
    # a service whose source names an alternate name keeps it; one with none has none
    for path in (content / "servizi").glob("*.md"):
        if "." in path.stem:  # a translation, not an entry
            continue
        has = "\naltri_nomi:" in path.read_text(encoding="utf-8").split("---")[1]
        assert ("alternate_name" in services[path.stem]) is has
    # same content, same ids, whatever url_base says
    copy = tmp_path / "content"
    shutil.copytree(content, copy)
    with (copy / "carta.yaml").open("a", encoding="utf-8") as f:
        f.write("url_base: https://carta.esempio-di-prova.it/\n")
    build(copy, tmp_path / "b", today=date.fromisoformat(TODAY))
    again = {s["estensione_carta"]["slug"]: s for s in load(tmp_path / "b", "servizi.json")}
    assert again["tutela-minori"]["id"] == sad["id"]
    assert again["assistenza-domiciliare"]["url"] == (
        "https://carta.esempio-di-prova.it/servizi/assistenza-domiciliare/"
    )
    assert not errors(again["assistenza-domiciliare"], "service.json")
    catalogue = load(tmp_path / "b", "catalogo.jsonld")
    assert catalogue["@id"] == "https://carta.esempio-di-prova.it/dati/catalogo.jsonld"


def test_without_uuid_namespace_ids_come_from_the_ambito(mini: Path, tmp_path: Path) -> None:
    from carta.opendata import DEFAULT_NAMESPACE

    build(mini, tmp_path / "site", today=date.fromisoformat(TODAY))
    first = load(tmp_path / "site", "servizi.json")[0]
    namespace = uuid.uuid5(DEFAULT_NAMESPACE, "Ambito di Prova")
    slug = first["estensione_carta"]["slug"]
    assert first["id"] == str(uuid.uuid5(namespace, f"servizio/{slug}"))


def test_the_data_package_validates_with_frictionless(built: Path) -> None:
    import frictionless

    report = frictionless.validate(str(built / "dati" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = load(built, "datapackage.json")
    fields = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
    header = (built / "dati" / "servizi.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == fields
    assert package["licenses"][0]["name"] == "CC-BY-4.0"


def test_a_broken_csv_fails_the_data_package(built: Path, tmp_path: Path) -> None:
    import frictionless

    shutil.copytree(built / "dati", tmp_path / "dati")
    csv_file = tmp_path / "dati" / "servizi.csv"
    lines = csv_file.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.append(lines[1])  # a duplicate id
    csv_file.write_text("".join(lines), encoding="utf-8")
    assert not frictionless.validate(str(tmp_path / "dati" / "datapackage.json")).valid


def test_the_dcat_ap_it_catalogue_describes_every_file(built: Path) -> None:
    catalogue = load(built, "catalogo.jsonld")
    assert "dcatapit:Catalog" in catalogue["@type"]
    assert catalogue["@context"]["dcatapit"] == "http://dati.gov.it/onto/dcatapit#"
    publisher = catalogue["dct:publisher"]
    assert "dcatapit:Agent" in publisher["@type"] and publisher["foaf:name"]["@value"]
    assert "dct:identifier" not in publisher  # no IPA code in the sources: not invented
    files = set()
    for dataset in catalogue["dcat:dataset"]:
        assert "dcatapit:Dataset" in dataset["@type"]
        for key in (
            "dct:identifier", "dct:title", "dct:description", "dct:modified", "dcat:theme",
            "dct:rightsHolder", "dct:accrualPeriodicity", "dcat:contactPoint",
        ):  # fmt: skip
            assert key in dataset, key
        for d in dataset["dcat:distribution"]:
            assert d["dct:license"]["@id"] == "https://creativecommons.org/licenses/by/4.0/"
            assert d["dct:format"]["@id"].startswith(
                "http://publications.europa.eu/resource/authority/file-type/"
            )
            files.add(d["dcat:accessURL"]["@id"].removeprefix("./"))
    assert files == {
        "servizi.json", "servizi.csv", "enti.json", "iniziative.json",
        "osservatorio.json", "osservatorio.csv",
    }  # fmt: skip
    for name in files:
        assert (built / "dati" / name).is_file()
    dati = (built / "dati" / "index.html").read_text(encoding="utf-8")
    assert 'href="/dati/catalogo.jsonld"' in dati and 'href="/dati/datapackage.json"' in dati


def test_check_warns_while_the_publisher_is_not_set(mini: Path) -> None:
    config = mini / "carta.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.split("dati_aperti:")[0], encoding="utf-8")
    site, problems = check(mini, today=date.fromisoformat(TODAY))
    assert site is not None
    warned = [p for p in problems if p.path.endswith("carta.yaml")]
    assert [p.severity for p in warned] == ["warning", "warning"]
    assert any("dati_aperti.titolare" in p.message for p in warned)
    assert any("dati_aperti.contatto" in p.message for p in warned)
    strict_site, _ = check(mini, strict=True, today=date.fromisoformat(TODAY))
    assert strict_site is None
    config.write_text(text, encoding="utf-8")  # the publisher set, no IPA code: no warning
    assert check(mini, strict=True, today=date.fromisoformat(TODAY))[0] is not None


@pytest.mark.parametrize("content", sorted(SITES))
def test_shipped_sites_set_the_publisher_and_pass_strict_check(content: str) -> None:
    site, problems = check(SITES[content], strict=True, today=date.fromisoformat(TODAY))
    assert problems == [] and site is not None
    assert site.config.dati_aperti.titolare and site.config.uuid_namespace
