// The JSON-line contract of the Go and Java peers (go/report.go, java/.../JsonLines.java).

/** A span context as a peer reports it. */
export interface PeerSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
  /** The whole trace-flags byte, two hex digits: `01` sampled, `02` random trace id (W3C level 2). */
  readonly flags: string;
  readonly remote: boolean;
}

/** A message a peer produced (`span`: the injected producer span) or consumed. */
export interface MessageEvent {
  readonly event: 'produced' | 'consumed';
  readonly peer: 'go' | 'java';
  readonly broker: string;
  readonly format: string;
  readonly destination: string;
  /** The payload, without any NSQ envelope. */
  readonly body: string;
  /** Consumers: the context read from the message; absent when none was valid. */
  readonly extracted?: PeerSpan;
  /** Producers: the span injected; consumers: the span the peer started to process the message. */
  readonly span: PeerSpan;
  readonly baggage: Readonly<Record<string, string>>;
  /** The message's headers as on the wire: [name, value], name case and repeats kept. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

export type PeerEvent =
  | MessageEvent
  | { readonly event: 'ready'; readonly peer: string; readonly destination: string }
  | { readonly event: 'done'; readonly peer: string; readonly count: number }
  | { readonly event: 'error'; readonly peer: string; readonly message: string }
  /** `envelope-vectors`: one line per test vector of docs/nsq-envelope.md; `problem` is '' when it passes. */
  | { readonly event: 'vector'; readonly peer: string; readonly name: string; readonly problem: string };

export function isMessage(event: PeerEvent, kind: MessageEvent['event']): event is MessageEvent {
  return event.event === kind;
}
