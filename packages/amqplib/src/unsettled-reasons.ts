/**
 * Why a consumer span ended without a settlement. Nothing is thrown in either case: the
 * span gets status ERROR with `message`, and `error.type` set to `type`.
 */
export interface UnsettledReason {
  readonly type: string;
  readonly message: string;
}

/** The channel closed (or the connection dropped) while the message was unsettled. */
export const CHANNEL_CLOSED: UnsettledReason = {
  type: 'ChannelClosedError',
  message: 'the channel closed before the message was settled',
};

/** The message was not settled within `settleTimeoutMs`. */
export function settleTimeout(timeoutMs: number): UnsettledReason {
  return { type: 'SettleTimeoutError', message: `the message was not settled within ${timeoutMs} ms` };
}
