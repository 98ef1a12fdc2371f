/** sql.js's pure-JS build: the same API as its WebAssembly one, with nothing to load at run time. */
declare module 'sql.js/dist/sql-asm.js' {
  import initSqlJs from 'sql.js';
  export default initSqlJs;
}
