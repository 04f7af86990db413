import type { UnsettledReason } from '@tracehop/core';

/** The channel closed (or the connection dropped) while the message was unsettled. */
export const CHANNEL_CLOSED: UnsettledReason = {
  type: 'ChannelClosedError',
  message: 'the channel closed before the message was settled',
};

/** The message was not settled within `settleTimeoutMs`. */
export function settleTimeout(timeoutMs: number): UnsettledReason {
  return { type: 'SettleTimeoutError', message: `the message was not settled within ${timeoutMs} ms` };
}
