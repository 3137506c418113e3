/**
 * One attacker process of `abuse.bench.ts`:
 * `node --import tsx test/bench/abuse/attacker.ts <mode> <url> <token> <seconds> <source> <sessionId>`.
 * Prints `ready` once the attack is running and `report <json>` when it ends — on SIGTERM or after
 * `<seconds>`, whichever comes first.
 */
import type { Attack, AttackMode } from './attackOptions.ts';
import { batchAmplification } from './batchAmplification.ts';
import { deepNesting } from './deepNesting.ts';
import { eventFlood } from './eventFlood.ts';
import { slowloris } from './slowloris.ts';
import { subscriptionFlood } from './subscriptionFlood.ts';

const ATTACKS: Record<AttackMode, Attack> = {
  'batch-amplification': batchAmplification,
  'deep-nesting': deepNesting,
  'event-flood': eventFlood,
  slowloris,
  'subscription-flood': subscriptionFlood,
};

const [mode, url, token, seconds, source, sessionId] = process.argv.slice(2);
const attack = ATTACKS[mode as AttackMode];
if (!attack || !url || !token || !source || !sessionId || !(Number(seconds) > 0)) {
  process.stderr.write(
    `usage: attacker.ts <${Object.keys(ATTACKS).join('|')}> <url> <token> <seconds> <source> <sessionId>\n`,
  );
  process.exit(2);
}

const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
// The attacker's own bound: it stops even if the bench that started it is gone.
const deadline = setTimeout(() => stop.abort(), Number(seconds) * 1000);

const report = await attack({
  url,
  token,
  source,
  sessionId,
  signal: stop.signal,
  ready: () => process.stdout.write('ready\n'),
});
clearTimeout(deadline);
process.stdout.write(`report ${JSON.stringify(report)}\n`);
// Sockets the server still holds half-open must not keep this process alive past its report.
setTimeout(() => process.exit(0), 2000).unref();
