import datetime as dt
import unicodedata

import pytest

from carthandout.errors import InputError
from carthandout.formatting import check_date_format
from carthandout.models import fields_saying_no_value, parse_patient


def patient(**fields):
    return parse_patient({"name": "Ana Silva", "infusion_date": "2027-03-05", **fields})


def error_line(**fields) -> str:
    with pytest.raises(InputError) as caught:
        patient(**fields)
    return caught.value.line(show_values=True)


def test_valid_patient_is_normalised():
    p = patient(name="  Ana   Silva ", caregiver="Luis", weight_kg="72.5")
    assert p.name == "Ana Silva"
    assert p.infusion_date == dt.date(2027, 3, 5)
    assert p.weight_kg == 72.5


STANDS_FOR_NOTHING = ["N/A", "n/a", "none", "None", "NULL", "-", "--", "\u2014", "?", "TBD", "unknown",
                      "Not  applicable", " NA ", "n.a.", "N/D", "ninguno",
                      # as printed: invisible characters dropped ("N/A" + a zero-width space printed N/A)
                      "N/A\u200b", "\ufeffN/A", "\u00adTBD", "n.a", "N / A", "None.", "N.A.", "...",
                      # what pandas writes for a missing value, in its own case
                      "nan", "NaN", "NaT", "<NA>"]


@pytest.mark.parametrize("field", ["caregiver", "mrn", "center", "physician", "caregiver_phone", "date_of_birth",
                                   "weight_kg", "language", "large_print"])
@pytest.mark.parametrize("stand_in", STANDS_FOR_NOTHING)
def test_a_word_for_no_value_reads_as_empty(field, stand_in):
    """An export's "N/A" printed "Your caregiver is N/A", "Doctor: N/A", "MRN N/A" (the folder's
    name too), a center of "N/A" took the clinic's name off every page's header, and a weight or
    a phone of "none" failed its row as not a number."""
    assert fields_saying_no_value({"name": "Ana Silva", field: stand_in}) == [field]
    assert patient(**{field: stand_in}) == patient()


@pytest.mark.parametrize("field", ["name", "infusion_date", "caregiver", "mrn", "weight_kg", "caregiver_phone"])
@pytest.mark.parametrize("shown, error", [("#REF!", "#REF!"), ("#N/A", "#N/A"), (" #div/0! ", "#DIV/0!"),
                                          ("#NAME?", "#NAME?"), ("Err:502", "Err:502"),
                                          ("#N/A\u200b", "#N/A"), ("\ufeff#REF!", "#REF!")])  # as printed
def test_a_spreadsheet_error_fails_its_field_on_every_path(field, shown, error):
    """A CSV's #REF! printed as a caregiver's name, or (read as empty) dropped the dose line, where
    an xlsx roster's error cell fails its row."""
    assert error_line(**{field: shown}) == f"{field}: the cell shows the spreadsheet error {error}"


@pytest.mark.parametrize("stand_in", [value for value in STANDS_FOR_NOTHING if any(ch.isalpha() for ch in value)])
def test_a_word_for_no_value_is_no_name(stand_in):
    assert error_line(name=stand_in) == "name: the value stands for no name (N/A, none, -): a name is needed on every page"


@pytest.mark.parametrize("name", ["Na", "Nan", "Nat", "NAN", "Nan Jones", "Nil", "Noe", "Nona", "Tba Tbd",
                                  "None Smith", "Ana N/A"])
def test_names_like_a_word_for_no_value_are_kept(name):
    """Nan (a grandmother), Na (a Korean surname), Nil (a Turkish name) are people."""
    assert patient(caregiver=name).caregiver == name


@pytest.mark.parametrize("field", ["mrn", "caregiver_phone"])
@pytest.mark.parametrize("written", ["1.23457E+11", "2.18E+09", "1,23457E+11", "1.2e+10", "12345.0", "2175550123.0",
                                     "4417.00"])
def test_a_number_as_a_spreadsheet_or_a_program_writes_it_fails_its_field(field, written):
    """Excel's General format shows a 12-digit MRN as 1.23457E+11 in a CSV, and pandas writes
    12345.0: both were printed on the papers and named the folder, their digits lost."""
    line = error_line(**{field: written})
    assert line.startswith(f"{field}: {written} ")
    assert "in scientific notation" in line if "E" in written.upper() else "ends in .0" in line


@pytest.mark.parametrize("mrn", ["1E45", "2E+", "4E-1234", "RCC-1.0", "12345.01", "217.555.0100", "0.0.1"])
def test_record_numbers_like_a_program_s_numbers_are_kept(mrn):
    assert patient(mrn=mrn).mrn == mrn


@pytest.mark.parametrize("raw, large_print", [("sí", True), ("Si", True), ("SÍ", True), ("Si\u0301", True),
                                               ("yes", True), ("x", True),
                                               ("no", False), ("No", False), ("", False)])
def test_large_print_takes_spanish_yes(raw, large_print):
    """A Spanish export's "Sí" failed its row: "must be yes or no"."""
    assert patient(large_print=raw).large_print is large_print


@pytest.mark.parametrize("raw, kilograms", [("72,5", 72.5), ("80,25", 80.25), (" 64 ", 64.0), (71, 71.0), (72.5, 72.5),
                                           ("72.125", 72.125)])
def test_weight_takes_a_decimal_comma(raw, kilograms):
    assert patient(weight_kg=raw).weight_kg == kilograms


@pytest.mark.parametrize("raw, kilograms", [("80 kg", 80), ("80kg", 80), ("72,5 kg", 72.5), ("72.5 KG", 72.5),
                                            ("70 kilograms", 70), ("70 kilos", 70), ("70.5 (kg)", 70.5), ("70 kgs", 70)])
def test_weight_may_carry_its_unit(raw, kilograms):
    """"80 kg" in a roster's weight column was refused as not a number."""
    assert patient(weight_kg=raw).weight_kg == kilograms


@pytest.mark.parametrize("raw", ["70 lb", "165 lbs", "kg", "80 kg kg"])
def test_a_weight_in_another_unit_is_refused(raw):
    with pytest.raises(InputError, match="weight_kg"):
        patient(weight_kg=raw)


@pytest.mark.parametrize("raw", ["es", "ES", "es-MX", "es_US", "es-419", "es-Latn-MX"])
def test_a_language_tag_with_a_region_keeps_its_language(raw):
    assert patient(language=raw).language == "es"


def test_yaml_date_object_is_accepted():
    assert patient(infusion_date=dt.date(2027, 3, 5)).infusion_date == dt.date(2027, 3, 5)


@pytest.mark.parametrize("fields, expected", [
    ({"infusion_date": "2027-02-30"}, "infusion_date: 2027-02-30 is not a real date"),
    ({"infusion_date": "03/05/2027"}, "infusion_date: 03/05/2027 is not a date in the form YYYY-MM-DD (day and month"),
    ({"infusion_date": "5.3.27"}, "infusion_date: 5.3.27 is not a date in the form YYYY-MM-DD (a two-digit year, and day and month"),
    ({"infusion_date": "March 5"}, "infusion_date: March 5 is not a date in the form YYYY-MM-DD"),
    # a date cell shown as its serial number, and Excel's d-mmm-yy: the message said only "not a date"
    ({"infusion_date": "46451"}, "infusion_date: 46451 is not a date in the form YYYY-MM-DD (a number, as a "
                                 "spreadsheet stores a date: format the column as a date)"),
    ({"infusion_date": "5-Mar-27"}, "infusion_date: 5-Mar-27 is not a date in the form YYYY-MM-DD (a two-digit year"),
    ({"infusion_date": ""}, "infusion_date: is required"),
    ({"name": ""}, "name: is required"),
    ({"name": False}, "name: must be text, got true/false"),  # YAML 1.1: `no` -> False
    ({"mrn": 83}, "mrn: must be text, got a number"),  # YAML 1.1: 0123 -> 83
    ({"weight_kg": "heavy"}, "weight_kg: heavy is not a number"),
    ({"date_of_birth": "1960-13-01"}, "date_of_birth: 1960-13-01 is not a real date"),
    ({"favourite_color": "blue"}, "field: favourite_color is not a patient field"),  # shown: the test shows values
    ({"caregiver_fone": "1"}, "caregiver_fone: unknown patient field (did you mean caregiver_phone?)"),
    ({"caregiver_phone": 2175550123}, "caregiver_phone: must be quoted text"),
    ({"weight_kg": "1,000"}, "weight_kg: 1,000 is not a number"),  # a thousands comma, not a decimal one
    # a CSV of a column formatted #,##0: "4,421" printed as the MRN, its folder named 4-421
    ({"mrn": "4,421"}, "mrn: 4,421 has thousands separators, as a spreadsheet shows a number"),
    ({"weight_kg": "7_2"}, "weight_kg: 7_2 is not a number"),  # float() reads 72
    ({"weight_kg": "1e2"}, "weight_kg: 1e2 is not a number"),  # float() reads 100
    ({"weight_kg": "\u0667\u0662"}, "weight_kg: \u0667\u0662 is not a number"),  # Arabic-Indic 72
    ({"language": "Spanglish"}, "language: Spanglish is not a language code such as en, es or es-MX, or a language's name"),
    ({"language": "es-"}, "language: es- is not a language code"),
    ({"name": "Ann \ufffc"}, "name: contains U+FFFC (OBJECT REPLACEMENT CHARACTER)"),  # printed a dotted box
    # a UTF-8 export opened in Excel as Windows-1252 and saved again: "José Núñez" printed as "JosÃ© NÃºÃ±ez"
    ({"name": "JosÃ© NÃºÃ±ez"}, "name: reads as UTF-8 text opened in the wrong encoding (é turned into Ã©)"),
    ({"caregiver": "Ana MÃ¼ller"}, "caregiver: reads as UTF-8 text opened in the wrong encoding"),
    # "í" and "à" misread leave a soft hyphen and a no-break space, which tidying took out first;
    # "Í" leaves one of the bytes Windows-1252 does not define (it said "a control character")
    ({"name": "Rosa MarÃ\u00ada Delgado"}, "name: reads as UTF-8 text opened in the wrong encoding"),
    ({"name": "NicolÃ\u00a0 SolÃ\u00a0"}, "name: reads as UTF-8 text opened in the wrong encoding"),
    ({"name": "MARÃ\u008dA"}, "name: reads as UTF-8 text opened in the wrong encoding"),
    ({"name": "Ð\u0090Ð½Ð½Ð°"}, "name: reads as UTF-8 text opened in the wrong encoding"),  # Анна misread
    # Vietnamese, Romanian, an ʻokina and a curly apostrophe misread; a zero-width space pasted after
    ({"name": "TrÆ°Æ¡ng Thá»‹ HÆ°Æ¡ng"}, "name: reads as UTF-8 text opened in the wrong encoding"),
    ({"name": "È˜tefan"}, "name: reads as UTF-8 text opened in the wrong encoding"),
    ({"name": "KaÊ»iulani"}, "name: reads as UTF-8 text opened in the wrong encoding"),
    ({"name": "Oâ€™Brien"}, "name: reads as UTF-8 text opened in the wrong encoding"),
    ({"name": "JosÃ©\u200b"}, "name: reads as UTF-8 text opened in the wrong encoding"),
    # an accented letter's misread lead before a mark, where the word goes on as no real name's would
    ({"name": "Å\u00a0koda"}, "name: reads as UTF-8 text opened in the wrong encoding"),  # Škoda
    ({"name": "EglÄ—"}, "name: reads as UTF-8 text opened in the wrong encoding"),  # Eglė
    ({"name": "MÂª Luisa Ruiz"}, "name: reads as UTF-8 text opened in the wrong encoding"),  # Mª
    ({"name": "MarcelÂ·la Puig"}, "name: reads as UTF-8 text opened in the wrong encoding"),  # Marcel·la
    ({"weight_kg": "-72"}, "weight_kg: -72 is outside 1 to 400 kg"),
    # "not a number of kilograms" left the staff to guess that the unit was the problem
    ({"weight_kg": "160 lb"}, "weight_kg: 160 lb is in pounds: give the weight in kilograms"),
    ({"weight_kg": "160lbs"}, "weight_kg: 160lbs is in pounds: give the weight in kilograms"),
    ({"weight_kg": "158.5 Pounds"}, "weight_kg: 158.5 Pounds is in pounds: give the weight in kilograms"),
    ({"weight_kg": "72 libras"}, "weight_kg: 72 libras is in pounds: give the weight in kilograms"),
    ({"weight_kg": "160 #"}, "weight_kg: 160 # is in pounds: give the weight in kilograms"),
    ({"weight_kg": "#160"}, "weight_kg: #160 is not a number of kilograms"),
    ({"name": "-"}, "name: - has no letters"),
    ({"name": "\u0301\u0301"}, "name: has an accent U+0301 with no letter before it"),  # nothing under them
    ({"name": "Ana \u0301Bob"}, "name: has an accent U+0301 with no letter before it"),  # it sat on the space
    # they ran up into the line above on the wallet card
    ({"name": "A\u0301\u0301\u0301\u0301na"}, "name: has accents stacked on one letter that cannot be printed together (U+0301)"),
    # two left over once NFC composed é: drawn, they raised the rest of the line by 5 pt
    ({"name": "Jos\u00e9\u0302\u0303"}, "name: has accents stacked on one letter that cannot be printed together (U+0303)"),
])
def test_bad_fields_name_the_field(fields, expected):
    assert error_line(**fields).startswith(expected)


@pytest.mark.parametrize("name", ["Jurga\u0328\u0301 Kazlauskienė", "Nguye\u0302\u0303n", "Yor\u1eb9\u0301", "מִשְׁנָה", "مُحَمَّد"])
def test_letters_with_their_accents_and_vowel_marks_are_kept(name):
    assert patient(name=name).name == unicodedata.normalize("NFC", name)


def test_a_language_cell_holding_other_data_is_not_echoed():
    with pytest.raises(InputError) as caught:
        patient(language="Luis Delgado 555-0123")
    assert caught.value.line() == "language: the value is not a language code such as en, es or es-MX, or a language's name"


@pytest.mark.parametrize("written, code", [("Spanish", "es"), ("Español", "es"), ("espanol", "es"), ("English", "en"),
                                           ("inglés", "en"), (" SPANISH ", "es"), ("es-MX", "es"),
                                           # ISO 639-2, and a region in brackets, as records also write them
                                           ("spa", "es"), ("ENG", "en"), ("Spanish (Mexico)", "es"),
                                           ("Español (México)", "es"), ("English (US)", "en")])
def test_a_language_may_be_named_as_records_export_it(written, code):
    """A roster exported from a health record said "Spanish": every such row was refused."""
    assert patient(language=written).language == code


@pytest.mark.parametrize("written", ["English (needs Spanish interpreter)", "Spanish (English ok)"])
def test_a_language_with_another_named_in_brackets_is_refused(written):
    """The brackets were dropped as a region: "English (needs Spanish interpreter)" printed English."""
    assert error_line(language=written).startswith(f"language: {written} is not a language code")


def test_values_hidden_unless_asked():
    with pytest.raises(InputError) as caught:
        patient(infusion_date="2027-02-30")
    assert "2027-02-30" not in caught.value.line()
    assert caught.value.line().startswith("infusion_date:")


@pytest.mark.parametrize("pattern", ["long", "iso", "d MMM y", "dd.MM.yyyy", "EEEE d 'de' MMMM y", "d LLLL y",
                                     "yyyyMMdd", "dMMMy", "d'de'M'de'y"])
def test_a_date_format_with_day_month_and_year_is_accepted(pattern):
    assert check_date_format(pattern) == pattern


@pytest.mark.parametrize("pattern", ["yyyy", "MMMM y", "d MMM", "EEEE", "d MMM y 'at' HH:mm", "weird", ""])
def test_a_date_format_that_does_not_show_a_whole_date_is_refused(pattern):
    with pytest.raises(InputError) as caught:
        check_date_format(pattern)
    assert caught.value.line().startswith(f"clinic.date_format: {pattern} is not short, medium, long, full, iso")


@pytest.mark.parametrize("pattern, problem", [
    # babel up to 2.18 refuses it (an internal error, exit 70); 2.19 prints the day as "005"
    ("ddd MMM y", ": ddd is not a date field (d takes 1 to 2 letters)"),
    ("ddd d MMM yyyy", ": ddd is not a date field"),
    ("MMMMM d y", ": MMMMM is not a date field"),  # "J": January, June or July
    ("EEEEE d MMM y", ": EEEEE is not a date field"),  # "T": Tuesday or Thursday
    ("yyyyyy-MM-dd", ": yyyyyy is not a date field"),  # "002027"
    ("d MMM y '", " has a quote (') that is never closed"),
    ("dMy", ": two numbers side by side need something between them"),  # 1 Nov and 11 Jan: "1112027"
    ("yMd", ": two numbers side by side"),
    ("d'1'M'2'y", ": two numbers side by side"),  # quoted digits run into the numbers: "51322027"
    ("d'x'M y d", ": d shows a part of the date twice"),
    ("d MMM y y", ": y shows a part of the date twice"),
])
def test_a_date_pattern_with_a_field_that_prints_wrong_is_a_clean_error(pattern, problem):
    with pytest.raises(InputError) as caught:
        check_date_format(pattern)
    assert caught.value.line().startswith(f"clinic.date_format: {pattern}{problem}")


@pytest.mark.parametrize("written", ["March 5, 2027", "Mar. 5 2027", "5 March 2027", "5-Mar-2027", "5 de marzo de 2027",
                                     "5 DE MARZO DE 2027"])
def test_a_date_with_its_month_named_is_read(written):
    """Rosters typed by hand said "March 5, 2027": refused, though no country reads it otherwise."""
    assert patient(infusion_date=written).infusion_date == dt.date(2027, 3, 5)


@pytest.mark.parametrize("written", ["Friday, March 5, 2027", "viernes, 5 de marzo de 2027", "Fri 5 Mar 2027",
                                     "Fri, Mar 5, 2027", "March 5th, 2027", "5th March 2027", "5 de marzo del 2027",
                                     "Mar 5, 2027"])  # "mar" is also martes: a month before a day of the week
def test_a_date_as_excel_s_long_date_writes_it_is_read(written):
    """Excel's Long Date, "Thursday, December 10, 2026" in a CSV, was refused with a message asking
    for a date with its month named; so were "5th March 2027" and "5 de marzo del 2027"."""
    assert patient(infusion_date=written).infusion_date == dt.date(2027, 3, 5)


@pytest.mark.parametrize("written", ["Thursday, March 5, 2027", "mar, 5 de marzo de 2027", "Sun 5-Mar-2027"])
def test_a_day_of_the_week_that_is_not_the_date_s_fails_its_field(written):
    assert error_line(infusion_date=written) == (
        f"infusion_date: {written} names another day of the week than its date falls on")


@pytest.mark.parametrize("written", ["2027-3-5", "2027/03/05", "2027/3/5", "2027.03.05"])
def test_a_date_written_year_first_is_read_whatever_its_separator_or_zeros(written):
    """"2027-3-5" and "2027/03/05" were refused, though the month follows the year in every country."""
    assert patient(infusion_date=written).infusion_date == dt.date(2027, 3, 5)


@pytest.mark.parametrize("written", ["2027-03/05", "2027-003-05", "2027--03-05"])
def test_a_year_first_date_with_mixed_separators_is_refused(written):
    with pytest.raises(InputError, match="infusion_date"):
        patient(infusion_date=written)


@pytest.mark.parametrize("written", ["2027-03-05 00:00:00", "2027-03-05T00:00:00", "2027-03-05T00:00:00Z",
                                     "2027-03-05 00:00", "2027-03-05T00:00:00.000", "2027-03-05 0:00",
                                     "2027-3-5 00:00:00", "2027/3/5 0:00"])
def test_a_date_exported_with_midnight_as_its_time_is_that_date(written):
    """Health-record exports write a date column as "2027-03-05 00:00:00": refused, row after row,
    where the same date from an .xlsx sheet was read."""
    assert patient(infusion_date=written).infusion_date == dt.date(2027, 3, 5)


@pytest.mark.parametrize("written", ["2027-03-05 14:30", "2027-03-05T00:00:01", "2027-03-05 00:30:00",
                                     "2027/3/5 9:00"])
def test_a_date_with_another_time_is_refused_as_a_date_and_time(written):
    with pytest.raises(InputError, match="infusion_date: the value must be a date .YYYY-MM-DD., not a date and time"):
        patient(infusion_date=written)


@pytest.mark.parametrize("written", ["3/5/2027", "5.3.2027", "5 March 27", "Smarch 5, 2027", "March 32, 2027",
                                     "1\u09ea March 2027", "2027-03-1\u09ea", "\uff15 March \uff12\uff10\uff12\uff17"])
def test_a_date_that_could_be_misread_or_is_no_date_is_refused(written):
    with pytest.raises(InputError, match="infusion_date"):
        patient(infusion_date=written)


@pytest.mark.parametrize("phone", ["(217) 444-2OOO", "555-0l99", "1O0"])
def test_a_letter_among_a_phone_numbers_digits_is_refused(phone):
    """"(217) 444-2OOO" (capital O) was printed in every call box: on a keypad O dials 6."""
    with pytest.raises(InputError, match="letter O, I or l"):
        patient(caregiver_phone=phone)


@pytest.mark.parametrize("phone", ["1-800-CALL-NOW", "555-0199 x12", "555-0199 ext. 12", "(217) 555-0199"])
def test_words_and_extensions_beside_a_phone_number_are_kept(phone):
    assert patient(caregiver_phone=phone).caregiver_phone == phone


def test_the_clinics_numbers_take_the_digits_0_to_9_only():
    """"(२१७) ४४४-२०००" was printed in English papers as the number to call day or night."""
    from carthandout.models import parse_phone
    with pytest.raises(InputError, match="digits 0-9"):
        parse_phone("clinic.phone_24h", "(२१७) ४४४-२०००", sensitive=False, clinics=True)
    assert parse_phone("caregiver_phone", "٢١٧٥٥٥٠١٩٩") == "٢١٧٥٥٥٠١٩٩"  # a family's own number, as they wrote it


def test_a_clinic_number_on_two_lines_is_refused():
    """"(217) 444-2000" and "(217) 444-3000" on two lines printed as one run of digits in every call box."""
    from carthandout.models import parse_phone
    with pytest.raises(InputError, match="two lines"):
        parse_phone("clinic.phone_24h", "(217) 444-2000\n(217) 444-3000\n", sensitive=False, clinics=True)
    assert parse_phone("clinic.phone_24h", "(217) 444-2000\n", sensitive=False, clinics=True) == "(217) 444-2000"


def test_a_date_not_read_says_both_forms_it_could_take():
    """The error named YYYY-MM-DD alone, while "March 5, 2027" and "5 de marzo de 2027" are read too."""
    from carthandout.errors import InputError
    from carthandout.models import parse_date
    with pytest.raises(InputError) as raised:
        parse_date("infusion_date", "5th March")
    assert str(raised.value) == ("infusion_date: the value is not a date in the form YYYY-MM-DD, or with its month "
                                 "named (March 5, 2027; 5 de marzo de 2027)")


def test_a_day_first_or_month_first_date_with_a_time_gets_the_order_hint():
    """Excel's US export "3/5/2027 0:00" was refused without the hint "3/5/2027" gets."""
    from carthandout.models import parse_date
    with pytest.raises(InputError, match="day and month order differs between countries"):
        parse_date("infusion_date", "3/5/2027 0:00")
    with pytest.raises(InputError, match="day and month order differs between countries"):
        parse_date("infusion_date", "3/5/2027 12:00 AM")
    with pytest.raises(InputError, match="not a date and time"):
        parse_date("infusion_date", "2027-03-05 00:00:00.5")  # half a second past midnight: no date of ours


def test_an_unquoted_yaml_date_at_midnight_is_that_date():
    """YAML reads an unquoted "2027-03-05 00:00:00" as a date and time: refused, where the same text
    quoted, or in a CSV, was read as the date."""
    import datetime as dt
    from carthandout.models import parse_date
    assert parse_date("infusion_date", dt.datetime(2027, 3, 5)) == dt.date(2027, 3, 5)
    with pytest.raises(InputError, match="not a date and time"):
        parse_date("infusion_date", dt.datetime(2027, 3, 5, 14, 30))


def _clinic_with_address(address):
    from pathlib import Path
    from carthandout.models import parse_clinic
    return parse_clinic({"name": "Lakeside Center", "phone_24h": "(312) 867-4400", "address": address}, Path("."))


@pytest.mark.parametrize("address, line", [
    ([f"line {number}" for number in range(40)], "clinic.address: has 40 lines; at most 6 fit the contacts table"),
    (["1 Main St", "x" * 101], "clinic.address[2]: is too long (101 characters, at most 100)"),
])
def test_an_address_taller_than_the_contacts_table_can_hold_is_refused(address, line):
    """Forty lines passed `check`, and `generate` stopped with an internal error: the contacts
    table cannot break inside its address row, which was taller than a page."""
    with pytest.raises(InputError) as caught:
        _clinic_with_address(address)
    assert caught.value.line() == line


def test_the_longest_address_allowed_prints_in_large_print(tmp_path, write_yaml):
    from conftest import run_cli
    address = "\n".join(f'  - "{("Cellular Therapy Unit, Comprehensive Cancer Center Pavilion " * 2)[:100]}"'
                        for _ in range(6))
    clinic = write_yaml("clinic.yaml", f'name: "Lakeside Center"\nphone_24h: "(312) 867-4400"\naddress:\n{address}\n')
    for paper in ("letter", "a4"):
        result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--clinic", clinic,
                         "--large-print", "--lang", "es", "--paper", paper, "--doc", "handout", "-o", tmp_path / paper)
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("raw, line", [
    ({"overrides": {"caregiver_days": None}},
     "clinic.overrides.caregiver_days: is empty: give it a value, or leave it out"),
    ({"overrides": {"caregiver_days": ""}}, "clinic.overrides.caregiver_days: is empty: give it a value, or leave it out"),
    ({"overrides": {"caregiver_days": {"days": 28}}}, "clinic.overrides.caregiver_days: must be a number, not a mapping"),
    ({"overrides": {"conditioning_days": {"first": -5}}},
     "clinic.overrides.conditioning_days: must be a list of day numbers, not a mapping"),
    ({"physician": ["Dr A", "Dr B"]}, "clinic.physician: must be text, got a list"),
    ({"physician": 2027}, "clinic.physician: must be text, got a number (in YAML put it in quotes; in a spreadsheet "
                          "format the column as text)"),
])
def test_a_clinic_value_of_the_wrong_kind_is_named_in_a_clinics_words(raw, line):
    """"not NoneType" named Python's type; quotes were the advice for a list, which they do not fix."""
    from pathlib import Path
    from carthandout.models import parse_clinic
    with pytest.raises(InputError) as caught:
        parse_clinic({"name": "Lakeside Center", "phone_24h": "(312) 867-4400", **raw}, Path("."))
    assert caught.value.line() == line


@pytest.mark.parametrize("written", ["LONG", "Long", "Short", "ISO"])
def test_a_named_date_format_is_read_in_any_case(written):
    """`paper: A4` and `language: ES` were read, `date_format: Long` refused as no pattern."""
    from pathlib import Path
    from carthandout.models import parse_clinic
    clinic = parse_clinic({"name": "Lakeside Center", "phone_24h": "(312) 867-4400", "date_format": written}, Path("."))
    assert clinic.date_format == written.lower()


@pytest.mark.parametrize("line", ["北京市朝阳区建国门外大街一号国贸大厦写字楼三座二十八层细胞治疗中心" * 3, "W" * 100],
                         ids=["chinese", "no-space"])
def test_an_address_too_tall_for_a_large_print_page_is_refused_before_printing(tmp_path, write_yaml, line):
    """Six lines of 100 Chinese characters (or letters with no space to break at) passed the
    length limits and `check`, and the large-print handout stopped with an internal LayoutError."""
    from conftest import run_cli
    body = "\n".join(f'  - "{line[:100]}"' for _ in range(6))
    clinic = write_yaml("clinic.yaml", f'name: "Lakeside Center"\nphone_24h: "(312) 867-4400"\naddress:\n{body}\n')
    expected = "clinic.address: is too long to print whole in the large-print contacts table: shorten its lines"
    checked = run_cli("check", "--clinic", clinic)
    assert checked.exit_code == 1 and expected in checked.output.splitlines()
    result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--clinic", clinic,
                     "--doc", "handout", "--large-print", "-o", tmp_path / "out")
    assert result.exit_code == 2 and result.stderr == f"error: {expected}\n"


@pytest.mark.parametrize("name", ["José Núñez", "João Gonçalves", "ÁLVARO ÑÚÑEZ", "Zoë’s Ångström", "Ôlà Ê", "Ã",
                                  "RENÉ—CLAUDE", "ANDRÉ’S",  # read as UTF-8, an accented capital and a dash: IPA
                                  # a no-break space pasted after "ß" or "Í" reads as NKo or a combining mark
                                  "Karl Voß\u00a0", "JORDI MARTÍ\u00a0PUJOL", "Anna Weiß–Hansen", "JOAN MIRÓ\u00a0",
                                  # an accented capital before a pasted space, a dash or a quote (a review)
                                  "HEIKKILÄ\u00a0", "PERÚ\u00a0", "BØ\u00a0", "KARI BØ–HANSEN", "HEIKKILÄ’S",
                                  "São Paulo", "Mª José", "JOSÉ «PEPÉ»", "JOSÉ´S", "Marcel·la Puig"])
def test_accented_names_are_not_taken_for_a_wrong_encoding(name):
    assert parse_patient({"name": name, "infusion_date": "2027-03-05"}).name == " ".join(name.split())


def test_a_date_pasted_with_an_invisible_character_is_read():
    """Text fields drop zero-width characters; a date with one was refused, though it looked right."""
    assert parse_patient({"name": "Ann", "infusion_date": "\u200b2027-03-05\u200e"}).infusion_date.isoformat() == "2027-03-05"


def test_a_birth_date_after_the_day_of_the_run_is_refused(tmp_path):
    """2026 typed for 1926 printed "Born December 1, 2026" in every footer, with exit 0."""
    from conftest import RUN_DAY, run_cli
    tomorrow = RUN_DAY + dt.timedelta(days=1)
    refused = run_cli("generate", "--name", "Ana", "--infusion-date", "2027-03-05", "--date-of-birth",
                      tomorrow.isoformat(), "-o", tmp_path / "a")
    assert refused.exit_code == 2 and refused.stderr.startswith("error: date_of_birth: the value is after today")
    born_today = run_cli("generate", "--name", "Ana", "--infusion-date", "2027-03-05", "--date-of-birth",
                         RUN_DAY.isoformat(), "--doc", "wallet-card", "-o", tmp_path / "b")
    assert born_today.exit_code == 0, born_today.output
