"""The 观摩手册: a print-ready A4 PDF of the brands (``showcase booklet``), made with WeasyPrint.

Independent of MkDocs: it reads the same validated branches, catalog, photo cache and QR codes
as the site build.
"""

from .build import DEFAULT_OUTPUT, BookletError, BookletResult, booklet_date, make_booklet

__all__ = ["DEFAULT_OUTPUT", "BookletError", "BookletResult", "booklet_date", "make_booklet"]
