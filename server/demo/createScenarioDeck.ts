import type { DemoScenario } from './demoScenarios.ts';

function shuffled(scenarios: readonly DemoScenario[]): DemoScenario[] {
  const deck = [...scenarios];
  for (let i = deck.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [deck[i], deck[j]] = [deck[j]!, deck[i]!];
  }
  return deck;
}

/**
 * Deals scenarios like a shuffled deck shared by all agents: every script is played once before any
 * repeats, so agents running side by side rarely work on the same task at the same time. The deal
 * skips the caller's previous scenario, so no agent plays the same script twice in a row.
 */
export function createScenarioDeck(
  scenarios: readonly DemoScenario[],
): (previous?: DemoScenario) => DemoScenario {
  const deck: DemoScenario[] = [];
  return function dealScenario(previous) {
    if (!deck.some((s) => s !== previous)) deck.unshift(...shuffled(scenarios));
    // Take the top card, or the highest one that differs from the previous (the deck is used top-down).
    const i = deck.findLastIndex((s) => s !== previous);
    return deck.splice(i === -1 ? deck.length - 1 : i, 1)[0]!;
  };
}
