"""Reading stored documents into models, one document at a time.

A document that does not match its model (written around the API, or by an older version)
must not take down the documents read beside it: batched and list reads answer it with a
:class:`StoredDocumentError` in its own place. A DataLoader raises it for that key alone;
a list resolver returns it as that item, and graphql-core raises an exception it is given
as a value at that value's own path. Either way the GraphQL error lands on that one field
or item, null propagates as the schema's nullability says, and the error policy masks
the message for clients and logs it (naming the collection and the document).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.storage.database import Document

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
