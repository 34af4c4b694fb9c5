"""carta: static site generator for the Carta d'Ambito of an Italian social-health district."""

__version__ = "0.1.0"
