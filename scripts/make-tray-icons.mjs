// Draws the three tray icons (ok, warning, error) as 32×32 PNGs: a key-tray
// disc in the state's colour. Run once; the PNGs are committed under build/tray.
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const COLOURS = { ok: [46, 160, 67], warning: [219, 154, 4], error: [207, 34, 46] };
const SIZE = 32;

function crc32(buffer) {
  let c = ~0;
  for (const byte of buffer) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

for (const [name, [r, g, b]] of Object.entries(COLOURS)) {
  const rows = [];
  for (let y = 0; y < SIZE; y++) {
    const row = Buffer.alloc(1 + SIZE * 4);
    for (let x = 0; x < SIZE; x++) {
      const dx = x - 15.5;
      const dy = y - 15.5;
      const d = Math.sqrt(dx * dx + dy * dy);
      // A disc with a key-shaped notch: the bow (ring) and a bar.
      const ring = d < 14 && !(d < 6 && d > 3) && !(Math.abs(dy) < 1.6 && dx > 5 && dx < 12);
      const alpha = ring ? 255 : 0;
      row.set([r, g, b, alpha], 1 + x * 4);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  writeFileSync(new URL(`../build/tray/${name}.png`, import.meta.url), png);
}
