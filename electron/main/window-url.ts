/**
 * The renderer's own URL, and whether a URL is it. Pure, shared by the
 * window's navigation guard and the IPC sender check.
 */
export interface WindowSource {
  /** The dev server URL in development, absent in a build. */
  devUrl: string | undefined;
  /** Built renderer's index.html. */
  file: string;
}

export function rendererUrl(source: WindowSource): string {
  return source.devUrl ?? `file://${source.file}`;
}

export function isRendererUrl(source: WindowSource, url: string): boolean {
  const home = new URL(rendererUrl(source));
  const target = new URL(url);
  return target.protocol === home.protocol && target.host === home.host && target.pathname === home.pathname;
}
