/**
 * A publish whose enveloped message would be larger than nsqd accepts (`--max-msg-size`,
 * the writer's `maxMessageSize` option). It is raised before anything is sent, and given to
 * the publish callback — or thrown when there is none — the way nsqjs reports its own
 * checks. Without it nsqd would answer `E_BAD_MESSAGE` and close the connection.
 */
export class MessageTooLargeError extends Error {
  override readonly name = 'MessageTooLargeError';
  /** The topic of the publish. */
  readonly topic: string;
  /** The size the message would have had on the wire, envelope included, in bytes. */
  readonly size: number;
  /** The limit it exceeds (`maxMessageSize`). */
  readonly limit: number;

  constructor(topic: string, size: number, limit: number) {
    super(
      `tracehop: a message for NSQ topic "${topic}" would be ${size} bytes with its trace envelope, ` +
        `over nsqd's --max-msg-size of ${limit} bytes; nothing was sent. Make the payload smaller, ` +
        'set maxMessageSize to the limit nsqd really runs with, or publish this topic without the envelope.',
    );
    this.topic = topic;
    this.size = size;
    this.limit = limit;
  }
}

/**
 * Recorded (never thrown) on a `process` span whose message was neither finished nor
 * requeued before its timeout: nsqd considers it failed and will deliver it again.
 */
export class MessageTimeoutError extends Error {
  override readonly name = 'MessageTimeoutError';

  constructor(id: string) {
    super(`tracehop: NSQ message ${id} was neither finished nor requeued before its timeout; nsqd will redeliver it`);
  }
}
