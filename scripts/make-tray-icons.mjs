// Draws KeyTray's icons: the three tray states (ok, warning, error) as 32×32
// discs in the state's colour, the macOS tray template (black, alpha only, 16
// and 32 px), and the 512×512 app icon electron-builder turns into .icns and
// .ico. Run once; the PNGs are committed under build/.
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

/** A disc with a key's bow (a ring) and bar cut out, in one colour. */
function keyDisc(size, [r, g, b]) {
  const rows = [];
  const c = (size - 1) / 2;
  const u = size / 32;
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const dx = x - c;
      const dy = y - c;
      const d = Math.sqrt(dx * dx + dy * dy);
      const inside = d < 14 * u && !(d < 6 * u && d > 3 * u) && !(Math.abs(dy) < 1.6 * u && dx > 5 * u && dx < 12 * u);
      row.set([r, g, b, inside ? 255 : 0], 1 + x * 4);
    }
    rows.push(row);
  }
  return png(size, rows);
}

function png(size, rows) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = (name, data) => writeFileSync(new URL(`../build/${name}`, import.meta.url), data);
for (const [name, colour] of Object.entries(COLOURS)) out(`tray/${name}.png`, keyDisc(SIZE, colour));
// macOS draws template images itself, in the menu bar's colour: black and alpha only.
out('tray/trayTemplate.png', keyDisc(16, [0, 0, 0]));
out('tray/trayTemplate@2x.png', keyDisc(32, [0, 0, 0]));
out('icon.png', keyDisc(512, [47, 111, 222]));
