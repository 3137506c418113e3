import { type Document, deserialize, serialize } from 'bson';

/** Wire opcodes this server understands. */
export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

/** OP_MSG flag bits. */
export const CHECKSUM_PRESENT = 1 << 0;
export const MORE_TO_COME = 1 << 1;
export const EXHAUST_ALLOWED = 1 << 16;

/** Largest message accepted, as advertised by `maxMessageSizeBytes`. */
export const MAX_MESSAGE_SIZE = 48_000_000;

const HEADER_SIZE = 16;
// Bits 0-15 are "required": a receiver must reject a message with a required bit it does not know.
const KNOWN_REQUIRED_FLAGS = CHECKSUM_PRESENT | MORE_TO_COME;

/** A decoded client request: the command document with document sequences merged in as arrays. */
export type WireRequest =
  | { kind: 'query'; requestId: number; fullCollectionName: string; command: Document }
  | { kind: 'msg'; requestId: number; flags: number; command: Document };

/** A framing or decoding failure; the connection must be closed. */
export class WireProtocolError extends Error {
  override name = 'WireProtocolError';
}

/** Splits a TCP byte stream into whole wire messages. */
export class MessageFramer {
  private pending: Buffer = Buffer.alloc(0);

  /** Adds bytes and returns every complete message (header included) now available. */
  push(chunk: Buffer): Buffer[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: Buffer[] = [];
    while (this.pending.length >= 4) {
      const length = this.pending.readInt32LE(0);
      if (length < HEADER_SIZE || length > MAX_MESSAGE_SIZE) {
        throw new WireProtocolError(`invalid message length ${length}`);
      }
      if (this.pending.length < length) break;
      messages.push(this.pending.subarray(0, length));
      this.pending = this.pending.subarray(length);
    }
    return messages;
  }
}

function readCString(buf: Buffer, offset: number): [string, number] {
  const end = buf.indexOf(0, offset);
  if (end < 0) throw new WireProtocolError('unterminated cstring');
  return [buf.toString('utf8', offset, end), end + 1];
}

function readDocument(buf: Buffer, offset: number, limit: number): [Document, number] {
  if (offset + 5 > limit) throw new WireProtocolError('truncated BSON document');
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > limit) throw new WireProtocolError('BSON document overruns message');
  return [deserialize(buf.subarray(offset, offset + size)), offset + size];
}

/** Decodes one whole message (as returned by MessageFramer). */
export function decodeRequest(message: Buffer): WireRequest {
  const requestId = message.readInt32LE(4);
  const opCode = message.readInt32LE(12);
  if (opCode === OP_QUERY) return decodeQuery(message, requestId);
  if (opCode === OP_MSG) return decodeMsg(message, requestId);
  throw new WireProtocolError(
    opCode === OP_COMPRESSED
      ? 'OP_COMPRESSED is not supported (no compressors advertised)'
      : `opcode ${opCode}`,
  );
}

function decodeQuery(message: Buffer, requestId: number): WireRequest {
  let offset = HEADER_SIZE + 4; // skip flags
  const [fullCollectionName, afterName] = readCString(message, offset);
  offset = afterName + 8; // numberToSkip, numberToReturn
  let [command] = readDocument(message, offset, message.length);
  // Legacy drivers wrap the command when they attach a read preference.
  if (command.$query && typeof command.$query === 'object') command = command.$query as Document;
  return { kind: 'query', requestId, fullCollectionName, command };
}

function decodeMsg(message: Buffer, requestId: number): WireRequest {
  const flags = message.readUInt32LE(HEADER_SIZE);
  if (flags & 0xffff & ~KNOWN_REQUIRED_FLAGS) {
    throw new WireProtocolError(`unknown required OP_MSG flag bits ${flags.toString(2)}`);
  }
  // The CRC-32C trailer is not verified: loopback test traffic does not get corrupted.
  const end = flags & CHECKSUM_PRESENT ? message.length - 4 : message.length;
  let offset = HEADER_SIZE + 4;
  let body: Document | undefined;
  const sequences: [string, Document[]][] = [];
  while (offset < end) {
    const kind = message[offset];
    offset += 1;
    if (kind === 0) {
      if (body) throw new WireProtocolError('OP_MSG with two body sections');
      [body, offset] = readDocument(message, offset, end);
    } else if (kind === 1) {
      const size = message.readInt32LE(offset);
      const sectionEnd = offset + size;
      if (size < 5 || sectionEnd > end) throw new WireProtocolError('document sequence overruns message');
      const [identifier, start] = readCString(message, offset + 4);
      let cursor = start;
      const docs: Document[] = [];
      while (cursor < sectionEnd) {
        let doc: Document;
        [doc, cursor] = readDocument(message, cursor, sectionEnd);
        docs.push(doc);
      }
      sequences.push([identifier, docs]);
      offset = sectionEnd;
    } else {
      throw new WireProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new WireProtocolError('OP_MSG without a body section');
  for (const [identifier, docs] of sequences) {
    if (identifier in body) throw new WireProtocolError(`duplicate field ${identifier} in body and sequence`);
    body[identifier] = docs;
  }
  return { kind: 'msg', requestId, flags, command: body };
}

function header(length: number, requestId: number, responseTo: number, opCode: number): Buffer {
  const buf = Buffer.alloc(HEADER_SIZE);
  buf.writeInt32LE(length, 0);
  buf.writeInt32LE(requestId, 4);
  buf.writeInt32LE(responseTo, 8);
  buf.writeInt32LE(opCode, 12);
  return buf;
}

function toBson(doc: Document): Buffer {
  const bytes = serialize(doc, { ignoreUndefined: true });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Encodes an OP_MSG reply with a single kind-0 body (no flags). */
export function encodeMsgReply(requestId: number, responseTo: number, reply: Document): Buffer {
  const body = toBson(reply);
  const flagsAndKind = Buffer.alloc(5); // flags 0, section kind 0
  const length = HEADER_SIZE + flagsAndKind.length + body.length;
  return Buffer.concat([header(length, requestId, responseTo, OP_MSG), flagsAndKind, body]);
}

/** Encodes an OP_REPLY with one document (the answer to an OP_QUERY command). */
export function encodeQueryReply(requestId: number, responseTo: number, reply: Document): Buffer {
  const body = toBson(reply);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(0, 0); // responseFlags
  fields.writeBigInt64LE(0n, 4); // cursorID
  fields.writeInt32LE(0, 12); // startingFrom
  fields.writeInt32LE(1, 16); // numberReturned
  const length = HEADER_SIZE + fields.length + body.length;
  return Buffer.concat([header(length, requestId, responseTo, OP_REPLY), fields, body]);
}
