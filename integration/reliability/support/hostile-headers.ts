// Headers a hostile (or merely careless) producer writes by hand, far past the W3C limits.

export const PRODUCER = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' } as const;
export const TRACEPARENT = `00-${PRODUCER.traceId}-${PRODUCER.spanId}-01`;

/** 32 members (the most W3C allows) of 250 characters: valid, but 8 KB where 512 characters travel. */
export const BIG_TRACESTATE_MEMBERS = Array.from({ length: 32 }, (_, i) => `vendor${String(i).padStart(2, '0')}=${'v'.repeat(241)}`);
/** Two small members among the large: truncation keeps these, dropping large entries first. */
export const MIXED_TRACESTATE_MEMBERS = [`small0=${'s'.repeat(20)}`, ...BIG_TRACESTATE_MEMBERS.slice(0, 20), `small1=${'s'.repeat(20)}`];
/** 40 members: past the 32 W3C allows, so the whole tracestate is discarded. */
export const TOO_MANY_TRACESTATE_MEMBERS = Array.from({ length: 40 }, (_, i) => `k${i}=v${i}`);
/** 200 baggage members of about 100 bytes: 20 KB, where 64 members / 8192 bytes travel. */
export const BIG_BAGGAGE_MEMBERS = Array.from({ length: 200 }, (_, i) => `key${String(i).padStart(3, '0')}=${'b'.repeat(93)}`);

export const W3C_TRACESTATE_PROPAGATED = 512;
export const W3C_BAGGAGE_MEMBERS = 64;
export const W3C_BAGGAGE_BYTES = 8192;
