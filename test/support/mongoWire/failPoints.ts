import type { Doc } from './bsonValues.ts';
import { isPlainObject, toNumber } from './bsonValues.ts';
import { CommandError } from './commandError.ts';

/** How often a fail point fires, as in `configureFailPoint`'s `mode`. */
export type FailPointMode = 'alwaysOn' | 'off' | { times: number } | { skip: number };

/** `data` of the `failCommand` fail point (the subset of mongod's options this server implements). */
export interface FailCommandData {
  failCommands: string[];
  closeConnection?: boolean;
  errorCode?: number;
  errorLabels?: string[];
  blockConnection?: boolean;
  blockTimeMS?: number;
  writeConcernError?: Doc;
  /** Only commands from connections whose handshake named this application. */
  appName?: string;
}

/** `data` of `onPrimaryTransactionalWrite`: fires on retryable writes, after the write is applied. */
export interface TransactionalWriteData {
  /** Close the connection instead of replying, after the write was applied. @default true */
  closeConnection?: boolean;
  /** Fail with this code before applying the write instead (after closing the connection, by default). */
  failBeforeCommitExceptionCode?: number;
}

/** `data` of `failGetMoreAfterCursorCheckout`: fails a getMore once its cursor is found. */
export interface GetMoreAfterCheckoutData {
  errorCode?: number;
  closeConnection?: boolean;
}

/** The fail points this server knows. */
export type FailPointName = 'failCommand' | 'onPrimaryTransactionalWrite' | 'failGetMoreAfterCursorCheckout';

const NAMES: ReadonlySet<string> = new Set<FailPointName>([
  'failCommand',
  'onPrimaryTransactionalWrite',
  'failGetMoreAfterCursorCheckout',
]);

interface ActiveFailPoint {
  mode: FailPointMode;
  data: Doc;
  timesEntered: number;
}

function parseMode(mode: unknown): FailPointMode {
  if (mode === 'alwaysOn' || mode === 'off') return mode;
  if (isPlainObject(mode) && Object.keys(mode).length === 1) {
    if (mode.times !== undefined) return { times: toNumber(mode.times) };
    if (mode.skip !== undefined) return { skip: toNumber(mode.skip) };
  }
  throw new CommandError(
    9,
    `mode must be 'alwaysOn', 'off', {times: n} or {skip: n}; got ${JSON.stringify(mode)}`,
  );
}

function parseFailCommandData(data: unknown): FailCommandData {
  if (
    !isPlainObject(data) ||
    !Array.isArray(data.failCommands) ||
    data.failCommands.some((c) => typeof c !== 'string')
  ) {
    throw new CommandError(9, 'failCommand fail point needs data.failCommands, an array of command names');
  }
  if (data.errorCode !== undefined && !Number.isInteger(data.errorCode))
    throw new CommandError(9, 'errorCode must be an integer');
  if (data.errorLabels !== undefined && !Array.isArray(data.errorLabels))
    throw new CommandError(9, 'errorLabels must be an array');
  return data as unknown as FailCommandData;
}

/** Fail points as configured by `configureFailPoint` or the server's JS API. They survive stop()/start(). */
export class FailPoints {
  private readonly active = new Map<FailPointName, ActiveFailPoint>();

  /** Sets a fail point; returns how many times it had fired (mongod answers `{count}`). */
  configure(name: string, rawMode: unknown, rawData: unknown = {}): number {
    if (!NAMES.has(name)) {
      throw new CommandError(2, `mongo wire test server: unknown fail point ${name}`);
    }
    const mode = parseMode(rawMode);
    const data = name === 'failCommand' && mode !== 'off' ? parseFailCommandData(rawData) : (rawData ?? {});
    const previous = this.active.get(name as FailPointName)?.timesEntered ?? 0;
    if (mode === 'off') this.active.delete(name as FailPointName);
    else this.active.set(name as FailPointName, { mode, data: data as Doc, timesEntered: 0 });
    return previous;
  }

  /** Turns every fail point off. */
  clear(): void {
    this.active.clear();
  }

  private fire(name: FailPointName, applies: (data: Doc) => boolean): Doc | null {
    const fp = this.active.get(name);
    if (!fp || !applies(fp.data)) return null;
    const { mode } = fp;
    if (typeof mode === 'object' && 'skip' in mode) {
      if (mode.skip > 0) {
        mode.skip--;
        return null;
      }
    } else if (typeof mode === 'object') {
      if (mode.times <= 0) return null;
      mode.times--;
    }
    fp.timesEntered++;
    return fp.data;
  }

  /** The failCommand data if it fires for this command (consuming one of its `times`), else null. */
  failCommand(commandName: string, appName: string | undefined): FailCommandData | null {
    return this.fire('failCommand', (d) => {
      const data = d as unknown as FailCommandData;
      return (
        data.failCommands.includes(commandName) && (data.appName === undefined || data.appName === appName)
      );
    }) as FailCommandData | null;
  }

  /** The onPrimaryTransactionalWrite data if it fires for a retryable write, else null. */
  transactionalWrite(): TransactionalWriteData | null {
    return this.fire('onPrimaryTransactionalWrite', () => true) as TransactionalWriteData | null;
  }

  /** The failGetMoreAfterCursorCheckout data if it fires for a getMore, else null. */
  getMoreAfterCheckout(): GetMoreAfterCheckoutData | null {
    return this.fire('failGetMoreAfterCursorCheckout', () => true) as GetMoreAfterCheckoutData | null;
  }
}
