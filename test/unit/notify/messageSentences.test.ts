// The team's channel reads these at 3 a.m.: a reason typed with its own full stop or quotes
// must not come out as `because "api is down"..` in any of the messages.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatRollbackMessage, type MessageContext } from '../../../src/core/notify/format';

const ctx = (reason: string): MessageContext => ({ from: 'v1.4.0', to: 'v1.3.0', environment: 'production', elapsedMs: 95_000, reason }) as MessageContext;

describe('the team messages quote the typed reason as one clause', () => {
  for (const reason of ['api /health answers 500.', '"api /health answers 500"', 'api /health answers 500']) {
    test(`reason ${JSON.stringify(reason)}`, () => {
      for (const kind of ['start', 'escalation', 'all-clear'] as const) {
        const text = formatRollbackMessage(kind, ctx(reason));
        assert.match(text, /api \/health answers 500/, text);
        assert.doesNotMatch(text, /\.\.|"api|500"/, `${kind}: ${text}`);
      }
    });
  }
});
