"""Spanish documents: Spanish words, the patient's dates in Spanish, and the language choice."""
import datetime as dt

import pypdf
import pytest
from babel.dates import format_date

from carthandout.content import available_documents, load_common, load_pack
from carthandout.documents import DOCUMENTS
from carthandout.context import build_context, effective_policy
from carthandout.inputs import load_clinic
from carthandout.models import parse_patient
from carthandout.schedule import compute_schedule

from conftest import pdf_text, run_cli

INFUSION = "2027-03-05"
SPANISH_DOCUMENTS = [d for d in available_documents("es") if d in DOCUMENTS]


def spanish_date(day: dt.date) -> str:
    return format_date(day, "long", locale=load_common("es").locale)


@pytest.fixture(scope="module")
def spanish_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("es")
    result = run_cli("generate", "--name", "Ana Quiñones", "--infusion-date", INFUSION, "--caregiver", "Luis Quiñones",
                     "--language", "es", "-o", out, *[a for d in SPANISH_DOCUMENTS for a in ("--doc", d)])
    assert result.exit_code == 0, result.output
    return out


def test_spanish_handout_has_spanish_words_and_no_english_ones(spanish_out):
    text = pdf_text(spanish_out / "handout.pdf")
    for heading in (s["heading"] for s in load_pack("handout", "es").data["sections"]):
        assert " ".join(heading.split()) in text
    for english in ("Call right away", "Your caregiver", "Page 1 of", "Side effects"):
        assert english not in text
    assert "Página 1 de" in text


def test_spanish_handout_prints_the_patients_dates_in_spanish(spanish_out):
    text = pdf_text(spanish_out / "handout.pdf")
    assert "5 de marzo de 2027" in text  # the infusion date as Spanish readers write it
    schedule = compute_schedule(dt.date.fromisoformat(INFUSION), effective_policy(load_clinic(None)))
    for day in (schedule.named_dates()["conditioning_start"], schedule.named_dates()["no_driving_until"],
                schedule.named_dates()["caregiver_until"]):
        assert spanish_date(day) in text
    assert "Viernes" in text  # the infusion's weekday, in Spanish, standing alone in the timeline
    assert "°F (38 °C)" in text and "Fiebre de 100" in text
    assert "March" not in text and "Friday" not in text


def test_spanish_checklist_deadlines_include_the_day_as_the_english_ones_do(spanish_out):
    """"Due by February 28" was "Antes del 28 de febrero" (before the 28th: by the 27th) in Spanish."""
    path = spanish_out / "checklist.pdf"
    text = pdf_text(path)
    due = spanish_date(compute_schedule(dt.date.fromisoformat(INFUSION), effective_policy(load_clinic(None))).conditioning_start)
    fields = pypdf.PdfReader(path).get_fields().values()
    due_fields = [field for field in fields if str(field.get("/TU", "")).startswith("Fecha límite:")]
    assert len(due_fields) == text.count("Fecha límite:") >= 8  # each due date is a field staff can change
    assert {field["/V"] for field in due_fields} == {due}
    assert "Antes del" not in text


def test_spanish_checklist_says_the_vaccine_window_as_the_handout_does(spanish_out):
    """"6 semanas o menos antes" (a translator's flag, mended in the handout, left in the checklist);
    its "Previsto hasta el" also read as ending the day before the date. "desde 6 semanas antes",
    which followed, gave the window a start and no end (an auditor's flag): "durante"."""
    checklist, handout = pdf_text(spanish_out / "checklist.pdf"), pdf_text(spanish_out / "handout.pdf")
    assert "ninguna vacuna viva durante 6 semanas antes de la quimioterapia" in checklist
    assert "vacunas vivas durante 6 semanas antes de la quimio" in handout
    assert "o menos antes" not in checklist + handout and "desde 6 semanas" not in checklist + handout
    assert "Último día previsto" in checklist and "Previsto hasta" not in checklist


@pytest.mark.parametrize("document", SPANISH_DOCUMENTS)
def test_every_spanish_document_is_spanish_and_tagged_es(spanish_out, document):
    path = spanish_out / f"{document}.pdf"
    reader = pypdf.PdfReader(path)
    assert reader.trailer["/Root"].get("/Lang") == "es"
    assert reader.metadata.subject.startswith("Información para pacientes")  # was the English subject
    text = pdf_text(path)
    english_title = load_pack(document, "en").title
    assert english_title not in text
    spanish_words = {"de", "la", "el", "su", "que", "y"}
    words = [w.strip(".,:;()").lower() for w in text.split()]
    assert sum(w in spanish_words for w in words) >= 5


def test_patient_language_field_picks_spanish():
    patient = parse_patient({"name": "Ana", "infusion_date": INFUSION, "language": "es"})
    ctx = build_context(patient, load_clinic(None))
    assert ctx.language == "es"
    assert ctx.values["patient.infusion_date"] == "5 de marzo de 2027"
    assert ctx.values["policy.caregiver_period"].endswith("días")


def test_flag_wins_over_the_patient_field():
    patient = parse_patient({"name": "Ana", "infusion_date": INFUSION, "language": "es"})
    assert build_context(patient, load_clinic(None), "en").values["patient.infusion_date"] == "March 5, 2027"


def test_unsupported_language_is_one_line_naming_language(tmp_path):
    result = run_cli("generate", "--name", "Ana", "--infusion-date", INFUSION, "--language", "fr", "-o", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: language: fr is not an available language (available: en, es)"]
    assert not list(tmp_path.iterdir())


def test_unsupported_clinic_language_names_the_clinic_field(write_yaml):
    clinic = write_yaml("clinic.yaml", 'name: "C"\nphone_24h: "(217) 555-0199"\nlanguage: "de"\n')
    result = run_cli("generate", "--name", "Ana", "--infusion-date", INFUSION, "--clinic", clinic,
                     "-o", clinic.parent / "out")
    assert result.exit_code == 2
    assert "clinic.language: de is not an available language" in result.stderr


def test_team_roles_print_in_the_documents_language_where_the_clinic_gives_it(tmp_path, write_yaml, example_clinic):
    """The example clinic gives its roles in English and Spanish; a role given only in the clinic's
    language prints in it in every document."""
    clinic = example_clinic.read_text().replace('logo: "logo.png"', f'logo: "{example_clinic.parent / "logo.png"}"')
    clinic = clinic.replace('{en: "Cellular therapy pharmacist", es: "Farmacia de terapia celular"}',
                            '"Cellular therapy pharmacist"')
    clinic_file = write_yaml("clinic.yaml", clinic)
    for language, expected, absent in (("es", "Coordinación de enfermería CAR T", "CAR T nurse coordinator"),
                                       ("en", "CAR T nurse coordinator", "Coordinación de enfermería CAR T")):
        result = run_cli("generate", "--name", "Ana Quiñones", "--infusion-date", INFUSION, "--language", language,
                         "--clinic", clinic_file, "--doc", "handout", "-o", tmp_path / language)
        assert result.exit_code == 0, result.output
        text = pdf_text(tmp_path / language / "handout.pdf")
        assert expected in text and absent not in text
        assert "Cellular therapy pharmacist" in text


def test_a_long_date_in_the_patient_block_breaks_before_its_year(tmp_path):
    """"29 de febrero de" / "2028": the year stood alone in the handout's and checklist's boxes."""
    result = run_cli("generate", "--name", "Rosa María Delgado", "--infusion-date", "2028-02-29", "--lang", "es",
                     "--date-of-birth", "1961-08-19", "--mrn", "RCC-004417", "--caregiver", "Luis Delgado",
                     "--doc", "handout", "--doc", "checklist", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    for document in ("handout", "checklist"):
        lines = [line.strip() for line in pypdf.PdfReader(tmp_path / f"{document}.pdf").pages[0].extract_text().splitlines()]
        assert "2028" not in lines and "de 2028" in lines, (document, lines[:20])


def test_spanish_wording_a_translators_review_asked_for(spanish_out):
    """"No es consejo médico. Es un tratamiento..." made the handout the treatment; "Su cuidador es
    María" gave a woman a masculine noun; "Quédese cerca de Centro Oncológico Riverside" lacked
    its article; the calendar said "al menos" and "por lo menos" in one list."""
    handout, calendar = pdf_text(spanish_out / "handout.pdf"), pdf_text(spanish_out / "calendar.pdf")
    assert "Este tratamiento es muy especializado y tiene riesgos graves." in handout
    assert "La persona que le cuida es Luis Quiñones." in handout and "Su cuidador es" not in handout
    assert "Quédese cerca de su centro de tratamiento (" in calendar
    assert "por lo menos hasta este día" in calendar and "al menos" not in calendar


def test_a_spanish_calendar_marks_the_end_of_daily_checks_not_of_every_check(tmp_path, write_yaml):
    """"Fin de controles" read as "no more check-ups" where daily checks and close watch end on one day."""
    clinic = write_yaml("clinic.yaml", 'name: "Riverside"\nphone_24h: "(217) 555-0199"\n'
                                       "overrides: {monitoring_days: 7, daily_monitoring_days: 7}\n")
    result = run_cli("generate", "--name", "Ana Quiñones", "--infusion-date", INFUSION, "--language", "es",
                     "--clinic", clinic, "--doc", "calendar", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "calendar.pdf")
    assert "Controles diarios y vigilancia de cerca" in text  # the one mark for both
    assert text.count("Fin de controles") == text.count("Fin de controles diarios") >= 1


def test_spanish_warning_signs_read_as_a_worried_caregiver_needs(spanish_out):
    """A Spanish-speaking caregiver's read (s28): "Fiebre de 100.4 °F o más, o incluso más baja"
    could be read as any temperature at all; "Náuseas (…), vómitos o diarrea (…), si son fuertes"
    put "if severe" last, after two glosses, where large print left it alone on a line."""
    guide = pdf_text(spanish_out / "caregiver-guide.pdf")
    assert "Cualquier fiebre, aunque no llegue a 100.4 °F (38 °C)" in guide
    assert "o incluso más baja" not in guide
    for name in ("handout.pdf", "caregiver-guide.pdf"):
        text = pdf_text(spanish_out / name)
        assert "Náuseas, vómitos o diarrea fuertes (malestar de estómago; heces sueltas y aguadas)" in text
        assert "si son fuertes" not in text


def test_spanish_words_are_the_usual_ones(spanish_out):
    """Calques a translator would not write: "Punto" (Item), "Lista de control", "Educación para
    pacientes", "Maneja cuando usted necesita ir"; straight quotes where a book prints curly ones."""
    checklist = pdf_text(spanish_out / "checklist.pdf")
    assert "Lista de verificación de la terapia" in checklist and "Prueba o paso" in checklist
    assert "Punto" not in checklist
    handout = pdf_text(spanish_out / "handout.pdf")
    assert "Le lleva en carro a donde necesite ir" in handout
    assert "“medicamento vivo”" in handout and '"' not in handout
    assert "Fecha de infusión" in handout
    assert pypdf.PdfReader(spanish_out / "handout.pdf").metadata.subject.startswith("Información para pacientes")
