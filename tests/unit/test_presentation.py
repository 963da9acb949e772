"""Result presentation: highlighting that ignores tones and never lets markup through."""

from __future__ import annotations

from mucluc.web.catalogue.presentation import highlight, language_name, query_suggestions


def test_highlight_marks_words_matching_without_tones() -> None:
    marked = "<mark>Lịch</mark> <mark>sử</mark> Việt Nam"
    assert str(highlight("Lịch sử Việt Nam", "lich su")) == marked


def test_highlight_escapes_record_text() -> None:
    assert str(highlight("<b>Số đỏ</b>", "so")) == "&lt;b&gt;<mark>Số</mark> đỏ&lt;/b&gt;"


def test_highlight_without_query_words_only_escapes() -> None:
    assert str(highlight("A & B", "")) == "A &amp; B"


def test_suggestions_drop_tones_then_the_last_word() -> None:
    assert query_suggestions("lịch sử Đà Nẵng xưa") == ["lich su da nang xua", "lịch sử Đà Nẵng"]
    assert query_suggestions("kinh te") == ["kinh"]
    assert query_suggestions("sách") == ["sach"]
    assert query_suggestions("xyz") == []


def test_language_names_follow_the_readers_language() -> None:
    assert language_name("vie", "vi") == "Tiếng Việt"
    assert language_name("eng", "en") == "English"
    assert language_name("xyz", "vi") == "xyz"
