/** A promise's outcome, read without letting a rejection go unhandled (for fake-timer tests). */
export function settle<T>(p: Promise<T>) {
  const outcome: { value?: T; error?: unknown; done: boolean } = { done: false };
  p.then(
    (value) => Object.assign(outcome, { value, done: true }),
    (error) => Object.assign(outcome, { error, done: true }),
  );
  return outcome;
}
