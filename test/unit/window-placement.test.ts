import { describe, expect, it } from 'vitest';
import { placeBeside } from '../../electron/main/window-placement';

const SIZE = { width: 420, height: 640 };
const AREA = { x: 0, y: 28, width: 1440, height: 872 };

describe('the tray-sized window beside the tray icon', () => {
  it('hangs under an icon in a top bar, centred on it', () => {
    expect(placeBeside({ x: 1000, y: 0, width: 24, height: 24 }, AREA, SIZE)).toEqual({ x: 802, y: 28, width: 420, height: 640 });
  });

  it('stands over an icon in a bottom taskbar, and stays inside the work area at the edge', () => {
    const area = { x: 0, y: 0, width: 1920, height: 1040 };
    expect(placeBeside({ x: 1900, y: 1044, width: 20, height: 32 }, area, SIZE)).toEqual({
      x: 1500,
      y: 400,
      width: 420,
      height: 640,
    });
  });

  it('goes to the top-right corner when the tray reports no bounds, and shrinks on a small screen', () => {
    expect(placeBeside({ x: 0, y: 0, width: 0, height: 0 }, AREA, SIZE)).toEqual({ x: 1020, y: 28, width: 420, height: 640 });
    expect(placeBeside({ x: 0, y: 0, width: 0, height: 0 }, { x: 0, y: 0, width: 400, height: 500 }, SIZE)).toEqual({
      x: 0,
      y: 0,
      width: 400,
      height: 500,
    });
  });
});
