#!/usr/bin/env node
// `npx agentgate`: checks the Node version before loading the TypeScript CLI.
import './require-node.mjs';

await import('../lib/cli/main.ts');
