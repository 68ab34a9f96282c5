// Runs before any TypeScript is loaded (`node --import`, the CLI wrapper, npm
// test): agentgate's sources are .ts files that Node runs directly only from
// 22.18 on. An older Node would die with ERR_UNKNOWN_FILE_EXTENSION, which
// says nothing about the fix; this says it in one line. Plain JavaScript that
// any Node parses.

/** The complaint for a Node version too old to run agentgate, or undefined. */
export function tooOld(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 18)) return undefined;
  return `agentgate needs Node.js 22.18 or newer (24 LTS recommended); this is v${version.replace(/^v/, '')}. `
    + "Install Node 24 (nvm install 24, your distribution's nodejs 24, or the node:24 image) and run it again.";
}

const complaint = tooOld(process.versions.node);
if (complaint) {
  process.stderr.write(`${complaint}\n`);
  process.exit(1);
}
