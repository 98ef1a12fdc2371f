/**
 * Where the tray-sized window goes, as pure arithmetic (no Electron), so that
 * it is tested without a display.
 */

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The window's bounds beside an icon, inside a work area. */
export function placeBeside(icon: Rectangle, area: Rectangle, size: { width: number; height: number }): Rectangle {
  const width = Math.min(size.width, area.width);
  const height = Math.min(size.height, area.height);
  const known = icon.width > 0 && icon.height > 0;
  const centreX = known ? icon.x + icon.width / 2 - width / 2 : area.x + area.width - width;
  const below = !known || icon.y < area.y + area.height / 2;
  const y = known ? (below ? icon.y + icon.height : icon.y - height) : area.y;
  const clamp = (v: number, min: number, max: number) => Math.round(Math.max(min, Math.min(v, max)));
  return {
    x: clamp(centreX, area.x, area.x + area.width - width),
    y: clamp(y, area.y, area.y + area.height - height),
    width,
    height,
  };
}
