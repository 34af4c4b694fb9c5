"""The one owner of ``url_base``: every link the build and the server write goes through
:class:`Urls`.

A site address inside the Carta is a path from its root, such as ``/servizi/centro-diurno/``.
With ``url_base: https://esempio.it/carta/`` the Carta lives under ``/carta/``:

- :meth:`Urls.path` gives the link a page writes (``/carta/servizi/centro-diurno/``);
- :meth:`Urls.absolute` gives the full address that the sitemap, the feed, JSON-LD and the open
  data need (``https://esempio.it/carta/servizi/centro-diurno/``).

Without a base URL the prefix is empty and there is no absolute address: :attr:`Urls.has_base`
says so, and what needs one (the sitemap) is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Urls:
    #: the absolute base without its final slash (``https://esempio.it/carta``), or ""
    base: str = ""

    @classmethod
    def of(cls, url_base: str | None) -> Urls:
        return cls((url_base or "").rstrip("/"))

    @property
    def has_base(self) -> bool:
        return bool(self.base)

    @property
    def prefix(self) -> str:
        """The path the Carta lives under, without its final slash: ``/carta`` or ""."""
        return urlsplit(self.base).path.rstrip("/")

    def path(self, site_path: str) -> str:
        """The link to ``site_path`` (``/servizi/x/``) as a page writes it: ``/carta/servizi/x/``."""
        return self.prefix + site_path

    def absolute(self, site_path: str) -> str:
        """The full address of ``site_path``; without a base URL, the link as in :meth:`path`."""
        return self.base + site_path if self.base else self.path(site_path)

    def absolute_or_none(self, site_path: str) -> str | None:
        """The full address of ``site_path``, or ``None`` without a base URL."""
        return self.base + site_path if self.base else None
