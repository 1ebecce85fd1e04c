"""The words of the web pages, as message ids of the catalogue (Chinese first, English available).

:func:`page_texts` is called per request with that request's ``gettext``, so
two people may read the pages in two languages at once. The calls are written
``_("...")`` so that the catalogue's extractor finds every message id here.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["page_texts"]


def page_texts(_: Callable[[str], str]) -> dict[str, str]:  # noqa: C901 (a list of words)
    """Every word of the pages and of their scripts, in the language of *_*."""
    return {
        "app": _("zzgeo office tools"),
        "nav_land": _("Land price"),
        "nav_registers": _("Registers"),
        "nav_report": _("Report"),
        "nav_api": _("API"),
        "lang_other": _("English"),
        "demo": _("DEMO data: synthetic, not an official source; figures are illustrative only"),
        # land price
        "land_title": _("Benchmark land price at a point"),
        "land_help": _("Click the map or type coordinates, then look up the grade and the benchmark price; "
                       "value the parcel below with the options of zzgeo land-price value."),
        "lon": _("Longitude / easting"),
        "lat": _("Latitude / northing"),
        "crs": _("Coordinate reference system"),
        "lookup": _("Look up"),
        "district": _("District"),
        "document": _("Document"),
        "base_date": _("Base date"),
        "table": _("Table"),
        "use": _("Use"),
        "grade": _("Grade"),
        "right": _("Right"),
        "price_m2": _("Benchmark price (元/m²)"),
        "price_mu": _("Benchmark price (元/亩)"),
        "no_grade": _("no such grade"),
        "table_collective_construction": _("Collective construction land"),
        "table_collective_agricultural": _("Collective agricultural land"),
        "table_state_agricultural": _("State-owned agricultural land"),
        "value_title": _("Value this parcel"),
        "area_m2": _("Area (m²)"),
        "plot_ratio": _("Plot ratio"),
        "term_years": _("Term (years)"),
        "date": _("Valuation date"),
        "reduction_rate": _("Capitalisation rate"),
        "price_index": _("Price index (DATE=INDEX, ...)"),
        "monthly_growth": _("Monthly growth rate"),
        "factors": _("Individual factors (NAME=VALUE, one a line)"),
        "development_adj": _("Development adjustment (元/m²)"),
        "steps": _("Step order"),
        "value": _("Value"),
        "unit_price": _("Corrected price (元/m²)"),
        "total_value": _("Value (元)"),
        "coefficient": _("Coefficient"),
        "figure": _("Figure"),
        "working": _("Working…"),
        "error": _("Error"),
        "default": _("default"),
        # registers
        "reg_title": _("Check and analyse a register"),
        "reg_help": _("Upload a shelter, facility or parcel register (Excel, CSV or GeoPackage): it is checked like "
                      "the command line does, rows left out are listed by line, then analysed. "
                      "The file is processed in a private folder and deleted when the result expires."),
        "kind": _("Register"),
        "kind_shelters": _("Emergency shelters (coverage)"),
        "kind_facilities": _("Children's facilities (attainment)"),
        "kind_parcels": _("Parcels (valuation)"),
        "file": _("File"),
        "year": _("Target year"),
        "upload": _("Upload and check"),
        "cell_m": _("Population grid spacing (m)"),
        "rejected": _("Rows left out"),
        "no_rejected": _("Every row was read."),
        "row": _("Row"),
        "id": _("Id"),
        "name": _("Name"),
        "reason": _("Reason"),
        "notes": _("Notes"),
        "result": _("Result"),
        "downloads": _("Downloads"),
        "dl_gpkg": _("GeoPackage"),
        "dl_xlsx": _("Excel"),
        "dl_html": _("Offline map (HTML)"),
        "map_needs_all": _("The offline map needs a register without rows left out: fix them and upload it again."),
        "rows_read": _("rows read"),
        "city": _("City-wide"),
        "effective_area": _("Effective area (m²)"),
        "per_capita": _("Per capita (m²/person)"),
        "gap": _("Gap (m²)"),
        "coverage": _("Population covered"),
        "target": _("Target"),
        "actual": _("Actual"),
        "status": _("Status"),
        "valued": _("valued"),
        # report
        "rep_title": _("The report"),
        "rep_help": _("Run zzgeo report on the default data (or your report config with its files), follow its "
                      "progress, then open the maps and download the bundle's files."),
        "config": _("Report config (TOML, optional)"),
        "data_files": _("Files the config names (optional)"),
        "png": _("Also draw PNG maps (slower)"),
        "run_report": _("Run the report"),
        "progress": _("Progress"),
        "files": _("Files of the bundle"),
        "maps": _("Maps"),
        "queued": _("waiting for its turn"),
        "running": _("running"),
        "done": _("done"),
        "failed": _("failed"),
        # access
        "token_title": _("Access token"),
        "token_help": _("This server asks for an access token. Ask whoever runs it."),
        "token_send": _("Enter"),
    }
