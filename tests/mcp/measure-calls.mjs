// Per-call cost of an MCP tool call: one SDK client session with `tracecraft mcp`, N calls of one tool, the median.
//   node measure-calls.mjs <out/mcp-clients> <native tracecraft> [calls=20] [tool=step_status] [json arguments]
// Run it in an initialised agent folder (tracecraft init). Prints one JSON line: median and every sample in ms.
// A measuring aid for the README's figures, not a test: it asserts nothing about time.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [clients, command, calls = "20", tool = "step_status", args = '{"step":"bench"}'] = process.argv.slice(2);
const sdk = (file) => pathToFileURL(join(clients, "node_modules/@modelcontextprotocol/sdk/dist/esm/client", file)).href;
const { Client } = await import(sdk("index.js"));
const { StdioClientTransport } = await import(sdk("stdio.js"));

const client = new Client({ name: "measure-calls", version: "1.0.0" });
await client.connect(new StdioClientTransport({ command, args: ["mcp"], env: process.env, stderr: "inherit" }));
const samples = [];
try {
  await client.callTool({ name: tool, arguments: JSON.parse(args) }); // warm-up: the first call opens the store
  for (let i = 0; i < Number(calls); i++) {
    const start = process.hrtime.bigint();
    const result = await client.callTool({ name: tool, arguments: JSON.parse(args) });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (result.isError) throw new Error(`${tool} failed: ${JSON.stringify(result.content)}`);
  }
} finally {
  await client.close();
}
const sorted = [...samples].sort((x, y) => x - y);
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
console.log(JSON.stringify({ tool, calls: samples.length, median_ms: +median.toFixed(1), samples_ms: samples.map((s) => +s.toFixed(1)) }));
