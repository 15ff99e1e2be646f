"""Sentence templates for the four framework analyses of synthetic trends.

Each field has a few templates; one is picked per trend and filled with the trend's name,
its category (in running text) and one of its tags, so analyses read plausibly and differ
between trends without any text generation model.
"""

from __future__ import annotations

import random

Templates = dict[str, dict[str, tuple[str, ...]]]

TEMPLATES: Templates = {
    "decomposition": {
        "trigger": (
            "Falling costs made {name} practical for mainstream {category} use.",
            "A handful of visible launches put {name} in front of a wide audience.",
            "New tooling around {tag} lowered the barrier to trying {name}.",
        ),
        "behavior_change": (
            "People in {category} adopt {name} to do what used to take several steps.",
            "{name} is becoming the default choice for {tag}-minded early adopters.",
            "Teams and households alike fold {name} into their routine {category} decisions.",
        ),
        "enabler": (
            "Mature {tag} ecosystems and cheap infrastructure.",
            "Widespread smartphones, fast networks and a community around {tag}.",
            "Open standards that let {name} work with what people already use.",
        ),
        "constraint_removed": (
            "The need for specialist skills to get started.",
            "High up-front cost and long set-up times.",
            "Fragmented offerings that did not work together.",
        ),
    },
    "pestle": {
        "political": (
            "Governments watch {name} as part of wider {category} policy.",
            "Public funding programmes increasingly mention {tag}.",
        ),
        "economic": (
            "Lower unit costs widen the market for {name}.",
            "Investment flows into {category} start-ups building on {tag}.",
        ),
        "social": (
            "Word of mouth and online communities spread {name}.",
            "Younger audiences treat {tag} as normal rather than novel.",
        ),
        "technological": (
            "Advances in {tag} make {name} faster and more reliable.",
            "Better integration with existing {category} tools.",
        ),
        "legal": (
            "Data protection and consumer law shape how {name} is offered.",
            "Standards and certification for {tag} are still being written.",
        ),
        "environmental": (
            "Efficiency gains reduce the footprint of {category} activities.",
            "Questions remain about energy use and waste from {name}.",
        ),
    },
    "jobs_to_be_done": {
        "problem": (
            "Getting reliable {category} results without a large budget.",
            "Keeping up with {tag} without a dedicated specialist.",
        ),
        "prior_workaround": (
            "Manual processes, spreadsheets and generic tools.",
            "Expensive services or doing without.",
        ),
        "key_outcome": (
            "Doing more with less time and money.",
            "Confidence that the {category} choice made today still fits tomorrow.",
        ),
    },
    "consumer_trend_canvas": {
        "basic_need": ("Control and convenience.", "Belonging and self-expression."),
        "drivers_of_change": (
            "Cheaper technology and shifting expectations in {category}.",
            "Communities sharing what works with {tag}.",
        ),
        "emerging_consumer_needs": (
            "Simple ways to benefit from {name} without expertise.",
            "Transparency about what {name} costs and delivers.",
        ),
        "new_consumer_expectations": (
            "It should just work, on any device.",
            "Personal, flexible and fairly priced.",
        ),
        "inspirations_signals": (
            "Growing search interest and active {tag} forums.",
            "Launches and funding rounds around {name}.",
        ),
        "innovations_emerging": (
            "Bundles that pair {name} with services.",
            "Tools that make {tag} accessible to newcomers.",
        ),
    },
}


def analysis_texts(
    rng: random.Random, name: str, category: str, tags: list[str]
) -> dict[str, dict[str, str]]:
    """Every analysis field, filled for one trend: ``{analysis: {field: text}}``."""
    return {
        analysis: {
            field: rng.choice(choices).format(
                name=name, category=category, tag=rng.choice(tags).replace("-", " ")
            )
            for field, choices in fields.items()
        }
        for analysis, fields in TEMPLATES.items()
    }
