#!/usr/bin/env node
// The published entry point runs the compiled CLI; `npm install` builds dist/ (the "prepare" script).
import "../dist/cli/bin.js";
