"""xray_core.cli.args: bad arguments are refused while parsing, before any work: one line on
stderr, exit 2, nothing on stdout."""

import pytest

from xray_core.cli.main import main

BAD_THRESHOLDS = ["nan", "inf", "5", "-1", "1.0000001", "abc", ""]


def _refused(capsys, argv, *fragments):
    with pytest.raises(SystemExit) as stop:
        main(argv)
    out, err = capsys.readouterr()
    assert stop.value.code == 2 and out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "error:" in err and "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    return err


@pytest.mark.parametrize("value", BAD_THRESHOLDS)
@pytest.mark.parametrize(
    "command",
    [
        ["predict", "x.png"],
        ["score", "in", "--out", "o.csv"],
        ["evaluate"],
        ["report", "--pdf", "r.pdf"],
    ],
)
def test_threshold_outside_0_1_or_not_a_number_is_refused(capsys, command, value):
    _refused(capsys, [*command, "--threshold", value], "--threshold")


@pytest.mark.parametrize(
    "argv, fragments",
    [
        (["validate-site", "--data", "d", "--recalibrate", "0"], ["--recalibrate", "at least 1"]),
        (["validate-site", "--data", "d", "--recalibrate", "-3"], ["at least 1"]),
        (["validate-site", "--data", "d", "--save-profile", "../../evil"], ["--save-profile"]),
        (["validate-site", "--data", "d", "--save-profile", "a/b"], ["--save-profile"]),
        (["validate-site", "--data", "d", "--target-sensitivity", "1.5"], ["strictly between"]),
        (["validate-site", "--data", "d", "--confidence", "nan"], ["finite"]),
        (["report", "--pdf", "r.pdf", "--prevalence", "0"], ["--prevalence"]),
        (["score", "in", "--out", "o.csv", "--workers", "0"], ["--workers"]),
        (["score", "in", "--out", "o.csv", "--batch-size", "x"], ["whole number"]),
    ],
)
def test_out_of_range_arguments_are_refused(capsys, argv, fragments):
    _refused(capsys, argv, *fragments)


@pytest.mark.parametrize("command", [["validate-site", "--data", "d"], ["report"]])
@pytest.mark.parametrize("where", ["missing_folder", "folder"])
def test_pdf_into_a_missing_folder_or_onto_a_folder_is_refused(tmp_path, capsys, command, where):
    target = tmp_path / "nope" / "r.pdf" if where == "missing_folder" else tmp_path
    fragment = "does not exist" if where == "missing_folder" else "is a folder"
    _refused(capsys, [*command, "--pdf", str(target)], "--pdf", fragment)


def test_json_reports_check_their_path_too(tmp_path, capsys):
    _refused(capsys, ["evaluate", "--json", str(tmp_path / "no" / "e.json")], "--json")
    _refused(capsys, ["validate-site", "--data", "d", "--json", str(tmp_path)], "is a folder")
