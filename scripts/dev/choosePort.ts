import { BaseError } from "../../src/errors/BaseError.ts";
import { createServer } from "node:net";

export type ChoosePortParameters = {
  /** Wanted port; 0 = any free port. */
  port: number;
  /** Whether the user chose it (then a busy port is an error, not a fallback). */
  explicit: boolean;
  /** Service name and the variable that sets its port, for the messages. */
  name: string;
  envVar: string;
  say(line: string): void;
  /** Error to throw when an explicitly chosen port is busy. */
  busy(port: number): Error;
};

/**
 * The port a dev service should listen on: the wanted one when free, else 0 (any
 * free port) with a warning, since every service prints its actual URL. A port the
 * user asked for explicitly is never silently replaced.
 */
export async function choosePort({ port, explicit, name, envVar, say, busy }: ChoosePortParameters): Promise<number> {
  if (port === 0 || (await portIsFree(port))) return port;
  if (explicit) throw busy(port);
  say(`Port ${port} on 127.0.0.1 is in use: the ${name} uses a free port instead (set ${envVar} to pick one).`);
  return 0;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen(port, "127.0.0.1", () => server.close(() => done(true)));
  });
}

export class PortInUseError extends BaseError {
  override name = "PortInUseError";
  constructor({ port, envVar }: { port: number; envVar: string }) {
    super(`Port ${port} on 127.0.0.1 is already in use.`, {
      metaMessages: [
        "Stop whatever listens there (another `npm start`?), or choose another port:",
        `${envVar}=${port + 1} npm start   (0 = any free port)`,
      ],
    });
  }
}
