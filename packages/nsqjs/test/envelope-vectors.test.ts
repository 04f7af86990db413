import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from '../src/index.js';
import { readSpecVectors } from './support/spec-vectors.js';

const vectors = readSpecVectors();
const valid = vectors.filter((vector) => vector.expected !== undefined);
const invalid = vectors.filter((vector) => vector.expected === undefined);

describe('docs/nsq-envelope.md test vectors', () => {
  it('has the vectors the specification promises', () => {
    expect(valid.map((vector) => vector.name)).toEqual([
      'empty-headers',
      'several-headers',
      'non-ascii',
      'empty-payload',
      'large-payload',
      'b3-multi-binary',
      'future-version',
    ]);
    expect(invalid).toHaveLength(16);
    expect(new Set(vectors.map((vector) => vector.name)).size).toBe(vectors.length);
  });

  it.each(valid.filter((vector) => vector.encode).map((vector) => [vector.name, vector] as const))(
    'encodes %s byte for byte',
    (_name, vector) => {
      const encoded = encodeEnvelope(vector.expected!.payload, vector.expected!.headers);
      expect(encoded.toString('hex')).toBe(vector.envelope.toString('hex'));
    },
  );

  it.each(valid.map((vector) => [vector.name, vector] as const))('decodes %s', (_name, vector) => {
    const decoded = decodeEnvelope(vector.envelope);
    expect(decoded).toBeDefined();
    expect(decoded!.version).toBe(vector.expected!.version);
    expect(decoded!.headers).toEqual(vector.expected!.headers);
    expect(Object.keys(decoded!.headers)).toEqual(Object.keys(vector.expected!.headers));
    expect(decoded!.body.equals(vector.expected!.payload)).toBe(true);
  });

  it('checks the whole large-payload envelope by length and SHA-256', () => {
    const large = valid.find((vector) => vector.name === 'large-payload')!;
    expect(large.envelope.length).toBe(70_072);
    expect(large.length).toBe(70_072);
    expect(createHash('sha256').update(large.envelope).digest('hex')).toBe(large.sha256);
    expect(large.envelope.subarray(68, 72).toString('hex')).toBe('00011170');
  });

  it.each(invalid.map((vector) => [vector.name, vector] as const))('rejects %s', (_name, vector) => {
    expect(decodeEnvelope(vector.envelope)).toBeUndefined();
  });
});
