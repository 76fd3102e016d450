// The CommonJS form of `fjord/testing` (`require('fjord/testing')`), loaded with Node's require of ES modules.
// Runs on the caller's main thread.
import testing = require('./testing.js');

export = testing;
