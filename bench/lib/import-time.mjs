// Prints the milliseconds a dynamic import of the module at argv[2] takes.
const start = performance.now();
await import(process.argv[2]);
process.stdout.write(String(performance.now() - start) + "\n");
process.exit(0);
