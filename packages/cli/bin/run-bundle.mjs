// Runs the CLI from its one-file bundle (dist/minilb.mjs, written by `npm run build`). The bins
// are committed files rather than pointers into dist/ because npm links a workspace's bin only
// if the file exists when `npm ci` runs, and on a fresh clone dist/ does not exist yet.

export async function runBundle(program) {
  const bundle = new URL('../dist/minilb.mjs', import.meta.url);
  let cli;
  try {
    cli = await import(bundle.href);
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('minilb.mjs')) {
      process.stderr.write(`${program}: the CLI is not built yet: run \`npm run build\` in the minilb checkout\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
  // node <script> args...: the user's arguments start after the script.
  await cli.runAsProcess(program, process.argv.slice(2));
}
