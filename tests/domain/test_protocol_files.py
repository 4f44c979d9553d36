"""Protocol files: the shipped ones load, and a broken one says where it is broken."""

import copy
import tomllib
from importlib import resources

import pytest

from gentling.domain import vocab
from gentling.domain.protocol import (
    SHIPPED,
    ProtocolError,
    StepKind,
    load_protocol_file,
    load_protocol_text,
    parse_protocol,
    shipped_protocol,
)


def shipped_text(species: str = "rat") -> str:
    return resources.files("gentling").joinpath("protocols", SHIPPED[species]).read_text(encoding="utf-8")


def rat_data() -> dict:
    return copy.deepcopy(tomllib.loads(shipped_text("rat")))


def step(data: dict, step_id: str) -> dict:
    return next(s for s in data["steps"] if s["id"] == step_id)


def broken(data: dict) -> ProtocolError:
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(data, "broken.toml")
    return caught.value


def assert_names(error: ProtocolError, step: str | None, field: str) -> None:
    text = str(error)
    assert text.startswith("broken.toml")
    assert (error.file, error.step, error.field) == ("broken.toml", step, field)
    if step:
        assert f"step '{step}'" in text
    assert f"field '{field}'" in text


@pytest.mark.parametrize("species", ["rat", "mouse"])
def test_shipped_protocols_load(species):
    protocol = shipped_protocol(species)

    assert protocol.species == [species]
    assert protocol.steps[0].kind is StepKind.SETTLING
    assert protocol.steps[-1].kind is StepKind.MAINTENANCE
    assert load_protocol_text(shipped_text(species), SHIPPED[species]) == protocol


@pytest.mark.parametrize("species", ["rat", "mouse"])
def test_every_source_has_a_modifier(species):
    assert set(shipped_protocol(species).sources) == set(vocab.SOURCES)


@pytest.mark.parametrize("species", ["rat", "mouse"])
def test_shipped_protocols_offer_the_extended_hold_only_after_basic_trust(species):
    kinds = [s.kind for s in shipped_protocol(species).steps]

    assert kinds.count(StepKind.EXTENDED_HOLD) == 1
    assert kinds.index(StepKind.EXTENDED_HOLD) == len(kinds) - 2


def test_the_rat_protocol_with_no_changes_parses():
    assert parse_protocol(rat_data(), "broken.toml") == shipped_protocol("rat")


def test_an_unknown_activity_in_a_step_plan_names_the_step_and_field():
    data = rat_data()
    step(data, "treats-in-cage")["plan"][0]["activity"] = "juggled"

    error = broken(data)
    assert_names(error, "treats-in-cage", "plan[0].activity")
    assert "juggled" in str(error)


def test_a_typo_field_in_a_step_names_the_step_and_field():
    data = rat_data()
    step(data, "petting")["cautoins"] = ["typo"]

    error = broken(data)
    assert_names(error, "petting", "cautoins")
    assert "typo" in str(error)


def test_a_typo_field_in_an_advance_section_names_the_dotted_field():
    data = rat_data()
    step(data, "first-pickups")["advance"]["sesions"] = 5

    assert_names(broken(data), "first-pickups", "advance.sesions")


def test_a_negative_session_count_names_the_step_and_field():
    data = rat_data()
    step(data, "first-pickups")["advance"]["sessions"] = -1

    assert_names(broken(data), "first-pickups", "advance.sessions")


def test_a_duplicate_step_id_is_refused():
    data = rat_data()
    step(data, "petting")["id"] = "treats-from-fingers"

    error = broken(data)
    assert_names(error, "treats-from-fingers", "id")
    assert "unique" in str(error)


def test_a_missing_source_modifier_is_refused():
    data = rat_data()
    del data["sources"]["rescue"]

    error = broken(data)
    assert_names(error, None, "sources")
    assert "rescue" in str(error)


def test_an_unknown_source_is_refused():
    data = rat_data()
    data["sources"]["zoo"] = dict(data["sources"]["breeder"])

    error = broken(data)
    assert_names(error, None, "sources")
    assert "zoo" in str(error)


def test_an_unknown_placeholder_in_plan_text_names_the_step_and_field():
    data = rat_data()
    step(data, "treats-from-fingers")["plan"][0]["text"] = "Offer treats {tims} times"

    error = broken(data)
    assert_names(error, "treats-from-fingers", "plan[0].text")
    assert "{tims}" in str(error)


def test_hold_seconds_placeholder_without_holds_is_refused():
    data = rat_data()
    step(data, "petting")["plan"][1]["text"] = "Pet for {hold_seconds} s"

    assert_names(broken(data), "petting", "plan[1].text")


def test_an_unknown_observation_in_setback_names_the_step_and_field():
    data = rat_data()
    step(data, "petting")["setback"]["on_any"] = ["bit", "sulked"]

    error = broken(data)
    assert_names(error, "petting", "setback.on_any")
    assert "sulked" in str(error)


def test_a_plan_item_the_step_does_not_allow_is_refused():
    data = rat_data()
    step(data, "treats-in-cage")["plan"][0]["activity"] = "petted"

    assert_names(broken(data), "treats-in-cage", "plan[0]")


def test_handling_allowed_while_settling_in_is_refused():
    data = rat_data()
    step(data, "settling-in")["allows"] = ["petted"]

    assert_names(broken(data), "settling-in", "allows")


def test_an_extended_hold_straight_after_settling_in_is_refused():
    data = rat_data()
    extended = step(data, "extended-hold")
    data["steps"].remove(extended)
    data["steps"].insert(1, extended)

    assert_names(broken(data), "extended-hold", "kind")


def test_a_handling_step_without_evidence_is_refused():
    data = rat_data()
    step(data, "petting")["advance"]["sessions"] = 0

    assert_names(broken(data), "petting", "advance.sessions")


def test_a_growing_hold_without_trust_seconds_is_refused():
    data = rat_data()
    del step(data, "longer-holds")["holds"]["trust_seconds"]

    assert_names(broken(data), "longer-holds", "holds.trust_seconds")


def test_an_evidence_factor_out_of_range_names_the_source():
    data = rat_data()
    data["sources"]["rescue"]["evidence_factor"] = 10.0

    assert_names(broken(data), None, "sources.rescue.evidence_factor")


def test_invalid_toml_names_the_file():
    with pytest.raises(ProtocolError) as caught:
        load_protocol_text(shipped_text("rat") + "\n[[steps]\nid = \n", "broken.toml")

    assert str(caught.value).startswith("broken.toml")
    assert "not valid TOML" in str(caught.value)


def test_a_broken_file_on_disk_names_the_file(tmp_path):
    path = tmp_path / "my-lab.toml"
    path.write_text(
        shipped_text("rat").replace('activity = "treat_in_cage"', 'activity = "tretas"', 1), encoding="utf-8"
    )

    with pytest.raises(ProtocolError) as caught:
        load_protocol_file(path)
    assert str(caught.value).startswith("my-lab.toml")
    assert "tretas" in str(caught.value)


def test_a_missing_file_names_the_file(tmp_path):
    with pytest.raises(ProtocolError, match="no such file"):
        load_protocol_file(tmp_path / "nowhere.toml")
