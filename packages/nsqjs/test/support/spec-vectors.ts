// Reads the test vectors out of docs/nsq-envelope.md, so that the specification the Go and
// Java implementations are written from and the tests of this package cannot drift apart.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface SpecVector {
  readonly name: string;
  /** True: an encoder must produce `envelope` exactly; false: decode only. */
  readonly encode: boolean;
  /** Undefined for a vector that is not an envelope. */
  readonly expected:
    | { readonly version: number; readonly headers: Record<string, string>; readonly payload: Buffer }
    | undefined;
  readonly envelope: Buffer;
  readonly length: number | undefined;
  readonly sha256: string | undefined;
}

export const SPEC_PATH = fileURLToPath(new URL('../../../../docs/nsq-envelope.md', import.meta.url));

/** `5a × 70000` or hex tokens separated by spaces; anything else is a typo in the spec. */
function parseHex(text: string, where: string): Buffer {
  const source = text.replace(/#.*$/, '').trim();
  if (source === '') return Buffer.alloc(0);
  const repeat = /^([0-9a-f]{2}) × (\d+)$/.exec(source);
  if (repeat) return Buffer.alloc(Number(repeat[2]), Number.parseInt(repeat[1]!, 16));
  const parts = source.split(/\s+/).map((token) => {
    if (!/^(?:[0-9a-f]{2})+$/.test(token)) throw new Error(`spec vector ${where}: "${token}" is not hex`);
    return Buffer.from(token, 'hex');
  });
  return Buffer.concat(parts);
}

function parseBlock(block: string): SpecVector {
  const fields = new Map<string, string>();
  const envelopeLines: string[] = [];
  let inEnvelope = false;
  for (const line of block.split('\n')) {
    if (line.trim() === '') continue;
    const field = /^([a-z0-9]+):\s?(.*)$/.exec(line);
    if (field && !line.startsWith(' ')) {
      inEnvelope = field[1] === 'envelope';
      if (!inEnvelope) fields.set(field[1]!, field[2]!);
      else if (field[2]!.replace(/#.*$/, '').trim() !== '') envelopeLines.push(field[2]!);
    } else if (inEnvelope) {
      envelopeLines.push(line);
    } else {
      throw new Error(`spec vector: unexpected line "${line}"`);
    }
  }
  const name = fields.get('name') ?? '?';
  const envelope = Buffer.concat(envelopeLines.map((line) => parseHex(line, name)));
  const notEnvelope = fields.get('result')?.replace(/#.*$/, '').trim() === 'not an envelope';
  const clean = (key: string) => fields.get(key)?.replace(/\s+#.*$/, '').trim();
  return {
    name,
    encode: clean('encode') === 'yes',
    expected: notEnvelope
      ? undefined
      : {
          version: Number(clean('version')),
          headers: JSON.parse(clean('headers') ?? 'null') as Record<string, string>,
          payload: parseHex(fields.get('payload') ?? '', name),
        },
    envelope,
    length: fields.has('length') ? Number(clean('length')) : undefined,
    sha256: clean('sha256'),
  };
}

/** Every ```envelope-vector block of the specification, in order. */
export function readSpecVectors(): SpecVector[] {
  const text = readFileSync(SPEC_PATH, 'utf8');
  return [...text.matchAll(/```envelope-vector\n([\s\S]*?)```/g)].map((match) => parseBlock(match[1]!));
}
