"""`matching_decision` keeps exactly `decide_pair`'s matches while sparing hopeless pairs."""

from __future__ import annotations

import dataclasses

import pytest

from mucluc.core.dedup.compare import ComparisonWeights, leading_evidence, most_remaining_weight
from mucluc.core.dedup.decide import DedupPolicy, decide_pair, matching_decision
from mucluc.core.dedup.keys import candidate_pairs
from mucluc.core.dedup.profile import MatchProfile, profile_marc_record
from mucluc.demo.corpus import generate_corpus

# Weights pushed around, so the ceiling is taken from the policy, not from the defaults.
POLICIES = {
    "default": DedupPolicy(),
    "generous": DedupPolicy(
        weights=dataclasses.replace(
            ComparisonWeights(), authors_same=6.0, pages_near=3.0, publisher_different=1.5
        )
    ),
    "strict": DedupPolicy(threshold=8.0),
}


@pytest.fixture(scope="module")
def block_pairs() -> list[tuple[MatchProfile, MatchProfile]]:
    """The cross-library pairs that blocking brings together in generated records."""
    profiles = [
        profile_marc_record(record, str(number), code)
        for number, (code, record) in enumerate(generate_corpus(4_000, seed=7))
    ]
    every_block = len(profiles)  # no block is crowded: every pair blocking can make
    return [
        (left, right)
        for left, right in candidate_pairs(profiles, None, every_block)
        if left.library != right.library
    ]


@pytest.mark.parametrize("name", POLICIES)
def test_the_same_matches_with_the_same_evidence_as_decide_pair(
    name: str, block_pairs: list[tuple[MatchProfile, MatchProfile]]
) -> None:
    policy = POLICIES[name]
    for left, right in block_pairs:
        decision = decide_pair(left, right, policy)
        assert matching_decision(left, right, policy) == (decision if decision.is_match else None)


def test_most_pairs_are_settled_by_identifiers_and_titles(
    block_pairs: list[tuple[MatchProfile, MatchProfile]],
) -> None:
    policy = POLICIES["default"]
    ceiling = most_remaining_weight(policy.weights)
    settled = sum(
        1
        for left, right in block_pairs
        if sum(item.weight for item in leading_evidence(left, right, policy.weights)) + ceiling
        < policy.threshold
    )
    assert settled > len(block_pairs) / 2
