// Redis key and channel names as chatd's server/store/keys.c makes them,
// computed here on their own (FNV-1a for the shard, a CRC16 search for
// the shard's tag, as scripts/shard-tags does), so a test that uses them
// also checks the layout chatd writes.
export const SHARDS = 64;

export function shardOf(conv) {
  let h = 2166136261;
  for (const b of Buffer.from(conv)) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h % SHARDS;
}

function crc16(s) {
  let crc = 0;
  for (const b of Buffer.from(s)) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = (crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1) & 0xffff;
  }
  return crc;
}

export function keySlot(key) {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  return crc16(key) % 16384;
}

const tags = [];
export function shardTag(shard) {
  if (tags[shard]) return tags[shard];
  const width = 16384 / SHARDS;
  for (let k = -1; ; k++) {
    const t = k < 0 ? `v${shard}` : `v${shard}.${k}`;
    if (Math.floor(keySlot(t) / width) === shard) return (tags[shard] = t);
  }
}

// part: m (meta), e (events), i (idempotency), r (read positions)
export const convKey = (conv, part) => `{${shardTag(shardOf(conv))}}:c:${conv}:${part}`;
export const convChannel = (conv) => `{${shardTag(shardOf(conv))}}:c:${conv}`;
export const feedChannel = (shard) => `{${shardTag(shard)}}:feed`;
export const outboxKey = (shard) => `{${shardTag(shard)}}:ob`;
export const outboxLeaseKey = (shard) => `{${shardTag(shard)}}:ob:lease`;
export const outboxCursorKey = (shard) => `{${shardTag(shard)}}:ob:done`;

// A feed message: "F" + 4 hex digits of the customer id's length + the id,
// then the feed frame.
export function parseFeed(payload) {
  const n = parseInt(payload.slice(1, 5), 16);
  return { customer: payload.slice(5, 5 + n), frame: JSON.parse(payload.slice(5 + n)) };
}
