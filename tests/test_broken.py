"""Each file of tests/fixtures/broken/ carries one known mistake; `check` names each one,
with file, line, column, field and an Italian message, all in one run."""

from __future__ import annotations

from datetime import date

import pytest

from carta.errors import ContentError
from carta.pipeline import check

from .conftest import FIXTURES

B = "broken"
S = f"{B}/servizi"
ALL_SECTIONS = (
    "A chi è rivolto, Come fare, Cosa serve, Cosa si ottiene, Tempi e scadenze, "
    "Quanto costa, Condizioni"
)
EN_SECTIONS = (
    "Who it is for, How to apply, What you need, What you get, Timing and deadlines, "
    "How much it costs, Conditions"
)
ENTE_TYPES = (
    "comune, ente-territoriale, organismo-di-governo, ufficio-di-piano, azienda-sanitaria, "
    "azienda-ospedaliera, azienda-speciale-consortile, asp, istituzione-pubblica, "
    "autorita-giudiziaria, cooperativa-sociale, associazione, fondazione, ente-religioso, altro"
)

EXPECTED: dict[str, str | tuple[str, ...]] = {
    # --- loading: folders, files, encoding, front matter, YAML syntax ---
    f"{B}/bozze": ": cartella sconosciuta: attese servizi/, enti/, iniziative/, pagine/",
    f"{S}/nota.txt": ": tipo di file non ammesso in servizi/: attesi file .md",
    f"{S}/Nome Sbagliato.md": ": nome di file non valido 'Nome Sbagliato.md': usa solo lettere "
    "minuscole, cifre e trattini (ad esempio 'nome-sbagliato.md')",
    f"{S}/file-vuoto.md": ": il file è vuoto: serve l'intestazione tra due righe '---'",
    f"{S}/senza-intestazione.md": ":1:1: manca l'intestazione: la prima riga deve essere '---'",
    f"{S}/intestazione-non-chiusa.md": ":1:1: intestazione non chiusa: manca la riga '---' "
    "che la termina",
    f"{S}/non-utf8.md": ":2:13: il file non è in UTF-8 (byte 0xe0): salvalo con codifica UTF-8",
    f"{S}/chiave-ripetuta.md": ":4:1: chiave 'titolo' ripetuta (già definita alla riga 2)",
    f"{S}/tabulazione.md": ":11:1: YAML non valido: tabulazione non ammessa, usa gli spazi per "
    "rientrare",
    f"{S}/yaml-non-valido.md": ":3:15: YAML non valido: ':' non ammesso qui (un valore con ': ' "
    "va tra virgolette)",
    # --- model: keys, types, allowed values ---
    f"{S}/chiave-sconosciuta.md": ":3:1: sommaro: chiave sconosciuta (forse 'sommario'?)",
    f"{S}/chiave-mancante.md": ":1:1: costi: chiave obbligatoria mancante",
    f"{S}/stato-non-ammesso.md": ":4:8: stato: valore 'attiva' non ammesso: attesi attivo, "
    "sospeso, concluso (forse 'attivo'?)",
    f"{S}/modalita-non-ammessa.md": ":10:14: accesso.modalita: valore 'sportelo' non ammesso: "
    "attesi sportello, telefono, online, invio-servizi, libero (forse 'sportello'?)",
    f"{S}/isee-non-booleano.md": ":14:9: costi.isee: atteso true o false, trovato il testo 'yes'",
    f"{S}/data-non-valida.md": ":14:16: verificato_il: data non valida '01/11/2026': scrivila "
    "come AAAA-MM-GG, ad esempio 2026-03-31",
    f"{S}/sommario-lungo.md": ":3:11: sommario: testo troppo lungo: 225 caratteri, al massimo 200",
    f"{S}/motivo-mancante.md": ":4:1: motivo_stato: obbligatorio quando lo stato è 'sospeso': "
    "spiega perché",
    f"{B}/enti/comune-di-prova.md": f":3:7: tipo: valore 'comunale' non ammesso: attesi "
    f"{ENTE_TYPES} (forse 'comune'?)",
    f"{B}/enti/ufficio-di-piano.md": ":4:9: natura: valore 'publico' non ammesso: attesi "
    "pubblico, privato-sociale, privato (forse 'pubblico'?)",
    f"{B}/iniziative/importo-sbagliato.md": ":11:14: finanziamento.importo: atteso un numero "
    "(con il punto per i decimali), trovato il testo '10.000,00'",
    f"{B}/iniziative/periodo-rovesciato.md": ":6:3: periodo: 'al' (2015) viene prima di 'dal' "
    "(2017)",
    f"{B}/pagine/ordine-sbagliato.md": ":3:9: ordine: atteso un numero intero, trovato il testo "
    "'primo'",
    # --- body ---
    f"{S}/sezione-sconosciuta.md": f":24:1: sezione sconosciuta '## Come si fa' (forse 'Come "
    f"fare'?): le sezioni ammesse sono {ALL_SECTIONS}",
    f"{S}/titolo-di-primo-livello.md": ":18:1: titolo di primo livello '# Il servizio' non "
    "ammesso: il titolo della pagina è già nell'intestazione, usa '## ' per le sezioni",
    # --- references, in both directions, and identity ---
    f"{S}/area-sconosciuta.md": ":5:17: aree: 'anziano' non è un'area definita in aree.yaml "
    "(forse 'anziani'?)",
    f"{S}/comune-sconosciuto.md": ":8:14: territorio: 'gamme' non è un comune né un sub-ambito "
    "definito in territorio.yaml (per tutto l'ambito scrivi 'ambito') (forse 'gamma'?)",
    f"{S}/ente-inesistente.md": ":7:7: ente: 'comune-prova' non esiste: nessun file "
    "enti/comune-prova.md (forse 'comune-di-prova'?)",
    f"{S}/tipo-di-scheda-sbagliato.md": ":7:7: ente: 'chiave-mancante' è un servizio, non un ente",
    f"{B}/enti/ente-a.md": ":4:11: parte_di: ciclo di appartenenza: ente-a → ente-b → ente-a",
    f"{B}/enti/ente-b.md": ":4:11: parte_di: ciclo di appartenenza: ente-b → ente-a → ente-b",
    f"{S}/doppio.md": f": il nome 'doppio' è già usato da {B}/enti/doppio.md: ogni scheda deve "
    "avere un nome diverso, rinomina uno dei due file",
    # --- dates ---
    f"{S}/data-nel-futuro.md": ":14:16: verificato_il: la data 2031-01-01 è nel futuro: indica "
    "il giorno in cui la scheda è stata verificata",
    f"{S}/verificato-senza-autore.md": ":14:1: verificato_il: manca 'verificato_da': scrivi chi ha "
    "verificato la scheda e con quale ente (ad esempio 'Ufficio di Piano, con il gestore del "
    "servizio'); se nessuno l'ha verificata togli 'verificato_il'",
    # --- sources ---
    f"{S}/fonte-sconosciuta.md": ":16:12: fonti.fonte: fonte sconosciuta 'pianno': nessuna fonte "
    "con questo id in fonti.yaml (forse 'piano'?)",
    # --- hostile content: refused with its place, never a traceback ---
    f"{S}/tag-yaml.md": ":14:9: YAML non valido: tag YAML '!!bool' non ammesso: scrivi solo il "
    "valore (i tipi li decide la Carta; un testo che inizia con '!' va tra virgolette)",
    f"{S}/alias.md": ":2:9: YAML non valido: ancora '&nome' non ammessa: togli '&nome' e scrivi "
    "i valori per esteso",
    f"{S}/carattere-di-controllo.md": ":2:22: carattere di controllo U+0007 non ammesso: è "
    "invisibile, di solito arriva da un copia e incolla; cancellalo e riscrivi il testo intorno",
    f"{S}/email-con-parametri.md": ":16:10: contatti.email: indirizzo email non valido "
    "'nome@dominio.it?cc=altro@dominio.it': scrivi solo l'indirizzo, come nome@dominio.it, "
    "senza spazi né altro testo",
    f"{S}/elenco-troppo-annidato.md": ":39:1: elenchi, citazioni o definizioni annidati troppo "
    "in profondità: al massimo 20 livelli uno dentro l'altro (separa le definizioni con una "
    "riga vuota)",
    f"{B}/iniziative/importo-infinito.md": ":11:14: finanziamento.importo: numero non valido "
    "(infinito o troppo grande): scrivi la cifra, ad esempio 12500.50",
    # --- translations (<slug>.<lang>.md beside the Italian entry) ---
    f"{S}/da-ricontrollare.fr.md": ":4:1: aree: non si traduce: resta quello della scheda italiana",
    f"{S}/da-ricontrollare.ar.md": ": la lingua 'ar' non è tra le lingue della Carta: aggiungila "
    "a 'lingue' in carta.yaml (ora: en, fr)",
    f"{S}/da-ricontrollare.de.md": ": lingua 'de' sconosciuta nel nome del file: le lingue "
    "possibili sono en, fr, ar",
    f"{S}/da-ricontrollare.it.md": ": la scheda in italiano non ha la lingua nel nome: chiamala "
    "'da-ricontrollare.md'",
    f"{S}/orfana.en.md": ": traduzione senza scheda italiana: manca servizi/orfana.md (una "
    "traduzione ha lo stesso nome della scheda che traduce)",
    f"{S}/sezioni-fuori-ordine.en.md": ":10:1: sezione sconosciuta '## How to aply' (forse 'How "
    f"to apply'?): le sezioni ammesse sono {EN_SECTIONS} (o in italiano: {ALL_SECTIONS})",
    f"{S}/sezioni-fuori-ordine.fr.md": ":1:1: sommario: chiave obbligatoria mancante: la scheda "
    "italiana ha un sommario, traducilo",
    f"{B}/pagine/ordine-sbagliato.en.md": ":2:1: titlo: chiave sconosciuta (forse 'titolo'?)",
    f"{B}/enti/comune-di-prova.en.md": ":6:14: traduzione.revisione: valore 'rivisto' non "
    "ammesso: attesi in-attesa, rivista (forse 'rivista'?)",
    # --- one file, four mistakes of four kinds: all in the same run ---
    f"{S}/quattro-errori.md": (
        ":4:1: chiave 'titolo' ripetuta (già definita alla riga 2)",
        ":5:8: stato: valore 'attiva' non ammesso: attesi attivo, sospeso, concluso (forse "
        "'attivo'?)",
        ":8:7: ente: 'comune-prova' non esiste: nessun file enti/comune-prova.md (forse "
        "'comune-di-prova'?)",
        ":15:16: verificato_il: la data 2031-01-01 è nel futuro: indica il giorno in cui la "
        "scheda è stata verificata",
    ),
}
WARNINGS = {
    # a warning, not an error: a copy of the content outside git, checked as of an earlier day,
    # cannot tell a future date from one its Italian file had
    f"{B}/iniziative/periodo-finito.en.md": ":5:23: avviso: traduzione.testo_italiano_del: la "
    "data 2031-01-01 è nel futuro: indica la data del testo italiano tradotto",
    f"{B}/iniziative/periodo-finito.md": ":4:8: avviso: stato: lo stato è 'in-corso' ma il periodo "
    "è finito (2017): se l'iniziativa è terminata scrivi 'conclusa', se prosegue aggiorna "
    "'periodo.al'",
    f"{S}/sezioni-fuori-ordine.md": f":24:1: avviso: sezione '## A chi è rivolto' fuori ordine: "
    f"va prima di '## Come fare' (ordine: {ALL_SECTIONS})",
    f"{S}/da-ricontrollare.md": ":14:16: avviso: verificato_il: scheda verificata il "
    "2024-05-31, più di 12 mesi fa: ricontrollala con chi gestisce il servizio e aggiorna la "
    "data",
    # the Italian entry's file changed (git date, injected below) after the Italian text the
    # translation follows
    f"{S}/da-ricontrollare.en.md": ":5:23: avviso: traduzione.testo_italiano_del: la scheda "
    "italiana è cambiata dopo la traduzione: aggiornala (servizi/da-ricontrollare.md è cambiata "
    "il 2026-11-01, la traduzione segue il testo del 2026-10-01); poi scrivi in "
    "testo_italiano_del la data del testo italiano tradotto",
}
#: the git dates of the broken site's files, as a repository would give them: only the Italian
#: file of the stale translation has one (the test does not depend on this repository's history)
FILE_DATES = {(FIXTURES / B / "servizi" / "da-ricontrollare.md").resolve(): date(2026, 11, 1)}


@pytest.fixture(scope="module")
def problems() -> list[ContentError]:
    site, found = check(FIXTURES / "broken", today=date(2026, 11, 23), file_dates=FILE_DATES)
    assert site is None
    return found


def test_every_mistake_is_reported_once_at_its_place(problems: list[ContentError]) -> None:
    shown = {str(p) for p in problems}
    expected = {
        path + tail
        for path, tails in {**EXPECTED, **WARNINGS}.items()
        for tail in ((tails,) if isinstance(tails, str) else tails)
    }
    assert shown == expected
    assert len(problems) == len(expected)  # nothing reported twice


def test_every_file_of_the_broken_site_is_accounted_for() -> None:
    root = FIXTURES / "broken"
    files = {
        f"broken/{p.relative_to(root).as_posix()}"
        for p in root.rglob("*")
        if p.is_file() and p.parent != root and p.parent.name != "bozze"
    }
    named = set(EXPECTED) | set(WARNINGS) | {f"{B}/enti/doppio.md", f"{B}/bozze"}
    assert files | {f"{B}/bozze"} == named


def test_warnings_are_marked_as_such(problems: list[ContentError]) -> None:
    warnings = {p.path for p in problems if p.severity == "warning"}
    assert warnings == set(WARNINGS)


def test_at_least_fifteen_kinds_of_mistake() -> None:
    assert len(EXPECTED) + len(WARNINGS) >= 15


def test_strict_turns_warnings_into_errors() -> None:
    _, found = check(
        FIXTURES / "broken", strict=True, today=date(2026, 11, 23), file_dates=FILE_DATES
    )
    assert {p.severity for p in found} == {"error"}
    assert any("fuori ordine" in p.message for p in found)


def test_four_mistakes_of_one_file_in_one_run(problems: list[ContentError]) -> None:
    """A duplicate key does not hide the fields, the date or the references of its file."""
    found = [p for p in problems if p.path.endswith("quattro-errori.md")]
    assert [(p.line, p.field) for p in found] == [
        (4, ""),
        (5, "stato"),
        (8, "ente"),
        (15, "verificato_il"),
    ]


def test_a_yaml_syntax_error_hides_nothing_else(problems: list[ContentError]) -> None:
    paths = {p.path for p in problems}
    assert f"{S}/yaml-non-valido.md" in paths and f"{S}/tabulazione.md" in paths
    assert len(paths) >= 40  # every other broken file is still reported
