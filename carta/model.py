"""The content model: what editors may write, declared once.

Required keys, allowed values and the section order live here as data and are used by the
validator, the JSON Schema export (``carta schema``), ``carta new`` and the templates.
Keys are Italian because editors write them; code is English.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    WithJsonSchema,
    model_validator,
)

from .yamlstrict import CONTROL_RE, control_message

# --- rules as data ----------------------------------------------------------------------------

#: standard body sections of a servizio, in order: heading → anchor id
SERVICE_SECTIONS: dict[str, str] = {
    "A chi è rivolto": "a-chi-e-rivolto",
    "Come fare": "come-fare",
    "Cosa serve": "cosa-serve",
    "Cosa si ottiene": "cosa-si-ottiene",
    "Tempi e scadenze": "tempi-e-scadenze",
    "Quanto costa": "quanto-costa",
    "Condizioni": "condizioni",
}

SERVICE_STATES = {"attivo": "Attivo", "sospeso": "Sospeso", "concluso": "Concluso"}
INITIATIVE_STATES = {"programmata": "Programmata", "in-corso": "In corso", "conclusa": "Conclusa"}
ACCESS_MODES = {
    "sportello": "Allo sportello",
    "telefono": "Per telefono",
    "online": "Online",
    "invio-servizi": "Su invio di un altro servizio",
    "libero": "Accesso libero",
}
COST_TYPES = {
    "gratuito": "Gratuito",
    "compartecipazione": "Con una quota a carico della persona",
    "tariffa": "A pagamento",
    "non-indicato": "Costi non indicati nelle fonti",
}
ENTE_TYPES = {
    "comune": "Comune",
    "ente-territoriale": "Ente territoriale",
    "organismo-di-governo": "Organismo di governo",
    "ufficio-di-piano": "Ufficio di Piano",
    "azienda-sanitaria": "Azienda sanitaria",
    "azienda-ospedaliera": "Azienda ospedaliera",
    "azienda-speciale-consortile": "Azienda speciale consortile",
    "asp": "Azienda pubblica di servizi alla persona",
    "istituzione-pubblica": "Istituzione pubblica",
    "autorita-giudiziaria": "Autorità giudiziaria",
    "cooperativa-sociale": "Cooperativa sociale",
    "associazione": "Associazione",
    "fondazione": "Fondazione",
    "ente-religioso": "Ente religioso",
    "altro": "Altro",
}
ENTE_NATURE = {"pubblico": "Pubblico", "privato-sociale": "Privato sociale", "privato": "Privato"}
#: every table of allowed values with its Italian labels (documented in the README, shown on
#: the pages through the message catalogues)
VALUE_LABELS = (
    SERVICE_STATES,
    INITIATIVE_STATES,
    ACCESS_MODES,
    COST_TYPES,
    ENTE_TYPES,
    ENTE_NATURE,
)

#: the territorio id that means "the whole district"
WHOLE_DISTRICT = "ambito"

SUMMARY_MAX = 200
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_PERIOD_RE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$", re.ASCII)
#: an address and nothing else: no ``?cc=`` or ``%0a`` that a ``mailto:`` link would obey
_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
#: http or https (the scheme may be left out: pages then link with https://), a host name,
#: an optional port and a path without spaces, quotes, angle brackets or backslashes
_URL_RE = re.compile(
    r"^(?:https?://)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}(?::[0-9]{1,5})?"
    r"(?:[/?#][^\s\"'<>\\`\x00-\x1f\x7f-\x9f]*)?$",
    re.IGNORECASE,
)
PHONE_RE = re.compile(r"^\+?[0-9](?:[0-9 ./-]{3,24})[0-9]$")
#: the word ``carta new`` puts in every text the editor must write: validation refuses it, so
#: that a skeleton can never be published as it is
PLACEHOLDER = "SEGNAPOSTO"
PLACEHOLDER_MESSAGE = (
    f"testo segnaposto da sostituire: scrivi il testo vero al posto di '{PLACEHOLDER}: …'"
)
#: the largest amount in euro: above it a number is a typo
MAX_AMOUNT = 1_000_000_000_000


def _literal(values: dict[str, str]) -> Any:
    return Literal[tuple(values)]


# --- field types ------------------------------------------------------------------------------


def _iso_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    return parse_day(value)


def _as_list(value: Any) -> Any:
    """Accept a single value where a list is expected (``aree: anziani``)."""
    if isinstance(value, str):
        return [value]
    return value


def _territory(value: Any) -> Any:
    if isinstance(value, str):
        return [value]
    return value


def _period_message(value: object) -> str:
    return f"periodo non valido {value!r}: scrivi un anno (2015), un mese (2015-03) o una data (2015-03-01)"


@dataclass(frozen=True)
class PartialDate:
    """A date as a period or a source gives it: a year (``2015``), a month (``2015-03``) or a
    day (``2015-03-01``). :meth:`parse` is the one reader of these strings."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        """Raises ``ValueError``, in Italian, for another shape or a day that does not exist."""
        if not isinstance(value, str) or not _PERIOD_RE.fullmatch(value):
            raise ValueError(_period_message(value))
        found = cls(*(int(part) for part in value.split("-")))
        try:
            found.first()
        except ValueError:
            raise ValueError(f"data inesistente {value!r}") from None
        return found

    def first(self) -> date:
        """The first day it covers: ``2017`` → 1 January 2017."""
        return date(self.year, self.month or 1, self.day or 1)

    def last(self) -> date:
        """The last day it covers: ``2017`` → 31 December 2017, ``2017-02`` → 28 February."""
        month = self.month or 12
        return date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])


def parse_day(value: object) -> date:
    """``2026-03-31`` → that day: the one reader of a whole date (``verificato_il``,
    ``--today``, ``CARTA_TODAY``). Raises ``ValueError``, in Italian, for another shape (a
    year or a month included) or a day that does not exist."""
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        raise ValueError(
            f"data non valida {value!r}: scrivila come AAAA-MM-GG, ad esempio 2026-03-31"
        )
    return PartialDate.parse(value).first()


def _period(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    PartialDate.parse(value)
    return value


def _year(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not re.match(r"^\d{4}(?:-\d{4})?$", value):
        raise ValueError(
            f"anno non valido {value!r}: scrivi un anno (2015) o un intervallo (2015-2017)"
        )
    return value


def _matching(value: str, pattern: re.Pattern[str], limit: int, message: str) -> str:
    if len(value) > limit or not pattern.match(value):
        raise ValueError(message)
    return value


def _email(value: str) -> str:
    return _matching(
        value,
        _EMAIL_RE,
        254,
        f"indirizzo email non valido {value!r}: scrivi solo l'indirizzo, come "
        "nome@dominio.it, senza spazi né altro testo",
    )


def _url(value: str) -> str:
    return _matching(
        value,
        _URL_RE,
        2000,
        f"indirizzo web non valido {value!r}: scrivi un indirizzo http:// o https://, senza spazi",
    )


def _base_url(value: str) -> str:
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError(f"indirizzo non valido {value!r}: deve iniziare con https:// o http://")
    return _url(value)


def _phone(value: str) -> str:
    if not PHONE_RE.match(value):
        raise ValueError(
            f"numero di telefono non valido {value!r}: scrivi solo il numero (cifre, spazi, "
            "punti o trattini, con '+' davanti al prefisso internazionale); le note vanno in "
            "contatti.note"
        )
    return value


def _no_control(value: str) -> str:
    found = CONTROL_RE.search(value)
    if found:
        raise ValueError(control_message(found.group()))
    return value


def _nonblank(value: str) -> str:
    if not value.strip():
        raise ValueError("il testo è vuoto")
    if PLACEHOLDER in value:
        raise ValueError(PLACEHOLDER_MESSAGE)
    return _no_control(value)


def _one_or_many(item: dict[str, Any], min_items: int = 0) -> WithJsonSchema:
    """Schema for a key that takes one value or a list of values."""
    many: dict[str, Any] = {"type": "array", "items": item}
    if min_items:
        many["minItems"] = min_items
    return WithJsonSchema({"anyOf": [item, many]})


_SLUG_SCHEMA = {"type": "string", "pattern": SLUG_PATTERN}
_TEXT_SCHEMA = {"type": "string", "minLength": 1}

IsoDate = Annotated[date, BeforeValidator(_iso_date), Field(json_schema_extra={"format": "date"})]
Text = Annotated[str, AfterValidator(_nonblank)]
Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
SlugList = Annotated[list[Slug], BeforeValidator(_as_list), _one_or_many(_SLUG_SCHEMA)]
RequiredSlugList = Annotated[
    list[Slug], BeforeValidator(_as_list), Field(min_length=1), _one_or_many(_SLUG_SCHEMA, 1)
]
TextList = Annotated[list[Text], BeforeValidator(_as_list), _one_or_many(_TEXT_SCHEMA)]
Territory = Annotated[
    list[Slug], BeforeValidator(_territory), Field(min_length=1), _one_or_many(_SLUG_SCHEMA, 1)
]
Summary = Annotated[Text, Field(max_length=SUMMARY_MAX)]
Email = Annotated[str, AfterValidator(_email)]
Url = Annotated[str, AfterValidator(_url)]
BaseUrl = Annotated[str, AfterValidator(_base_url), Field(pattern=r"^https?://")]
Phone = Annotated[str, AfterValidator(_phone)]
#: euro: finite, not negative, not absurd
Amount = Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
Period = Annotated[
    str,
    BeforeValidator(_period),
    WithJsonSchema({"type": ["string", "integer"], "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}),
]
Year = Annotated[
    str,
    BeforeValidator(_year),
    WithJsonSchema({"type": ["string", "integer"], "pattern": r"^\d{4}(-\d{4})?$"}),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


# --- parts ------------------------------------------------------------------------------------


SOURCE_KINDS = {"documento": "Documento", "norma": "Atto normativo"}


class Fonte(Strict):
    """One citation in an entry: a source of ``fonti.yaml`` and, optionally, its part."""

    fonte: Slug
    sezione: Text | None = None


class Documento(Strict):
    """One source of ``fonti.yaml``: a document the facts come from, or an act of law that
    changed them. Its ``data`` is when it was issued: the age of the information it gives."""

    titolo: Text
    breve: Text | None = None
    emittente: Text
    data: Period
    periodo: Year | None = None
    url: Url | None = None
    nota: Text | None = None
    tipo: _literal(SOURCE_KINDS) = "documento"  # type: ignore[valid-type]
    numero: Text | None = None

    @model_validator(mode="after")
    def _number_only_for_laws(self) -> Documento:
        if self.numero and self.tipo != "norma":
            raise ValueError("'numero' si usa solo per un atto normativo (tipo: norma)")
        return self


class Contatti(Strict):
    telefono: Annotated[list[Phone], BeforeValidator(_as_list)] = []
    email: Annotated[list[Email], BeforeValidator(_as_list)] = []
    pec: Email | None = None
    sito: Url | None = None
    note: Text | None = None

    def empty(self) -> bool:
        return not (self.telefono or self.email or self.pec or self.sito or self.note)


class Sede(Strict):
    nome: Text
    indirizzo: Text | None = None
    comune: Slug | None = None
    orari: Text | None = None


class Accesso(Strict):
    modalita: Annotated[
        list[_literal(ACCESS_MODES)],  # type: ignore[valid-type]
        BeforeValidator(_as_list),
        Field(min_length=1),
        _one_or_many({"type": "string", "enum": list(ACCESS_MODES)}, 1),
    ]
    dove: Text


class Costi(Strict):
    tipo: _literal(COST_TYPES)  # type: ignore[valid-type]
    isee: StrictBool = False
    descrizione: Text | None = None


class Periodo(Strict):
    dal: Period | None = None
    al: Period | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Periodo:
        if self.dal and self.al and self.al < self.dal:
            raise ValueError(f"'al' ({self.al}) viene prima di 'dal' ({self.dal})")
        return self


class Finanziamento(Strict):
    fonte: Text
    importo: Amount | None = None
    anno: Year | None = None
    nota: Text | None = None


# --- entries ----------------------------------------------------------------------------------


#: where the facts of an entry come from: at least one source
Sources = Annotated[list[Fonte], Field(min_length=1)]


class Servizio(Strict):
    """A service a person can use or ask for."""

    titolo: Text
    altri_nomi: TextList = []
    sommario: Summary
    stato: _literal(SERVICE_STATES)  # type: ignore[valid-type]
    motivo_stato: Text | None = None
    aree: RequiredSlugList
    destinatari: RequiredSlugList
    ente: Slug | None = None
    partner: SlugList = []
    territorio: Territory
    accesso: Accesso
    costi: Costi
    contatti: Contatti | None = None
    sedi: list[Sede] = []
    orari: Text | None = None
    documenti: TextList = []
    normativa: TextList = []
    iniziative: SlugList = []
    parole_chiave: TextList = []
    verificato_il: IsoDate | None = None
    verificato_da: Text | None = None
    fonti: Sources


class Ente(Strict):
    """An organisation: public body, third-sector body, court, …"""

    nome: Text
    sigla: Text | None = None
    altri_nomi: TextList = []
    tipo: _literal(ENTE_TYPES)  # type: ignore[valid-type]
    natura: _literal(ENTE_NATURE)  # type: ignore[valid-type]
    sommario: Summary
    parte_di: Slug | None = None
    territorio: Territory
    contatti: Contatti | None = None
    sedi: list[Sede] = []
    sito: Url | None = None
    parole_chiave: TextList = []
    verificato_il: IsoDate | None = None
    verificato_da: Text | None = None
    fonti: Sources


class Iniziativa(Strict):
    """A project, plan, protocol or programme."""

    titolo: Text
    altri_nomi: TextList = []
    sommario: Summary
    stato: _literal(INITIATIVE_STATES)  # type: ignore[valid-type]
    periodo: Periodo | None = None
    promotori: RequiredSlugList
    partner: SlugList = []
    aree: RequiredSlugList
    destinatari: RequiredSlugList
    territorio: Territory
    finanziamento: list[Finanziamento] = []
    servizi: SlugList = []
    parole_chiave: TextList = []
    verificato_il: IsoDate | None = None
    verificato_da: Text | None = None
    fonti: Sources


class Pagina(Strict):
    """A free page: how to use the Carta, rights and complaints, accessibility, credits."""

    titolo: Text
    sommario: Summary | None = None
    ordine: int = 100
    verificato_il: IsoDate | None = None
    verificato_da: Text | None = None
    fonti: list[Fonte] = []


# --- translations -----------------------------------------------------------------------------

#: how far a translation has been checked: by nobody yet, or by a cultural mediator
REVIEW_STATES = {"in-attesa": "In attesa di revisione", "rivista": "Rivista"}


class Traduzione(Strict):
    """``traduzione:`` in a translation file: which Italian text it follows and who checked it."""

    testo_italiano_del: IsoDate
    revisione: _literal(REVIEW_STATES)  # type: ignore[valid-type]
    rivista_da: Text | None = None
    rivista_il: IsoDate | None = None

    @model_validator(mode="after")
    def _review_only_when_reviewed(self) -> Traduzione:
        if self.revisione != "rivista":
            extra = [k for k in ("rivista_da", "rivista_il") if getattr(self, k) is not None]
            if extra:
                raise ValueError(
                    f"'{extra[0]}' si scrive solo quando la traduzione è stata rivista "
                    "(revisione: rivista)"
                )
        return self


class ServizioTradotto(Strict):
    """A translation of a servizio (``servizi/<slug>.<lingua>.md``): only the text."""

    titolo: Text
    sommario: Summary | None = None
    altri_nomi: TextList = []
    parole_chiave: TextList = []
    traduzione: Traduzione


class EnteTradotto(Strict):
    """A translation of an ente (``enti/<slug>.<lingua>.md``): only the text."""

    nome: Text
    sommario: Summary | None = None
    altri_nomi: TextList = []
    parole_chiave: TextList = []
    traduzione: Traduzione


class IniziativaTradotta(Strict):
    """A translation of an iniziativa (``iniziative/<slug>.<lingua>.md``): only the text."""

    titolo: Text
    sommario: Summary | None = None
    altri_nomi: TextList = []
    parole_chiave: TextList = []
    traduzione: Traduzione


class PaginaTradotta(Strict):
    """A translation of a pagina (``pagine/<slug>.<lingua>.md``): only the text."""

    titolo: Text
    sommario: Summary | None = None
    traduzione: Traduzione


# --- data files -------------------------------------------------------------------------------


#: licences the open data may carry: id (SPDX) → (name, address, ADMS licence type)
LICENCES = {
    "CC-BY-4.0": (
        "Creative Commons Attribuzione 4.0 Internazionale (CC BY 4.0)",
        "https://creativecommons.org/licenses/by/4.0/",
        "http://purl.org/adms/licencetype/Attribution",
    ),
    "CC0-1.0": (
        "Creative Commons CC0 1.0 Universale (dominio pubblico)",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        "http://purl.org/adms/licencetype/PublicDomain",
    ),
}


class DatiAperti(Strict):
    """``carta.yaml`` → ``dati_aperti``: who publishes the open data, for the national
    catalogue (DCAT-AP_IT, ``/dati/catalogo.jsonld``)."""

    titolare: Text | None = None
    codice_ipa: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{2,20}$")] | None = None
    contatto: Text | None = None
    email_contatto: Email | None = None
    licenza: _literal(LICENCES) = "CC-BY-4.0"  # type: ignore[valid-type]


class CartaConfig(Strict):
    """``carta.yaml``: settings of one site."""

    titolo: Text
    ambito: Text
    capofila: Slug
    ufficio_di_piano: Slug | None = None
    descrizione: Text | None = None
    url_base: BaseUrl | None = None
    lingua: Annotated[str, Field(pattern=r"^[a-z]{2}$")] = "it"
    #: the languages the Carta is also published in, besides Italian (see carta.i18n)
    lingue: list[Literal["en", "fr", "ar"]] = []
    mesi_verifica: Annotated[int, Field(ge=1, le=120)] = 12
    segnalazioni: Email | None = None
    #: slugs of the entries a search with few results points to (where to ask)
    dove_chiedere: SlugList = []
    uuid_namespace: UUID | None = None
    dati_aperti: DatiAperti = DatiAperti()


class Voce(Strict):
    """One term of ``aree.yaml`` or ``destinatari.yaml``."""

    nome: Text
    descrizione: Text | None = None


class Ambito(Strict):
    nome: Text


class SubAmbito(Strict):
    nome: Text
    comuni: RequiredSlugList


class Comune(Strict):
    nome: Text


class Territorio(Strict):
    """``territorio.yaml``: the ambito, its sub-ambiti and its comuni."""

    ambito: Ambito
    sub_ambiti: dict[Slug, SubAmbito] = {}
    comuni: Annotated[dict[Slug, Comune], Field(min_length=1)]


Vocabolario = dict[Slug, Voce]
#: ``fonti.yaml``: source id → source
Fonti = dict[Slug, Documento]
Sinonimi = dict[Text, Annotated[list[Text], BeforeValidator(_as_list), Field(min_length=1)]]
