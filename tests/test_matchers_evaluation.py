"""Evaluation metrics on a tiny hand-checked example."""

import pytest

from matchers.evaluation import evaluate, format_report

LABELS = {
    ("i1", "c1"): "confirms",
    ("i2", "c1"): "contradicts",
    ("i3", "c1"): "mentions",
    ("i4", "c2"): "confirms",
    ("i5", "c2"): "contradicts",
}
PREDICTIONS = {
    ("i1", "c1"): "confirms",  # right alert
    ("i2", "c1"): "confirms",  # opposite-stance alert
    ("i3", "c1"): "mentions",  # right, not an alert
    ("i4", "c2"): "mentions",  # missed alert
    ("i6", "c2"): "contradicts",  # alert on an unrelated pair
}


def test_alert_scores_count_only_alerts_with_the_right_stance():
    report = evaluate(PREDICTIONS, LABELS)
    # predicted alerts: i1 (right), i2 (wrong stance), i6 (unrelated) -> 1 / 3
    # labelled alerts: i1, i2, i4, i5 -> 1 / 4
    assert (report.alerts.true_positives, report.alerts.false_positives, report.alerts.false_negatives) == (1, 2, 3)
    assert report.alerts.precision == pytest.approx(1 / 3)
    assert report.alerts.recall == pytest.approx(1 / 4)
    assert report.alerts.f1 == pytest.approx(2 / 7)
    assert report.opposite_stance_alerts == 1


def test_relevance_treats_any_stance_as_related():
    report = evaluate(PREDICTIONS, LABELS)
    # related predicted: i1 i2 i3 i4 i6; labelled related: i1..i5 -> tp 4, fp 1 (i6), fn 1 (i5)
    assert (report.relevance.true_positives, report.relevance.false_positives, report.relevance.false_negatives) == (4, 1, 1)


def test_per_stance_scores_and_confusion_matrix():
    report = evaluate(PREDICTIONS, LABELS)
    confirms = report.stances["confirms"]
    assert (confirms.true_positives, confirms.false_positives, confirms.false_negatives) == (1, 1, 1)
    contradicts = report.stances["contradicts"]
    assert (contradicts.true_positives, contradicts.false_positives, contradicts.false_negatives) == (0, 1, 2)
    assert report.confusion["contradicts"] == {"confirms": 1, "contradicts": 0, "mentions": 0, "unrelated": 1}
    assert report.confusion["unrelated"]["contradicts"] == 1
    assert report.confusion["confirms"]["mentions"] == 1


def test_nothing_predicted_has_perfect_precision_and_zero_recall():
    report = evaluate({}, LABELS)
    assert report.alerts.precision == 1.0 and report.alerts.recall == 0.0 and report.alerts.f1 == 0.0


def test_text_report_shows_alert_row_and_opposite_count():
    text = format_report(evaluate(PREDICTIONS, LABELS))
    assert "ALERTS" in text and "opposite-stance alerts: 1" in text and "confusion" in text
