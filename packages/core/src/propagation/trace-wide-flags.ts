import { B3_DEBUG_FLAG_KEY } from './b3-propagator.js';
import { JAEGER_DEBUG_FLAG_KEY } from './jaeger-propagator.js';
import { RANDOM_TRACE_ID_FLAG_KEY } from './random-trace-id-flag.js';

/**
 * Every context key whose value belongs to the trace rather than to one hop: the B3 debug
 * flag (propagators spec, "B3 Extract": "MUST preserve a debug trace flag … and propagate
 * it"), the Jaeger debug flag, and the W3C random-trace-id flag as received
 * (`RANDOM_TRACE_ID_FLAG_KEY`). Whatever builds a consumer's context from an inbound one
 * carries these values across, so that what the handler sends continues the trace with them.
 */
export const TRACE_WIDE_FLAG_KEYS: readonly symbol[] = Object.freeze([B3_DEBUG_FLAG_KEY, JAEGER_DEBUG_FLAG_KEY, RANDOM_TRACE_ID_FLAG_KEY]);
