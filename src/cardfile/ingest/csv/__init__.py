"""CSV import (people granularity) and CSV bulk update of company attributes."""

from cardfile.ingest.csv.company_update import update_companies
from cardfile.ingest.csv.people_import import import_people
from cardfile.ingest.csv.reader import CsvFileError
from cardfile.ingest.csv.report import CsvReport, Refusal

__all__ = ["CsvFileError", "CsvReport", "Refusal", "import_people", "update_companies"]
