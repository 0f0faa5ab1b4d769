// Preloaded (node --import) into child processes of the dev stack and the tests.
// Their parent holds the write end of their stdin; when the parent dies, even by
// SIGKILL where no cleanup code runs, stdin reaches end-of-file and the child
// exits instead of lingering as an orphan that keeps its port.
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
