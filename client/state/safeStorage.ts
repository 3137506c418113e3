/**
 * localStorage that never throws: storage can be disabled (privacy settings, a sandboxed frame) or
 * full, and a preference that cannot be kept must not break the page.
 */
export const safeStorage = {
  get(key: string): string | null {
    try {
      return globalThis.localStorage?.getItem(key) ?? null;
    } catch {
      return null;
    }
  },
  set(key: string, value: string): void {
    try {
      globalThis.localStorage?.setItem(key, value);
    } catch {
      // Not kept past this page; the choice still applies now.
    }
  },
};
