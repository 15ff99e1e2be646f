"""The rules in force, indexed by the trends they watch; reloaded when their generation moves."""

from __future__ import annotations

from collections import defaultdict

from app.domain.alerts import AlertRule, TrendState
from app.storage.alerts import generation
from app.storage.alerts.rules import AlertRuleRepository
from app.storage.alerts.watchlists import WatchlistRepository
from app.storage.database import Database


class RuleIndex:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._generation: int | None = None
        self._by_slug: dict[str, list[AlertRule]] = {}
        self._by_category: dict[str, list[AlertRule]] = {}
        self.rule_count = 0

    async def refresh(self) -> None:
        """Reloads every rule and watchlist if any was written since the last load (one
        small read otherwise)."""
        current = await generation.current(self._database)
        if current == self._generation:
            return
        # Read after the generation: a rule written meanwhile is loaded now and loaded
        # again next time, never missed.
        rules = await AlertRuleRepository(self._database).every_rule()
        watchlists = await WatchlistRepository(self._database).all()
        by_slug: defaultdict[str, list[AlertRule]] = defaultdict(list)
        by_category: defaultdict[str, list[AlertRule]] = defaultdict(list)
        for rule in rules:
            target = rule.target
            if target.slug is not None:
                by_slug[target.slug].append(rule)
            elif target.category is not None:
                by_category[target.category].append(rule)
            elif target.watchlist_id is not None:
                for slug in watchlists.get(target.watchlist_id, ()):
                    by_slug[slug].append(rule)
        self._by_slug, self._by_category = dict(by_slug), dict(by_category)
        self._generation = current
        self.rule_count = len(rules)

    def for_trend(self, before: TrendState | None, after: TrendState) -> list[AlertRule]:
        """The rules watching the trend, by its slug or category before or after the write."""
        found: dict[str, AlertRule] = {}
        for state in (after, before):
            if state is None:
                continue
            for rule in self._by_slug.get(state.slug, ()):
                found[rule.id] = rule
            if state.category is not None:
                for rule in self._by_category.get(state.category, ()):
                    found[rule.id] = rule
        return list(found.values())
