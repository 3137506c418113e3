import { type Accessor, createComponent, createContext, createSignal, type JSX, useContext } from 'solid-js';

/** Where a part of a mounted timeline row remembers things: a path within the row, one map per timeline. */
interface RowScope {
  path: string;
  /** Slots handed out under this path in this mount, in render order. */
  next: number;
  memory: Map<string, boolean>;
}

/** Set by the Timeline around each row; absent elsewhere (then nothing is remembered). */
export const RowScopeContext = createContext<RowScope>();

/** The scope of one mount of the row `key`, remembering into `memory`. */
export function createRowScope(memory: Map<string, boolean>, key: string): RowScope {
  return { path: key, next: 0, memory };
}

/** A toggle that survives its row being unmounted, and the scope its own contents render in. */
export interface RememberedToggle {
  open: Accessor<boolean>;
  setOpen(open: boolean): void;
  /** Wrap what the toggle shows in this, so toggles inside it are numbered under it. */
  Inside(props: { children: JSX.Element }): JSX.Element;
}

/**
 * An open/closed toggle that survives virtualization: a row scrolled out of the rendered window is
 * unmounted, and when it comes back its thoughts, blocks and folds open as the viewer left them.
 * Toggles are numbered in render order under their parent toggle, so opening one never renumbers
 * its siblings.
 */
export function createRememberedToggle(initial: boolean): RememberedToggle {
  const scope = useContext(RowScopeContext);
  const slot = scope ? `${scope.path}/${scope.next++}` : undefined;
  const [open, setOpenSignal] = createSignal(
    slot === undefined ? initial : (scope!.memory.get(slot) ?? initial),
  );
  return {
    open,
    setOpen(value) {
      setOpenSignal(value);
      if (slot !== undefined) scope!.memory.set(slot, value);
    },
    Inside(props) {
      if (!scope || slot === undefined) return props.children;
      const inner: RowScope = { path: slot, next: 0, memory: scope.memory };
      return createComponent(RowScopeContext.Provider, {
        value: inner,
        get children() {
          return props.children;
        },
      });
    },
  };
}
