"""Alerts raised alike for several animals are said once, with their names, worst first."""

from gentling.domain.alert_summary import SharedAlert, merge, worst
from gentling.domain.guardrails import Alert

EARLY = Alert("pickup_too_early", "warning", "Pick-ups are not part of 'Treats in the cage' yet.")
FEAR = Alert("stop_session", "stop", "Stop the session: they froze.")
TAIL = Alert("tail_lift", "warning", "Never lift by the tail.")


def test_an_alert_raised_for_two_animals_is_said_once_with_both_names():
    shared = merge([("Luna", [EARLY]), ("Nova", [EARLY])])

    assert shared == [SharedAlert(("Luna", "Nova"), EARLY.code, EARLY.level, EARLY.message)]
    assert shared[0].text == f"Luna, Nova: {EARLY.message}"
    assert shared[0].cause == "holds"


def test_the_same_code_in_other_words_stays_apart():
    later = Alert(EARLY.code, EARLY.level, EARLY.message + " Pick-ups from about 9 December.")

    shared = merge([("Luna", [EARLY]), ("Nova", [later])])

    assert [a.names for a in shared] == [("Luna",), ("Nova",)]


def test_the_worst_comes_first_and_otherwise_as_raised():
    shared = merge([("Luna", [TAIL, EARLY]), ("Nova", [EARLY, FEAR])])

    assert [a.code for a in shared] == ["stop_session", "tail_lift", "pickup_too_early"]
    assert worst(shared) == "stop"
    assert worst(merge([("Luna", [TAIL])])) == "warning"
    assert worst([]) is None


def test_a_name_is_said_once_even_if_an_alert_is_raised_twice_for_it():
    assert merge([("Luna", [EARLY, EARLY])])[0].names == ("Luna",)


def test_names_read_as_a_keeper_says_them():
    from gentling.domain.alert_summary import and_list

    assert [and_list([]), and_list(["Luna"]), and_list(["Luna", "Nova"]), and_list(["Luna", "Nova", "Pip"])] == [
        "",
        "Luna",
        "Luna and Nova",
        "Luna, Nova and Pip",
    ]
