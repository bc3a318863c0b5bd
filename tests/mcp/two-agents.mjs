// Two agents over MCP, each its own `tracecraft mcp` server process driven by the official TypeScript SDK client
// (installed by install-clients.sh). Run by tests/TraceCraft.Native.Tests/McpTests.cs:
//   node two-agents.mjs '<json config>'
// config: { clients: <out/mcp-clients>, command: <native tracecraft>, agents: { name: working folder, ... } } with
// exactly two agents, each folder initialised (tracecraft init) for the same project.
// It plays the story and prints what each call returned as one JSON report on stdout; the C# test asserts on it.
// Only failures of the script itself (a server that does not start, a call that throws) end it with exit code 1.
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const config = JSON.parse(process.argv[2]);
const sdk = (file) => pathToFileURL(join(config.clients, "node_modules/@modelcontextprotocol/sdk/dist/esm/client", file)).href;
const { Client } = await import(sdk("index.js"));
const { StdioClientTransport } = await import(sdk("stdio.js"));

async function connect(agent, cwd) {
  const transport = new StdioClientTransport({
    command: config.command,
    args: ["mcp"],
    cwd,
    env: { ...process.env, TRACECRAFT_AGENT: agent },
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk) => (stderr += chunk));
  const client = new Client({ name: `two-agents-${agent}`, version: "1.0.0" });
  await client.connect(transport);
  return { agent, client, stderr: () => stderr };
}

/** One tool call: what the result says, in a form the test can compare. */
async function call(session, name, args, options = {}) {
  const result = await session.client.callTool({ name, arguments: args }, undefined, { timeout: 150_000, ...options });
  return {
    agent: session.agent,
    tool: name,
    isError: result.isError === true,
    text: (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n"),
  };
}

const [[nameA, dirA], [nameB, dirB]] = Object.entries(config.agents);
const a = await connect(nameA, dirA);
const b = await connect(nameB, dirB);
const report = { races: [] };
try {
  // 1. Claim races: both agents claim the same step at the same moment; the store lets exactly one win.
  for (const step of ["race-1", "race-2", "race-3"]) {
    const results = await Promise.all([call(a, "claim", { step }), call(b, "claim", { step })]);
    report.races.push({ step, results });
  }
  const first = report.races[0].results;
  const holder = first[0].isError ? b : a;
  const waiter = holder === a ? b : a;
  report.holder = holder.agent;
  report.waiter = waiter.agent;

  // 2. A message from the holder, read (and consumed) by the other agent.
  report.send = await call(holder, "send", { to: waiter.agent, message: "race-1 is mine, wait for it" });
  report.inbox = await call(waiter, "inbox", { delete: true });

  // 3. A barrier: the waiter waits for race-1; once its server reports that it is waiting (a progress notification),
  //    the holder completes the step, which releases the wait.
  let waiting;
  let completing = false;
  const isWaiting = new Promise((resolve) => (waiting = resolve));
  const progress = [];
  const wait = call(waiter, "wait", { steps: ["race-1"], timeout_seconds: 120 }, {
    onprogress: (p) => {
      progress.push(p.message ?? "");
      waiting();
    },
    resetTimeoutOnProgress: true,
  }).then((r) => ({ ...r, settledBeforeComplete: !completing }));
  await Promise.race([isWaiting, wait]);
  report.statusWhileWaiting = await call(waiter, "step_status", { step: "race-1" });
  completing = true;
  report.complete = await call(holder, "complete", { step: "race-1", note: "done", to: waiter.agent });
  report.wait = await wait;
  report.waitProgress = progress;
  report.handoff = await call(waiter, "handoff", { step: "race-1" });
} finally {
  await a.client.close();
  await b.client.close();
  report.serverStderr = { [a.agent]: a.stderr(), [b.agent]: b.stderr() };
}
process.stdout.write(JSON.stringify(report) + "\n");
