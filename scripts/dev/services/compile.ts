import { runCommand } from "../runCommand.ts";
import type { DevService } from "../types.ts";

/** `npm run compile` (hardhat build + generated ABIs), so the stack always runs the current sources. */
export const compileService: DevService = {
  name: "compile",
  async start(context) {
    if (!context.options.compile) {
      context.say("Skipping compilation (--no-compile): using the artifacts as they are.");
      return;
    }
    context.say("Compiling the contracts (npm run compile)...");
    // Under `npm start` npm tells us which npm runs us; otherwise use the one on PATH.
    const npm = process.env.npm_execpath;
    const [command, args] = npm ? [process.execPath, [npm, "run", "--silent", "compile"]] : ["npm", ["run", "--silent", "compile"]];
    const output = await runCommand({ command, args, cwd: context.root, signal: context.signal });
    for (const line of output.split("\n")) {
      if (/compiled|nothing to compile|no contracts/i.test(line)) context.say(`  ${line.trim()}`);
    }
  },
};
