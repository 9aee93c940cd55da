import { spawn } from "node:child_process";

/**
 * Runs a writer fixture (`node <script> <dir>`, printing each acknowledged
 * batch number on a line) until its first acknowledgement, lets it write for
 * a random 20-220 ms, SIGKILLs it, and returns the batch numbers it
 * acknowledged before dying.
 */
export async function runAndKill(script: string, dir: string): Promise<number[]> {
  const child = spawn(process.execPath, [script, dir], { env: { ...process.env, NODE_OPTIONS: "" } });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 200));
  child.kill("SIGKILL");
  // "close", not "exit": output the child wrote before dying can still be in the pipe at "exit".
  await new Promise((resolve) => child.once("close", resolve));
  return output.trim().split("\n").map(Number);
}
