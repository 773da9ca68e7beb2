"""``python -m assessments`` run as a real subprocess."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from assessments import model

CLI_KEYS = {"instrument", "version", "complete", "total", "subscales", "band", "missing"}


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "assessments", *args], input=stdin, capture_output=True,
                          text=True, timeout=60, check=False)


def write(tmp_path, data, name="answers.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_list_names_every_definition():
    proc = run("list")
    assert proc.returncode == 0, proc.stderr
    for instrument_id in model.load_all():
        assert instrument_id in proc.stdout
    listed = json.loads(run("list", "--json").stdout)
    assert {row["id"] for row in listed} == set(model.load_all())


def test_describe_documents_items_options_scoring_bands_and_licence():
    proc = run("describe", "iciq-ui-sf")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    inst = model.get("iciq-ui-sf")
    for item in inst.items:
        assert f"[{item.id}] {item.type}" in out
        for opt in item.options:
            assert f"value {json.dumps(opt.value)} ({opt.code})" in out
    assert "method: iciq_ui_sf" in out and "Q3 + Q4 + Q5" in out
    assert "19-21: very severe" in out and "Klovning" in out
    assert inst.licence in out and "adapted" in out


def test_describe_shows_conditions_versions_and_memory_flags():
    out = run("describe", "sandvik-isi").stdout
    assert "asked only when: frequency > 0" in out
    assert "version 1993 (default)" in out and "version 2000" in out and "[M]" in out
    out = run("describe", "leaf-q").stdout
    assert "[M: key unverified]" in out and "point key source" in out
    out = run("describe", "nprs").stdout
    assert "serlin-1995 (default)" in out and "boonstra-2016" in out


def test_score_complete_answers(tmp_path):
    proc = run("score", "iciq-ui-sf", write(tmp_path, {"3": 3, "4": 4, "5": 7, "6": ["active"]}))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert CLI_KEYS <= set(data) and set(data) - CLI_KEYS == {"details"}
    assert data["total"] == 14 and data["complete"] is True and data["missing"] == []
    assert data["band"]["label"] == "severe" and "Klovning" in data["band"]["source"]
    assert data["version"] == model.get("iciq-ui-sf").version
    assert data["details"]["leakage_type"] == "stress"


def test_score_incomplete_answers_give_null_total(tmp_path):
    proc = run("score", "pfdi-20", write(tmp_path, {"1": 2, "2": 2}))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["total"] is None and data["complete"] is False and data["band"] is None
    assert data["subscales"] == {"POPDI-6": None, "CRADI-8": None, "UDI-6": None}
    assert "3" in data["missing"] and "20" in data["missing"]


def test_score_reads_stdin():
    proc = run("score", "wexner", "-", stdin=json.dumps({"solid": 1, "liquid": 1, "gas": 1, "pad": 1,
                                                          "lifestyle": 1}))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["total"] == 5


def test_score_configuration_and_context(tmp_path):
    path = write(tmp_path, {"frequency": 4, "amount": 3})
    assert json.loads(run("score", "sandvik-isi", path).stdout)["total"] == 8
    assert json.loads(run("score", "sandvik-isi", path, "--config", "sandvik_version=2000").stdout)["total"] == 12
    iciq = write(tmp_path, {"3": 1, "4": 2, "5": 2}, "iciq.json")
    assert json.loads(run("score", "iciq-ui-sf", iciq, "--config", "klovning_bands=false").stdout)["band"] is None
    leafq = write(tmp_path, {"injury_absence": "none"}, "leafq.json")
    data = json.loads(run("score", "leaf-q", leafq, "--context", "lactating=true").stdout)
    assert data["details"]["interpretable"] is False


@pytest.mark.parametrize(("args", "stdin", "expected"), [
    (["score", "no-such-thing", "-"], "{}", ["unknown instrument 'no-such-thing'"]),
    (["score", "wexner", "-"], "{not json", ["not valid JSON"]),
    (["score", "wexner", "-"], "[1, 2]", ["must be a JSON object"]),
    (["score", "wexner", "/nonexistent/answers.json"], None, ["cannot read file"]),
    (["score", "wexner", "-", "--config", "colour=blue"], "{}", ["unknown setting"]),
    (["score", "wexner", "-", "--config", "klovning_bands=maybe", "--config", "leafq_cutoff=x"], "{}",
     ["klovning_bands", "leafq_cutoff"]),
    (["score", "wexner", "-", "--config", "nprs_scheme=made-up"], "{}", ["nprs_scheme"]),
    (["describe", "no-such-thing"], None, ["unknown instrument"]),
])
def test_invalid_input_exits_2_with_nothing_on_stdout(args, stdin, expected):
    proc = run(*args, stdin=stdin)
    assert proc.returncode == 2
    assert proc.stdout == ""
    for text in expected:
        assert text in proc.stderr


def test_every_bad_item_is_named(tmp_path):
    bad = {"solid": 9, "liquid": "often", "gas": 1.5, "pad": None, "lifestyle": [1], "colour": "blue"}
    proc = run("score", "wexner", write(tmp_path, bad))
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    for item in ("solid", "liquid", "gas", "lifestyle", "colour"):
        assert any(f"item {item}:" in line for line in lines), item
    assert not any("item pad:" in line for line in lines)  # null = unanswered, not an error
    assert len(lines) == 5


def test_wrong_types_are_rejected(tmp_path):
    proc = run("score", "nprs", write(tmp_path, {"worst": "7", "average": True}))
    assert proc.returncode == 2 and proc.stdout == ""
    assert "item worst: Enter a number." in proc.stderr and "item average: Enter a number." in proc.stderr


def test_popq_inconsistent_points_are_input_errors(tmp_path):
    proc = run("score", "pop-q", write(tmp_path, {"Aa": -3, "Ba": 11, "C": -12, "Ap": -3, "Bp": -3, "tvl": 10}))
    assert proc.returncode == 2 and proc.stdout == ""
    assert "item Ba:" in proc.stderr and "item C:" in proc.stderr


def test_triage_rejects_invalid_intakes_naming_every_problem(tmp_path):
    intake = {"context": {}, "answers": {"iciq-ui-sf": {"3": 9, "8": 1}, "nope": {}}, "extra": 1}
    proc = run("triage", write(tmp_path, intake))
    assert proc.returncode == 2 and proc.stdout == ""
    for path in ("answers.iciq-ui-sf.3", "answers.iciq-ui-sf.8", "answers.nope", "extra"):
        assert path in proc.stderr
    bad_json = run("triage", "-", stdin="{")
    assert bad_json.returncode == 2 and bad_json.stdout == ""


def test_triage_runs_or_says_it_is_missing(tmp_path):
    intake = {"context": {}, "answers": {"iciq-ui-sf": {"3": 1, "4": 2, "5": 2}}}
    proc = run("triage", write(tmp_path, intake))
    if importlib.util.find_spec("assessments.triage") is None:
        assert proc.returncode == 1 and proc.stdout == ""
        assert "triage is not available" in proc.stderr
    else:
        assert proc.returncode in (0, 2), proc.stderr
        if proc.returncode == 0:
            assert isinstance(json.loads(proc.stdout), dict)
        else:
            assert proc.stdout == "" and proc.stderr


def test_rules_prints_the_rulebook_with_changed_rules_and_their_references(capsys):
    from assessments.__main__ import main

    assert main(["rules", "--config", "postnatal_window_months=18"]) == 0
    out = capsys.readouterr().out
    rr11 = out.split("RR-11: Prolapse symptoms in a postnatal runner", 1)[1].split("\n\n", 2)[1]
    assert "Variant 'default': T2a" in rr11 and "Variant 'with_feature': T3" in rr11
    mood = out.split("MOOD-RISK: ", 1)[1].split("\n\n", 2)[1]
    assert "Variant 'intent': T5" in mood and "Variant 'thoughts': T4" in mood
    assert "NICE NG12" in out and "Clinical policy section 3" in out
    assert "within 18 months of the most recent birth" in out
    assert main(["rules", "--config", "postnatal_window_months=40"]) == 2
