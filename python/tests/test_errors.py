"""Bad input raises cascade.ScenarioError with the CLI's message; never a crash."""

import pytest

import cascade

from conftest import DATA

BAD = {
    "missing file": None,
    "parse error": 'Scenario(name: "x", seed: "one")',
    "unknown field": "Scenario(name: \"x\", sede: 1)",
}


def cli_message(cli, path, *sets):
    done = cli("check", path, *[a for s in sets for a in ("--set", s)], check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: ")
    return done.stderr[len("error: "):].rstrip("\n")


@pytest.mark.parametrize(
    "text",
    [
        'Scenario(name: "x", seed: "one")',
        'Scenario(\n    name: "x",\n    sede: 1,\n)',
        "not ron at all",
    ],
)
def test_a_scenario_that_does_not_parse_gives_the_cli_s_file_line_field_message(cli, tmp_path, text):
    path = tmp_path / "bad.ron"
    path.write_text(text)
    with pytest.raises(cascade.ScenarioError) as e:
        cascade.run(str(path))
    assert str(e.value) == cli_message(cli, path)
    assert str(e.value).startswith(f"{path}:")


def test_an_invalid_value_and_a_bad_override_give_the_cli_s_messages(cli):
    path = "scenarios/calm.ron"
    with pytest.raises(cascade.ScenarioError) as e:
        cascade.run(path, set={"duration_s": -5.0})
    assert str(e.value) == cli_message(cli, path, "duration_s=-5.0")
    assert "duration_s" in str(e.value)
    with pytest.raises(cascade.ScenarioError) as e:
        cascade.run(path, set=["agents.nobody.count=3"])
    assert str(e.value) == cli_message(cli, path, "agents.nobody.count=3")


def test_a_missing_file_and_a_folder_are_named(cli):
    with pytest.raises(cascade.ScenarioError) as e:
        cascade.run("scenarios/nope.ron")
    assert str(e.value) == "scenarios/nope.ron: no such file"
    assert str(e.value) == cli_message(cli, "scenarios/nope.ron")
    with pytest.raises(cascade.ScenarioError, match="is a directory"):
        cascade.run("scenarios")


def test_a_bad_dict_names_the_field():
    d = cascade.load_scenario("scenarios/calm.ron")
    d["latency"]["base_us"] = "fast"
    with pytest.raises(cascade.ScenarioError, match=r"<dict>: field latency.base_us"):
        cascade.run(d)


def test_the_cli_refuses_python_agents_with_exit_2(cli, tmp_path):
    for args in (("run", DATA / "buyers.ron", "--out", tmp_path / "r"), ("check", DATA / "buyers.ron")):
        done = cli(*args, check=False)
        assert done.returncode == 2
        assert "agents[2] (\"buyers\"): PythonAgent groups run only inside the Python package" in done.stderr
        assert "panicked" not in done.stderr
    assert not (tmp_path / "r" / "manifest.json").exists()


def test_a_python_agent_field_is_validated(cli, tmp_path):
    text = (DATA / "buyers.ron").read_text().replace("wake_every_s: 1.0", "wake_every_s: -1.0")
    path = tmp_path / "bad.ron"
    path.write_text(text)
    with pytest.raises(cascade.ScenarioError, match=r"agents\[2\].wake_every_s"):
        cascade.run(path)
    assert "agents[2].wake_every_s" in cli_message(cli, path)


def test_the_cli_refuses_to_replay_a_folder_of_python_agents(cli, tmp_path):
    run = cascade.run(DATA / "buyers.ron", agents={"Buyer": cascade.Agent, "Idle": cascade.Agent})
    run.save(tmp_path / "r", charts=False)
    done = cli("replay", tmp_path / "r", check=False)
    assert done.returncode == 2, done.stderr
    assert "manifest.json: field scenario: agents[2] (\"buyers\"): PythonAgent groups" in done.stderr
