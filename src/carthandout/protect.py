"""Encrypting PDFs that leave the building: AES-256 through pypdf, the password never on the command line.

pypdf's AES needs the ``cryptography`` package. Encrypted files differ on every run (random
salts): the manifest's checksum is of the encrypted file as written.
"""
from __future__ import annotations

import io
import os
import re
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Sequence

import click

from carthandout.documents.base import RenderedDocument
from carthandout.edits import quiet_pypdf
from carthandout.errors import InputError

if TYPE_CHECKING:
    from pypdf import PdfWriter

DEFAULT_PASSWORD_ENV = "CARTHANDOUT_PDF_PASSWORD"
MIN_PASSWORD_LENGTH = 8


_ENVIRONMENT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_password_flags(encrypt: bool, env_name: str | None) -> None:
    """``--password-env`` without ``--encrypt`` is refused: it wrote unencrypted PDFs, exit 0. A
    value that is no variable's name is refused without being echoed: it may be the password."""
    if env_name is not None and not encrypt:
        raise InputError("--password-env", "applies only with --encrypt: without it no PDF is encrypted",
                         sensitive=False)
    if env_name is not None and not _ENVIRONMENT_NAME.fullmatch(env_name):
        raise InputError("--password-env", "takes the name of an environment variable that holds the password "
                         f"(letters, digits and _, such as {DEFAULT_PASSWORD_ENV}), never the password itself",
                         sensitive=False)


def pdf_password(encrypt: bool, env_name: str | None) -> str | None:
    """The password for ``--encrypt`` (from ``--password-env``, default DEFAULT_PASSWORD_ENV), or None."""
    check_password_flags(encrypt, env_name)
    return read_password(env_name or DEFAULT_PASSWORD_ENV) if encrypt else None


def read_password(env_name: str = DEFAULT_PASSWORD_ENV) -> str:
    """The password from the environment variable ``env_name``, else a hidden prompt on a terminal."""
    password = os.environ.get(env_name, "")
    if not password and sys.stdin.isatty():
        password = click.prompt("PDF password", hide_input=True, confirmation_prompt=True, err=True)
    if not password:
        # A name given to --password-env is not repeated: it may be the password typed there by mistake
        variable = env_name if env_name == DEFAULT_PASSWORD_ENV else "that --password-env names"
        raise InputError("--encrypt", f"needs a password: set the environment variable {variable} "
                         "(it is asked for only when standard input is a terminal, not a pipe such as "
                         "--patient -)", sensitive=False)
    if len(password.strip()) < MIN_PASSWORD_LENGTH:  # eight spaces were taken
        raise InputError("--encrypt", f"the password must have at least {MIN_PASSWORD_LENGTH} characters "
                         "besides spaces", sensitive=False)
    return password


def encrypt_pdf(data: bytes, password: str) -> bytes:
    """``data`` (a whole PDF) encrypted with AES-256; opening it needs ``password``."""
    from pypdf import PdfReader, PdfWriter  # only runs that encrypt pay for importing pypdf

    # Cloning renumbers objects and warns that there are more than /Size said; a password with
    # characters SASLprep refuses (an emoji) is used as UTF-8 bytes, with a warning on every file.
    with quiet_pypdf():
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        # A new random file identifier: the plain file's, left readable in the trailer, is a hash
        # of the plain PDF (of the patient's whole packet, for the record packet), so a guessed
        # name and date could be confirmed against it. AES-256 does not use it for the key.
        writer._ID = None
        writer.generate_file_identifiers()
        writer.encrypt(user_password=password, owner_password=password, algorithm="AES-256")
        _declare_aes_256(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _declare_aes_256(writer: "PdfWriter") -> None:
    """AES-256 (revision 6) is PDF 2.0's, or PDF 1.7 with Adobe's extension level 8: said in the
    header and the catalog, as Acrobat writes it (pypdf left the header at 1.3, which strict
    validators and record systems may refuse)."""
    from pypdf.generic import DictionaryObject, NameObject, NumberObject

    writer.pdf_header = b"%PDF-1.7"
    writer._root_object[NameObject("/Extensions")] = DictionaryObject({
        NameObject("/ADBE"): DictionaryObject({
            NameObject("/BaseVersion"): NameObject("/1.7"), NameObject("/ExtensionLevel"): NumberObject(8),
        }),
    })


def protect_documents(documents: Sequence[RenderedDocument], password: str | None) -> list[RenderedDocument]:
    """Each rendered document encrypted with ``password``; unchanged when there is none."""
    if not password:
        return list(documents)
    return [replace(doc, data=encrypt_pdf(doc.data, password)) for doc in documents]
