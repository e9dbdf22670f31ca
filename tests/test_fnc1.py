"""The FNC-1 benchmark: its scorer on a tiny hand-made split, and the run on the shared data when present."""

import json

import pytest

from benchmarks.fnc1 import SHARED_DIR, evaluate_pairs, fnc_score, main, read_pairs


def test_fnc_score_gives_quarter_for_relatedness_and_three_quarters_for_the_stance():
    gold = ["agree", "disagree", "discuss", "unrelated"]
    predicted = ["agree", "discuss", "unrelated", "unrelated"]
    # agree: 0.25 + 0.75; disagree->discuss: 0.25; discuss->unrelated: 0; unrelated: 0.25. Max: 3 * 1 + 0.25.
    assert fnc_score(gold, predicted) == (1.5, 3.25)


def test_tiny_csv_split_is_scored_end_to_end(tmp_path):
    bodies = tmp_path / "bodies.csv"
    bodies.write_text(
        'Body ID,articleBody\n'
        '1,"The story that a giant spider was found in a Sydney bathroom is a hoax. The photo was fake, experts said, '
        'and the giant spider picture was doctored."\n'
        '2,"Apple unveiled a new iPhone on Tuesday with a faster chip and a better camera."\n',
        encoding="utf-8")
    stances = tmp_path / "stances.csv"
    stances.write_text(
        'Headline,Body ID,Stance\n'
        '"Giant spider found in Sydney bathroom",1,disagree\n'
        '"Giant spider found in Sydney bathroom",2,unrelated\n',
        encoding="utf-8")
    result = evaluate_pairs(read_pairs(stances, bodies))
    assert result["fnc_score_pct"] == 100.0
    assert result["f1"]["disagree"] == 1.0 and result["f1"]["unrelated"] == 1.0


def test_tiny_split_is_cross_validated_by_body_and_labelled_as_such(tmp_path, capsys):
    pytest.importorskip("numpy")
    bodies = tmp_path / "bodies.csv"
    stances = tmp_path / "stances.csv"
    texts = {1: "The giant spider photo is a hoax, experts said; it was doctored.",
             2: "Apple unveiled a new iPhone with a faster chip.",
             3: "Officials confirmed the giant spider was found in a Sydney bathroom.",
             4: "The new iPhone may have a faster chip, according to rumours."}
    bodies.write_text("Body ID,articleBody\n" + "".join(f'{k},"{v}"\n' for k, v in texts.items()), encoding="utf-8")
    rows = [("Giant spider found in Sydney bathroom", 1, "disagree"), ("Giant spider found in Sydney bathroom", 2,
            "unrelated"), ("Giant spider found in Sydney bathroom", 3, "agree"), ("Apple unveils new iPhone", 4,
            "discuss"), ("Apple unveils new iPhone", 1, "unrelated"), ("Apple unveils new iPhone", 2, "agree")]
    stances.write_text("Headline,Body ID,Stance\n" + "".join(f'"{h}",{b},{s}\n' for h, b, s in rows),
                       encoding="utf-8")
    assert main(["--stances", str(stances), "--bodies", str(bodies), "--folds", "2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["pairs"] == 6
    assert result["method"] == "cross-validated, 2 folds grouped by Body ID"
    assert main(["--stances", str(stances), "--bodies", str(bodies), "--shipped"]) == 0
    assert "IN-SAMPLE" in capsys.readouterr().out


def test_missing_data_is_skipped_with_exit_code_zero(tmp_path, capsys):
    assert main(["--stances", str(tmp_path / "none.csv"), "--bodies", str(tmp_path / "none.csv")]) == 0
    assert capsys.readouterr().out.startswith("skipped: data not found")


@pytest.mark.benchmark
def test_benchmark_on_the_shared_dev_split_reports_all_figures(capsys):
    if not (SHARED_DIR / "dev_stances.csv").is_file():
        pytest.skip("FNC-1 dev split not present")
    assert main(["--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["pairs"] == 13305
    assert set(result["f1"]) == {"agree", "disagree", "discuss", "unrelated"}
    assert result["method"].startswith("cross-validated")
    # Targets of the "Matching that users can trust" issue, on cross-validated predictions: an all-unrelated
    # guess scores 56 %, all-discuss with perfect relatedness 82 %.
    assert result["fnc_score_pct"] >= 80
    assert result["macro_f1"] >= 0.60
    assert result["f1"]["disagree"] >= 0.30
