"""Coverage of the shipped Carte (issue 3): every service, organisation, initiative and page
named in the issue, and those added since from the sources, has an entry under its slug, and
the entry's title (or an ente's name and sigla) still contains the words people know it by.

Removing or renaming one of these entries must fail here: if an entry is merged or renamed on
purpose, update its row below.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import cache

import pytest

from carta.pipeline import check

from .conftest import ROOT

# (words the title must contain, folder, slug). The words are compared as whole words,
# without accents or case, in any order.
CREMA = [
    # servizi
    ("Servizio sociale professionale", "servizi", "servizio-sociale-professionale"),
    ("Segretariato sociale", "servizi", "segretariato-sociale"),
    ("Tutela Minori", "servizi", "tutela-minori"),
    ("Servizio Inserimento Lavorativo", "servizi", "inserimento-lavorativo"),
    ("SAD", "servizi", "assistenza-domiciliare"),
    ("ADI", "servizi", "assistenza-domiciliare-integrata"),
    ("SAD-ADI dimissioni", "servizi", "dimissioni-protette-sad-adi"),
    ("CEAD", "servizi", "cead"),
    ("Affido familiare", "servizi", "affido-familiare"),
    ("SFA", "servizi", "servizi-formazione-autonomia"),
    ("Servizi diurni disabilità", "servizi", "servizi-diurni-disabilita"),
    ("Assistenza ad personam scuola", "servizi", "assistenza-ad-personam-scolastica"),
    ("Sportelli conciliazione", "servizi", "sportelli-conciliazione"),
    ("Albo provinciale baby-sitter", "servizi", "albo-baby-sitter"),
    ("Gruppi di auto mutuo aiuto", "servizi", "gruppi-auto-mutuo-aiuto"),
    ("Protezione giuridica amministratore di sostegno", "servizi", "protezione-giuridica"),
    ("Fondo di solidarietà", "servizi", "fondo-di-solidarieta"),
    ("Contributi misure economiche", "servizi", "contributi-economici"),
    ("SerD gioco d'azzardo", "servizi", "serd-gioco-azzardo"),
    ("Residenze Sanitarie Assistenziali RSA", "servizi", "residenze-sanitarie-assistenziali"),
    # enti
    ("Comune di Crema", "enti", "comune-di-crema"),
    ("Comunità Sociale Cremasca", "enti", "comunita-sociale-cremasca"),
    ("Ufficio di Piano", "enti", "ufficio-di-piano"),
    ("Assemblea dei Sindaci", "enti", "assemblea-dei-sindaci"),
    ("Comitato Ristretto", "enti", "comitato-ristretto"),
    ("Cabina di Regia", "enti", "cabina-di-regia"),
    ("Organismo di Valutazione", "enti", "organismo-di-valutazione"),
    ("ASL", "enti", "asl-cremona"),
    ("Azienda Ospedaliera di Crema", "enti", "azienda-ospedaliera-di-crema"),
    ("Fondazione Cariplo", "enti", "fondazione-cariplo"),
    ("Fondazione Comunitaria della Provincia di Cremona", "enti", "fondazione-comunitaria-cremona"),
    ("CISVOL", "enti", "cisvol"),
    ("Forum Terzo Settore", "enti", "forum-terzo-settore"),
    ("AMA Brescia", "enti", "ama-brescia"),
    ("Tribunale di Cremona", "enti", "tribunale-di-cremona"),
    ("Tribunale di Brescia", "enti", "tribunale-di-brescia"),
    ("Amministrazione Provinciale di Cremona", "enti", "amministrazione-provinciale-di-cremona"),
    ("Regione Lombardia", "enti", "regione-lombardia"),
    ("Rete Locale di Conciliazione", "enti", "rete-conciliazione-cremasca"),
    ("Cooperative sociali di tipo B", "enti", "cooperative-sociali-tipo-b"),
    # iniziative
    ("Wel(l)FARE legami", "iniziative", "wellfare-legami"),
    ("Patti gener-attivi", "iniziative", "patti-gener-attivi"),
    ("Laboratori di comunità", "iniziative", "laboratori-di-comunita"),
    ("Osservatorio Territoriale Permanente", "iniziative", "osservatorio-territoriale-permanente"),
    ("Cartella Sociale Informatizzata", "iniziative", "cartella-sociale-informatizzata"),
    ("Progetto Orma", "iniziative", "progetto-orma"),
    ("Case management comunitario", "iniziative", "case-management-comunitario"),
    ("Sentinelle di strada", "iniziative", "sentinelle-di-strada"),
    ("Un Cuore Nuovo", "iniziative", "un-cuore-nuovo"),
    ("Azione Anziani", "iniziative", "azione-anziani"),
    ("Una mano tira l'altra", "iniziative", "una-mano-tira-laltra"),
    ("Scopri i tuoi talenti", "iniziative", "scopri-i-tuoi-talenti"),
    ("Uno con", "iniziative", "uno-con"),
    ("Cari Euro", "iniziative", "cari-euro"),
    ("Casa vuoi?", "iniziative", "casa-vuoi"),
    ("Dinamicalavoro", "iniziative", "dinamicalavoro"),
    ("IN...TEMPO", "iniziative", "in-tempo"),
    ("Piano Territoriale di Conciliazione", "iniziative", "piano-territoriale-conciliazione"),
    ("Corso facilitatori auto mutuo aiuto", "iniziative", "corso-facilitatori-ama"),
    ("Sistema unitario di accesso regolamento ISEE", "iniziative", "sistema-unitario-di-accesso"),
    ("Fondo Solidale", "iniziative", "gestione-associata-fondo-solidale"),
    ("Piano di Zona 2015-2017", "iniziative", "piano-di-zona-2015-2017"),
    # pagine
    ("Come usare la Carta", "pagine", "come-usare-la-carta"),
    ("Diritti qualità reclami", "pagine", "diritti-qualita-reclami"),
    ("governance Piano di Zona", "pagine", "governance"),
    ("Dichiarazione di accessibilità", "pagine", "dichiarazione-di-accessibilita"),
    ("Chi cura la Carta", "pagine", "chi-cura-la-carta"),
]

BOLOGNA = [
    # enti
    ("CTSSM", "enti", "ctssm"),
    ("Ufficio di Supporto", "enti", "ufficio-di-supporto-ctssm"),
    ("Struttura Tecnica Metropolitana", "enti", "struttura-tecnica-metropolitana"),
    ("Città metropolitana di Bologna", "enti", "citta-metropolitana-di-bologna"),
    ("Istituzione Gian Franco Minguzzi", "enti", "istituzione-gian-franco-minguzzi"),
    ("ASP Città di Bologna", "enti", "asp-citta-di-bologna"),
    ("Comune di Bologna", "enti", "comune-di-bologna"),
    ("Quartiere Reno", "enti", "quartiere-reno"),
    ("Quartiere Borgo Panigale", "enti", "quartiere-borgo-panigale"),
    ("Quartiere San Vitale", "enti", "quartiere-san-vitale"),
    ("Quartiere San Donato", "enti", "quartiere-san-donato"),
    ("Azienda USL di Bologna", "enti", "azienda-usl-di-bologna"),
    ("Azienda USL di Imola", "enti", "azienda-usl-di-imola"),
    ("Arcidiocesi di Bologna", "enti", "arcidiocesi-di-bologna"),
    ("Caritas", "enti", "caritas-diocesana-di-bologna"),
    ("Distretti socio-sanitari Comitati di Distretto", "enti", "comitati-di-distretto"),
    ("Uffici di Piano", "enti", "uffici-di-piano"),
    ("Servizi Sociali Territoriali", "enti", "servizi-sociali-territoriali"),
    ("Regione Emilia-Romagna", "enti", "regione-emilia-romagna"),
    ("Conferenza metropolitana dei Sindaci", "enti", "conferenza-metropolitana-dei-sindaci"),
    ("Centro Servizi del Volontariato", "enti", "centro-servizi-volontariato"),
    ("Agenzia Regionale per il Lavoro", "enti", "agenzia-regionale-per-il-lavoro"),
    # servizi
    ("Sportello sociale", "servizi", "sportello-sociale"),
    ("Servizio sociale territoriale", "servizi", "servizio-sociale-territoriale"),
    ("Insieme per il lavoro", "servizi", "insieme-per-il-lavoro"),
    ("Case Zanardi", "servizi", "case-zanardi"),
    ("Case della Salute", "servizi", "case-della-salute"),
    ("Patti di collaborazione beni comuni", "servizi", "patti-di-collaborazione-beni-comuni"),
    # case rifugio, sportelli di ascolto, case per l'emergenza
    ("Accoglienza donne violenza", "servizi", "accoglienza-donne-vittime-di-violenza"),
    ("Inserimento lavorativo persone fragili", "servizi", "inserimento-lavorativo-persone-fragili"),
    ("Sportelli di ascolto nelle scuole", "servizi", "sportelli-di-ascolto-nelle-scuole"),
    # iniziative
    ("Protocollo Insieme per il lavoro", "iniziative", "protocollo-insieme-per-il-lavoro"),
    (
        "Albo metropolitano delle aziende inclusive",
        "iniziative",
        "albo-metropolitano-aziende-inclusive",
    ),
    ("Empori solidali", "iniziative", "rete-metropolitana-empori-solidali"),
    ("Community Lab", "iniziative", "community-lab"),
    ("Progetto Sostegno amministrazione di sostegno", "iniziative", "progetto-sostegno"),
    (  # the official name, in altri_nomi
        "Accordo metropolitano per la realizzazione di attività ed interventi di accoglienza, "
        "ascolto ed ospitalità per donne che hanno subito violenza",
        "iniziative",
        "accordo-metropolitano-accoglienza-donne-violenza",
    ),
    ("SPRAR", "iniziative", "sprar-metropolitano"),
    ("Oltre la strada", "iniziative", "oltre-la-strada"),
    ("Dopo di Noi", "iniziative", "dopo-di-noi"),
    ("Fondo Sociale Mobilità", "iniziative", "fondo-sociale-mobilita"),
    ("Fondo Regionale Disabili", "iniziative", "fondo-regionale-disabili"),
    ("Teatro e salute mentale", "iniziative", "teatro-e-salute-mentale"),
    ("FRNA FNA", "iniziative", "fondo-non-autosufficienza-frna-fna"),
    ("Gender Label", "iniziative", "gender-label"),
    (
        "Atto di indirizzo e coordinamento",
        "iniziative",
        "atto-di-indirizzo-e-coordinamento-2018-2020",
    ),
    ("Accordo Regione Città metropolitana", "iniziative", "accordo-regione-citta-metropolitana"),
    (
        "Intesa Generale Quadro Regione Città metropolitana",
        "iniziative",
        "intesa-generale-quadro-regione-citta-metropolitana",
    ),
    # official short name, in altri_nomi
    (
        "Convenzione Quadro CM-Unioni",
        "iniziative",
        "convenzione-quadro-citta-metropolitana-comuni-unioni",
    ),
    (
        "Organismo tecnico territoriale per l'infanzia e l'adolescenza",
        "iniziative",
        "coordinamento-tecnico-infanzia-adolescenza",
    ),
    (
        "Coordinamento per l'integrazione socio-sanitaria dei minori",
        "iniziative",
        "coordinamento-integrazione-sociosanitaria-minori",
    ),
    (
        "Coordinamento metropolitano delle strutture per l'accoglienza dei minori",
        "iniziative",
        "coordinamento-strutture-accoglienza-minori",
    ),
    (
        "Coordinamento metropolitano inserimento lavorativo",
        "iniziative",
        "coordinamento-metropolitano-inclusione-lavorativa",
    ),
    (
        "Tavolo metropolitano delle Pari opportunità",
        "iniziative",
        "tavolo-metropolitano-pari-opportunita",
    ),
    (
        "Patto metropolitano per il lavoro e lo sviluppo economico e sociale",
        "iniziative",
        "patto-metropolitano-lavoro-sviluppo",
    ),
    (
        "Patto metropolitano per il contrasto alle fragilità sociali",
        "iniziative",
        "patto-metropolitano-terzo-settore",
    ),
    (
        "Protocollo di intesa protezione donne relazioni di intimità",
        "iniziative",
        "protocollo-protezione-donne-relazioni-intimita",
    ),
    (
        "Accordo di programma inclusione scolastica disabilità",
        "iniziative",
        "accordo-di-programma-inclusione-scolastica",
    ),
    (
        "Piano triennale metropolitano orientamento successo formativo",
        "iniziative",
        "piano-orientamento-e-successo-formativo",
    ),
    (
        "Istituzione metropolitana per l'inclusione sociale e comunitaria",
        "iniziative",
        "istituzione-metropolitana-inclusione-sociale",
    ),
    ("Rete dei Teatri solidali", "iniziative", "rete-dei-teatri-solidali"),
    ("Casa come fattore di autonomia", "iniziative", "casa-come-fattore-di-autonomia"),
    (
        "La sfida metropolitana per l'accoglienza e l'integrazione",
        "iniziative",
        "accoglienza-e-integrazione-migranti",
    ),
    (
        "Progetto di riforma del decentramento, del ruolo e funzioni dei Quartieri",
        "iniziative",
        "riforma-dei-quartieri",
    ),
    (
        "Percorso formativo sul lavoro di comunità",
        "iniziative",
        "lavoro-di-comunita-nel-servizio-sociale",
    ),
    ("Pilastro 2016", "iniziative", "pilastro-2016"),
    ("Progetti di vicinato condomini", "iniziative", "progetti-di-vicinato-nei-condomini"),
    ("Piano Strategico Metropolitano", "iniziative", "piano-strategico-metropolitano"),
    (
        "Coordinamento Adozione Affido Accoglienza",
        "iniziative",
        "coordinamento-adozione-affido-accoglienza",
    ),
    (
        "Reddito di inclusione Reddito di solidarietà",
        "iniziative",
        "misure-contrasto-poverta-rei-res",
    ),
    # pagine
    ("Come usare la Carta", "pagine", "come-usare-la-carta"),
    ("Diritti qualità reclami", "pagine", "diritti-qualita-reclami"),
    ("Dichiarazione di accessibilità", "pagine", "dichiarazione-di-accessibilita"),
    ("Chi cura la Carta", "pagine", "chi-cura-la-carta"),
    ("Chi governa il welfare metropolitano", "pagine", "governance"),
]

SITES = {
    "content": (ROOT / "content", CREMA),
    "bologna": (ROOT / "examples" / "bologna-metropolitana", BOLOGNA),
}


def fold(text: str) -> str:
    """Lowercase, without accents."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def phrase(text: str) -> str:
    """The text's words, one space apart and padded, for whole-word phrase tests."""
    return " " + " ".join(re.findall(r"[a-z0-9]+", fold(text))) + " "


def words(text: str) -> set[str]:
    return set(phrase(text).split())


@cache
def site_of(name: str):
    site, problems = check(SITES[name][0], today=date(2026, 11, 23))
    assert site is not None, [str(p) for p in problems]
    return site


CASES = [(name, *row) for name, (_, rows) in SITES.items() for row in rows]


@pytest.mark.parametrize(
    ("name", "expected", "folder", "slug"), CASES, ids=[f"{c[0]}:{c[3]}" for c in CASES]
)
def test_named_entry_exists(name: str, expected: str, folder: str, slug: str) -> None:
    entries = getattr(site_of(name), folder)
    assert slug in entries, f"{name}: {folder}/{slug}.md is missing (expected «{expected}»)"
    entry = entries[slug]
    names = names_of(entry)
    assert named(expected, names), (
        f"{name}: {folder}/{slug}.md is now «{' / '.join(names)}», none of which has «{expected}»"
    )


def names_of(entry) -> list[str]:
    """The names an entry is known by: its title (with an ente's sigla) and its altri_nomi."""
    title = entry.title + " " + (getattr(entry.meta, "sigla", None) or "")
    return [title.strip(), *getattr(entry.meta, "altri_nomi", [])]


def named(expected: str, names: list[str]) -> bool:
    """All the expected words are in ONE of the names (not scattered across several)."""
    return any(words(expected) <= words(n) for n in names)


def test_a_name_must_hold_all_the_words() -> None:
    names = ["Albo metropolitano delle aziende inclusive", "Albo delle imprese inclusive"]
    assert named("albo imprese inclusive", names)
    assert named("Albo metropolitano aziende", names)
    assert not named("albo metropolitano imprese", names)  # words from two different names
    assert not named("Fondo preventivo promozionale", names)


@pytest.mark.parametrize("name", SITES)
def test_each_row_names_a_different_entry(name: str) -> None:
    rows = SITES[name][1]
    keys = [(folder, slug) for _, folder, slug in rows]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("name", SITES)
def test_synonyms_lead_to_words_the_carta_uses(name: str) -> None:
    """At least 40 everyday words, and every term they expand to occurs in the Carta's text."""
    site = site_of(name)
    assert len(site.sinonimi) >= 40
    corpus = "".join(
        phrase(" ".join([e.title, e.summary, *getattr(e.meta, "parole_chiave", []), e.body]))
        for e in site.all_entries()
    )
    unused = [
        f"{word} → {term}"
        for word, terms in site.sinonimi.items()
        for term in terms
        if phrase(term) not in corpus
    ]
    assert unused == []


def test_governance_page_names_the_organs_of_the_piano_di_zona() -> None:
    body = phrase(site_of("content").pagine["governance"].body)
    for organ in [
        "Assemblea",
        "Comitato Ristretto",
        "Ufficio di Piano",
        "Cabina di Regia",
        "Organismo di Valutazione",
    ]:
        assert phrase(organ) in body, organ
