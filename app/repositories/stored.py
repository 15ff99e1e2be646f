"""Reading stored documents into models, one document at a time.

A document that does not match its model (written around the API, or by an older version)
must not take down the documents read beside it: batched reads answer it with a
:class:`StoredDocumentError` in its own place, which a DataLoader raises for that key
alone (the GraphQL error lands on that one field; the error policy masks and logs it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.database import Document

ModelT = TypeVar("ModelT", bound=BaseModel)


class StoredDocumentError(RuntimeError):
    """A stored document its model cannot read."""

    def __init__(self, collection: str, document_id: Any, error: ValidationError) -> None:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the document"
        super().__init__(
            f"{collection} document {document_id} does not match the model "
            f"({error.error_count()} problem(s); first: {where}: {first['msg']})"
        )


def reader(
    collection: str, model: type[ModelT]
) -> Callable[[Document], ModelT | StoredDocumentError]:
    """A function reading one document of ``collection`` as ``model``, or saying why not."""

    def read(document: Document) -> ModelT | StoredDocumentError:
        try:
            return model.model_validate(document)
        except ValidationError as error:
            return StoredDocumentError(collection, document.get("_id"), error)

    return read


def expect(value: ModelT | StoredDocumentError | None) -> ModelT | None:
    """For callers outside a DataLoader: the model, or the document's error raised."""
    if isinstance(value, StoredDocumentError):
        raise value
    return value
