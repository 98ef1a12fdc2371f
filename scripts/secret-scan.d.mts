// Types for the parts of scripts/secret-scan.mjs the tests use.
export declare const CANARY: RegExp;
export declare const CANARY_SEEN: RegExp;
export declare function screenshotText(path: string): string;
export declare function scan(roots: string[]): {
  counts: { text: number; homes: number; screenshots: number; bytes: number; byDesign: number };
  leaks: string[];
};
