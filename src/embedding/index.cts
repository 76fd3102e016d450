// The package's CommonJS entry (`require('fjord')`): the same module as the ESM entry, loaded with Node's
// require of ES modules (Node 20.19+). Runs on the caller's main thread.
import fjord = require('../index.js');

export = fjord;
