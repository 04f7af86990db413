// Header values that are almost right: built from each format's grammar, then bent (wrong
// lengths, case, separators, whitespace, counts past the limits, bad escapes), so that the
// fuzzer reaches deep into every parser instead of failing its first check.
import fc from 'fast-check';

const hexChars = fc.constantFrom(...'0123456789abcdef');
const anyHexChars = fc.constantFrom(...'0123456789abcdefABCDEF');
const hex = (min: number, max = min) => fc.string({ unit: hexChars, minLength: min, maxLength: max });
const looseHex = (min: number, max: number) => fc.string({ unit: anyHexChars, minLength: min, maxLength: max });

/** Optional whitespace, sometimes a lot of it, sometimes characters that are not OWS. */
const ows = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom('\r\n', '\0', '\u00a0', '\v', ' '.repeat(40)) },
);

/** A separator that is usually right. */
const sep = (right: string, ...wrong: string[]) =>
  fc.oneof({ weight: 12, arbitrary: fc.constant(right) }, { weight: 1, arbitrary: fc.constantFrom('', ...wrong) });

const zeros = (n: number) => '0'.repeat(n);

const traceId = fc.oneof({ weight: 8, arbitrary: hex(32) }, { weight: 1, arbitrary: fc.constant(zeros(32)) }, { weight: 1, arbitrary: looseHex(0, 40) });
const spanId = fc.oneof({ weight: 8, arbitrary: hex(16) }, { weight: 1, arbitrary: fc.constant(zeros(16)) }, { weight: 1, arbitrary: looseHex(0, 20) });

export const traceparentValue: fc.Arbitrary<string> = fc
  .tuple(
    ows,
    fc.oneof({ weight: 8, arbitrary: fc.constant('00') }, { weight: 2, arbitrary: looseHex(2, 2) }, { weight: 1, arbitrary: fc.constantFrom('ff', '0', '000', 'zz') }),
    sep('-', '_', ' '),
    traceId,
    sep('-', '_'),
    spanId,
    sep('-', ':'),
    fc.oneof({ weight: 8, arbitrary: hex(2) }, { weight: 1, arbitrary: fc.constantFrom('ff', 'FF', '1', '001', 'g0') }),
    fc.oneof({ weight: 8, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('-', '-extra', '-00', 'x') }, { weight: 1, arbitrary: fc.string({ maxLength: 500 }).map((s) => `-${s}`) }),
    ows,
  )
  .map((parts) => parts.join(''));

const tsKeyChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_-*/@');
const tsKey = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...'abcxyz019'), fc.string({ unit: tsKeyChar, maxLength: 12 })).map(([a, b]) => a + b) },
  { weight: 1, arbitrary: fc.tuple(fc.string({ unit: tsKeyChar, minLength: 1, maxLength: 10 }), fc.string({ unit: tsKeyChar, minLength: 1, maxLength: 13 })).map(([t, s]) => `${t}@${s}`) },
  { weight: 1, arbitrary: fc.constantFrom('', 'A', 'Key', '-a', 'a b', 'a=b', 'ü', 'k'.repeat(257), 'k'.repeat(256)) },
);
const tsValue = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: fc.constantFrom(...'abcXYZ019!#~:/+ '), minLength: 1, maxLength: 16 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'a ', 'a,b', 'a=b', '\u007f', 'é', 'v'.repeat(256), 'v'.repeat(257)) },
);
const tsMember = fc.oneof(
  { weight: 10, arbitrary: fc.tuple(ows, tsKey, sep('=', ':'), tsValue, ows).map((p) => p.join('')) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t', '=', 'novalue') },
);

export const tracestateValue: fc.Arbitrary<string> = fc
  .array(tsMember, { maxLength: 40 })
  .chain((members) => fc.tuple(fc.constant(members), fc.boolean()))
  .map(([members, dup]) => (dup && members.length > 0 ? [...members, members[0]!] : members).join(','));

const tokenChars = fc.constantFrom(...'abcXYZ09!#$&\'*+-.^_`|~');
const octetChars = fc.constantFrom(...'abcXYZ09!#$&\'()*+-./:<=>?@[]^_`{|}~');
const bgValue = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: octetChars, maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }).map((s) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'))) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%2', '%zz', '%FF%FE', '%C0%80', '%ED%A0%80', 'a b', 'a"b', 'a\\b', 'v'.repeat(9000)) },
);
const bgProperty = fc.oneof(
  fc.string({ unit: tokenChars, minLength: 1, maxLength: 6 }),
  fc.tuple(fc.string({ unit: tokenChars, minLength: 1, maxLength: 6 }), ows, ows, fc.string({ unit: octetChars, maxLength: 6 })).map(([k, a, b, v]) => `${k}${a}=${b}${v}`),
  fc.constantFrom('', ' ', '=', 'a b', ';'),
);
const bgMember = fc.oneof(
  {
    weight: 10,
    arbitrary: fc
      .tuple(ows, fc.string({ unit: tokenChars, minLength: 1, maxLength: 10 }), ows, sep('=', ':'), ows, bgValue, fc.array(bgProperty, { maxLength: 3 }), ows)
      .map(([a, key, b, eq, c, value, props, d]) => `${a}${key}${b}${eq}${c}${value}${props.map((p) => `;${p}`).join('')}${d}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '=', '=v', 'k', 'k=v;', 'ü=1', '__proto__=x', 'constructor=y', 'k=' + 'x'.repeat(8200)) },
);

export const baggageValue: fc.Arbitrary<string> = fc.array(bgMember, { maxLength: 90 }).map((members) => members.join(','));

export const b3Value: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(ows, traceId, sep('-', '_'), spanId, fc.option(fc.tuple(sep('-', ':'), fc.constantFrom('0', '1', 'd', 'D', 'true', '2', ''))), fc.option(fc.tuple(sep('-'), spanId)), ows)
    .map(([a, t, s1, sp, st, parent, b]) => `${a}${t}${s1}${sp}${st === null ? '' : st.join('')}${parent === null ? '' : parent.join('')}${b}`),
  fc.constantFrom('0', '1', 'd', '', '-', 'true', '00000000000000000000000000000000-0000000000000000-1'),
  hex(16).map((h) => `${h}-${h}`),
);

export const b3MultiValue: fc.Arbitrary<string> = fc.oneof(traceId, spanId, fc.constantFrom('0', '1', 'd', 'true', 'false', 'True', ' 1', '1 ', '2', ''));

export const uberTraceIdValue: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(looseHex(0, 34), sep(':', '%3A', '%3a', '-'), looseHex(0, 18), sep(':', '%3A'), looseHex(0, 17), sep(':', '%3A'), looseHex(0, 3))
    .map((p) => p.join('')),
  fc.constantFrom('', ':::', '0:0:0:0', '%', '%E0%A4%A', '1:1:0:1', 'abc:def:0:1:extra'),
);

/** Any of the above: a value that one of the formats almost accepts. */
export const nearValidValue: fc.Arbitrary<string> = fc.oneof(traceparentValue, tracestateValue, baggageValue, b3Value, b3MultiValue, uberTraceIdValue);
