import datetime as dt

import pytest

from hotich.scans.naming import parse_case_filename, volume_matches


def test_a_conventional_name_gives_type_year_volume_date_and_number():
    case = parse_case_filename("KS.2017.01.2017-02-03.05.pdf")
    assert case is not None
    assert (case.register_type, case.year, case.volume, case.date, case.number) == (
        "KS",
        2017,
        "01",
        dt.date(2017, 2, 3),
        "05",
    )
    assert case.filename() == "KS.2017.01.2017-02-03.05.pdf"


@pytest.mark.parametrize(
    "name",
    [
        "ks.2017.01.2017-02-03.05.PDF",
        "scans/KS/2017.01/KS.2017.01.2017-02-03.05.pdf",
        "CMC.2008.02.2008-12-31.117.jpg",
    ],
)
def test_names_are_read_in_any_case_with_folders_and_image_extensions(name):
    assert parse_case_filename(name) is not None


@pytest.mark.parametrize(
    "name",
    [
        "KS.2017.01.2017-02-30.05.pdf",
        "KS.2017.01.05.pdf",
        "scan 001.pdf",
        "KS.2017.01.2017-02-03.05.docx",
    ],
)
def test_other_names_and_impossible_dates_are_not_taken_for_the_convention(name):
    assert parse_case_filename(name) is None


def test_volume_written_with_its_year_matches_the_short_volume_of_file_names():
    assert volume_matches("01/2017", "01") and volume_matches("1", "01")
    assert not volume_matches("02/2017", "01")
