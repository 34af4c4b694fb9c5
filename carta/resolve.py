"""Stage 3: back-references. An ente knows its services and initiatives; a comune knows what
is available there (district-wide entries included); a service knows its initiatives.

Pure function of the validated site; every list is sorted so that output is deterministic.
"""

from __future__ import annotations

import heapq
from collections import defaultdict

from .model import WHOLE_DISTRICT
from .site import Entry, Site

RELATED_LIMIT = 5
RELATED_POOL = 60


def resolve(site: Site) -> Site:
    for sub_id, sub in site.territorio.sub_ambiti.items():
        for comune in sub.comuni:
            site.sub_ambito_of[comune] = sub_id

    servizi, enti, iniziative = site.servizi, site.enti, site.iniziative
    provided: dict[str, list[Entry]] = defaultdict(list)
    partnered: dict[str, list[Entry]] = defaultdict(list)
    promoted: dict[str, list[Entry]] = defaultdict(list)
    children: dict[str, list[Entry]] = defaultdict(list)
    service_initiatives: dict[str, set[str]] = defaultdict(set)
    initiative_services: dict[str, set[str]] = defaultdict(set)

    for s in servizi.values():
        if s.meta.ente:
            provided[s.meta.ente].append(s)
        for p in s.meta.partner:
            partnered[p].append(s)
        for i in s.meta.iniziative:
            service_initiatives[s.slug].add(i)
            initiative_services[i].add(s.slug)
    for i in iniziative.values():
        for p in [*i.meta.promotori, *i.meta.partner]:
            if i not in promoted[p]:
                promoted[p].append(i)
        for s in i.meta.servizi:
            service_initiatives[s].add(i.slug)
            initiative_services[i.slug].add(s)
    for e in enti.values():
        if e.meta.parte_di:
            children[e.meta.parte_di].append(e)

    services_by_area: dict[str, list[Entry]] = defaultdict(list)
    for s in sorted(servizi.values(), key=Entry.sort_key):
        for a in s.meta.aree:
            services_by_area[a].append(s)
    related = _related_services(servizi, services_by_area, provided)
    for s in servizi.values():
        s.links = {
            "ente": [enti[s.meta.ente]] if s.meta.ente else [],
            "partner": [enti[p] for p in s.meta.partner],
            "iniziative": _sorted(iniziative[i] for i in service_initiatives[s.slug]),
            "correlati": [servizi[slug] for slug in related[s.slug]],
        }
    for e in enti.values():
        e.links = {
            "servizi": _sorted(provided[e.slug]),
            "servizi_partner": _sorted(partnered[e.slug]),
            "iniziative": _sorted(promoted[e.slug]),
            "parte_di": [enti[e.meta.parte_di]] if e.meta.parte_di else [],
            "articolazioni": _sorted(children[e.slug]),
        }
    for i in iniziative.values():
        i.links = {
            "promotori": [enti[p] for p in i.meta.promotori],
            "partner": [enti[p] for p in i.meta.partner],
            "servizi": _sorted(servizi[s] for s in initiative_services[i.slug]),
        }
    for p in site.pagine.values():
        p.links = {}

    listed = [*servizi.values(), *iniziative.values()]
    site.by_area = {a: _sorted(e for e in listed if a in e.meta.aree) for a in site.aree}
    site.by_destinatari = {
        d: _sorted(e for e in listed if d in e.meta.destinatari) for d in site.destinatari
    }
    site.by_comune = {
        c: _sorted(e for e in listed if available_in(site, e, c)) for c in site.territorio.comuni
    }
    return site


def available_in(site: Site, entry: Entry, comune: str) -> bool:
    """Is ``entry`` available to residents of ``comune``? District-wide entries always are."""
    places = entry.meta.territorio
    return (
        WHOLE_DISTRICT in places or comune in places or site.sub_ambito_of.get(comune, "") in places
    )


def _sorted(entries: object) -> list[Entry]:
    return sorted(set(entries), key=Entry.sort_key)  # type: ignore[call-overload]


#: the related services of the last site resolved, with what they were computed from (each
#: service's slug, title, areas, destinatari and ente): carta serve resolves the site again
#: after every save, and a body edit changes none of these
_LAST_RELATED: tuple[tuple[object, ...], dict[str, list[str]]] | None = None


def _related_services(
    servizi: dict[str, Entry],
    by_area: dict[str, list[Entry]],
    by_ente: dict[str, list[Entry]],
) -> dict[str, list[str]]:
    """Each service's slug → the slugs of its related services (:func:`_related`)."""
    global _LAST_RELATED
    facts_of = tuple(
        (s.slug, s.title, tuple(s.meta.aree), tuple(s.meta.destinatari), s.meta.ente)
        for s in servizi.values()
    )
    if _LAST_RELATED is not None and _LAST_RELATED[0] == facts_of:
        return _LAST_RELATED[1]
    facts = {
        id(s): (set(s.meta.aree), set(s.meta.destinatari), s.sort_key()) for s in servizi.values()
    }
    related = {
        s.slug: [o.slug for o in _related(s, by_area, by_ente, facts)] for s in servizi.values()
    }
    _LAST_RELATED = (facts_of, related)
    return related


def _related(
    service: Entry,
    by_area: dict[str, list[Entry]],
    by_ente: dict[str, list[Entry]],
    facts: dict[int, tuple[set[str], set[str], tuple[str, str]]],
) -> list[Entry]:
    """Other services most like this one: same areas and people, same ente. ``facts`` holds
    each service's areas, destinatari and sort key, computed once for all."""
    # bounded: in a very large Carta only the first services of each area are compared
    candidates = {id(o): o for a in service.meta.aree for o in by_area[a][:RELATED_POOL]}
    ente = service.meta.ente
    if ente:
        candidates.update({id(o): o for o in by_ente[ente][:RELATED_POOL]})
    aree, destinatari, _ = facts[id(service)]
    scored = []
    for key, other in candidates.items():
        if other is service:
            continue
        other_aree, other_destinatari, sort_key = facts[key]
        score = 2 * len(aree & other_aree) + len(destinatari & other_destinatari)
        score += 1 if ente and other.meta.ente == ente else 0
        if score >= 2:
            scored.append((-score, sort_key, other))
    best = heapq.nsmallest(RELATED_LIMIT, scored, key=lambda t: (t[0], t[1]))
    return [entry for *_, entry in best]
