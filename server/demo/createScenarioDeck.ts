import type { DemoScenario } from './demoScenarios.ts';

/**
 * Deals scenarios like a shuffled deck shared by all agents: every script is played once before any
 * repeats, so agents running side by side rarely work on the same task at the same time.
 */
export function createScenarioDeck(scenarios: readonly DemoScenario[]): () => DemoScenario {
  let deck: DemoScenario[] = [];
  let last: DemoScenario | undefined;
  return function dealScenario() {
    if (deck.length === 0) {
      deck = [...scenarios];
      // Fisher–Yates, then keep the previous deck's last card off the top so nothing plays twice in a row.
      for (let i = deck.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [deck[i], deck[j]] = [deck[j]!, deck[i]!];
      }
      if (deck.length > 1 && deck.at(-1) === last) deck.unshift(deck.pop()!);
    }
    last = deck.pop()!;
    return last;
  };
}
