// Which propagators the fuzz tests run: every single format, and mixed lists as
// OTEL_PROPAGATORS could spell them (any order, repeats, case, blanks, unknown names, none).
import fc from 'fast-check';

export const SINGLE_FORMATS = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger'] as const;

/** Fixed lists worth covering on every run: the defaults and the migration sets. */
export const FIXED_LISTS = [
  'tracecontext,baggage',
  'tracecontext,b3,b3multi',
  'b3multi,tracecontext,baggage',
  'jaeger,baggage,tracecontext',
  'tracecontext,baggage,b3,b3multi,jaeger',
  'none',
  '',
] as const;

const nameArb = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...SINGLE_FORMATS) },
  { weight: 1, arbitrary: fc.constantFrom('none', 'NONE', ' TraceContext ', 'B3Multi', 'xray', 'ottrace', '', '__proto__', 'constructor') },
);

/** A propagator list as a comma-separated string or an array. */
export const propagatorList: fc.Arbitrary<string | string[]> = fc.oneof(
  fc.constantFrom<string>(...SINGLE_FORMATS, ...FIXED_LISTS),
  fc.array(nameArb, { minLength: 1, maxLength: 6 }),
  fc.array(nameArb, { minLength: 1, maxLength: 6 }).map((names) => names.join(',')),
);

/** Settings of the propagator registry. */
export const settingsArb = fc.record({ b3CanonicalCase: fc.boolean() });
