"""Search keys and query parsing, below GraphQL."""

from __future__ import annotations

from app.domain.search import SearchQuery, canonical, search_fields, words


def test_words_fold_case_accents_and_punctuation() -> None:
    assert words("Café-Crème  2.0") == ["cafe", "creme", "2", "0"]
    assert canonical("Python asyncio") == canonical("ASYNCIO  python") == "asyncio python"


def test_search_fields_cover_name_aliases_tags_and_description() -> None:
    fields = search_fields("Async IO", ["Python asyncio"], ["event-loop"], "Fast, concurrent.")
    assert fields == {
        "searchCanons": ["async io", "asyncio python"],
        "searchTerms": [
            "async",
            "asyncio",
            "concurrent",
            "event",
            "fast",
            "io",
            "loop",
            "python",
        ],
    }


def test_prefix_patterns_are_anchored_and_escaped() -> None:
    query = SearchQuery.parse("Rust CAFÉ rust c++")
    assert query.words == ("rust", "cafe", "c")
    assert query.prefix_patterns() == ["^rust", "^cafe", "^c"]
    assert SearchQuery(("a.b",)).prefix_patterns() == ["^a\\.b"]


def test_queries_without_words_are_empty() -> None:
    assert SearchQuery.parse(".* $where {}").words == ("where",)
    assert SearchQuery.parse(".*").words == ()
