/** At most one pending timeout per name; setting a name again replaces its timeout. */
export interface NamedTimers<TName extends string> {
  set(name: TName, ms: number, fire: () => void): void;
  clear(name: TName): void;
}

/** A small bag of named timeouts, so a shell can cancel "the retry" without keeping handles. */
export function createNamedTimers<TName extends string>(): NamedTimers<TName> {
  const pending = new Map<TName, ReturnType<typeof setTimeout>>();
  const clear = (name: TName) => {
    clearTimeout(pending.get(name));
    pending.delete(name);
  };
  return {
    set(name, ms, fire) {
      clear(name);
      pending.set(
        name,
        setTimeout(() => {
          pending.delete(name);
          fire();
        }, ms),
      );
    },
    clear,
  };
}
