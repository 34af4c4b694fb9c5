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
    """Each service's slug → the slugs of the other services most like it: same areas and
    people, same ente (two points a shared area, one a shared destinatario, one the same
    ente; at least two points, the best :data:`RELATED_LIMIT`, ties by title). Bounded: in a
    very large Carta only the first services of each area and of each ente are compared.
    Areas and destinatari are bits of an int, so that a comparison is two popcounts."""
    global _LAST_RELATED
    services = list(servizi.values())
    facts_of = tuple(
        (s.slug, s.title, tuple(s.meta.aree), tuple(s.meta.destinatari), s.meta.ente)
        for s in services
    )
    if _LAST_RELATED is not None and _LAST_RELATED[0] == facts_of:
        return _LAST_RELATED[1]
    number = {id(s): n for n, s in enumerate(services)}
    area_bits: dict[str, int] = {}
    people_bits: dict[str, int] = {}

    def mask(names: list[str], bits: dict[str, int]) -> int:
        value = 0
        for name in names:
            value |= 1 << bits.setdefault(name, len(bits))
        return value

    areas = [mask(s.meta.aree, area_bits) for s in services]
    people = [mask(s.meta.destinatari, people_bits) for s in services]
    entes = [s.meta.ente for s in services]
    keys = [s.sort_key() for s in services]
    pool_of_area = {
        a: [number[id(o)] for o in found[:RELATED_POOL]] for a, found in by_area.items()
    }
    pool_of_ente = {
        e: [number[id(o)] for o in found[:RELATED_POOL]] for e, found in by_ente.items()
    }
    related: dict[str, list[str]] = {}
    for n, service in enumerate(services):
        candidates: set[int] = set()
        for a in service.meta.aree:
            candidates.update(pool_of_area.get(a, ()))
        ente = entes[n]
        if ente:
            candidates.update(pool_of_ente.get(ente, ()))
        candidates.discard(n)
        own_areas, own_people = areas[n], people[n]
        scored = []
        for o in candidates:
            score = 2 * (own_areas & areas[o]).bit_count() + (own_people & people[o]).bit_count()
            if ente and entes[o] == ente:
                score += 1
            if score >= 2:
                scored.append((-score, keys[o], o))
        related[service.slug] = [
            services[o].slug for *_, o in heapq.nsmallest(RELATED_LIMIT, scored)
        ]
    _LAST_RELATED = (facts_of, related)
    return related
