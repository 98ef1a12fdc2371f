import { runKeyHelper } from './key-helper';

// argv: node, keytray, "key", provider, [label]
runKeyHelper(process.argv.slice(3)).then((code) => {
  process.exitCode = code;
});
