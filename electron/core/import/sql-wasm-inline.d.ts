/**
 * sql.js's single-file build: its WebAssembly embedded in the JavaScript, so
 * nothing is loaded from a .wasm file at run time (and, unlike the asm.js
 * build, it prints no deprecation warning on every load). Same API as 'sql.js'.
 */
declare module 'sql.js/dist/sql-wasm-inline.js' {
  import initSqlJs from 'sql.js';
  export default initSqlJs;
}
