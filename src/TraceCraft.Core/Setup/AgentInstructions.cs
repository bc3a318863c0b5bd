using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TraceCraft.Errors;

namespace TraceCraft.Setup
{
    /// <summary>
    /// The instructions an AI coding agent needs to coordinate through tracecraft, one text per agent harness, kept
    /// here and nowhere else (the <c>tracecraft setup</c> verb and Set-TcAgentInstruction both write them).
    /// Each text is a marked block (<see cref="MarkedBlock"/>) that a later run replaces in place.
    /// </summary>
    public static class AgentInstructions
    {
        public const string ClaudeCode = "claude-code";
        public const string Codex = "codex";
        public const string AgentsMd = "agents-md";

        /// <summary>The harnesses, in the order help lists them.</summary>
        public static IReadOnlyList<string> Targets { get; } = new[] { ClaudeCode, Codex, AgentsMd };

        /// <summary>
        /// The file each harness reads on its own at the start of a session: Claude Code loads CLAUDE.md (not
        /// AGENTS.md); Codex loads AGENTS.md; agents-md is the cross-tool AGENTS.md convention (Codex, Cursor,
        /// OpenClaw, Hermes and others), the same file with a harness-neutral MCP section.
        /// </summary>
        public static string DefaultFileName(string target) => Check(target) == ClaudeCode ? "CLAUDE.md" : "AGENTS.md";

        /// <summary>The block for <paramref name="target"/>, markers included, lines ending in LF, no final newline.</summary>
        public static string Block(string target)
        {
            string mcp = McpSection(Check(target));
            // The texts below are verbatim strings: a checkout with CRLF line endings would carry them into the block.
            string body = (Common.TrimEnd('\n', '\r') + "\n\n" + mcp.TrimEnd('\n', '\r')).Replace("\r\n", "\n");
            return MarkedBlock.Begin + "\n" +
                   $"<!-- Written by `tracecraft setup {target}`; this block is replaced when that runs again: edit outside it. -->\n" +
                   body + "\n" + MarkedBlock.End;
        }

        /// <summary>
        /// The file a setup writes: <paramref name="path"/> when it names a file; inside it when it is an existing
        /// folder or ends with a separator; else the default file name in <paramref name="workingDirectory"/>.
        /// </summary>
        public static string ResolvePath(string target, string? path, string workingDirectory)
        {
            string fileName = DefaultFileName(target);
            if (string.IsNullOrEmpty(path)) return Path.Combine(Path.GetFullPath(workingDirectory), fileName);
            string full = Path.GetFullPath(Path.Combine(workingDirectory, path));
            bool isFolder = Directory.Exists(full) || path!.EndsWith("/", StringComparison.Ordinal) || path.EndsWith("\\", StringComparison.Ordinal);
            return isFolder ? Path.Combine(full, fileName) : full;
        }

        private static string Check(string target) =>
            Targets.Contains(target, StringComparer.Ordinal)
                ? target
                : throw new TcException(TcErrorCode.InvalidArgument, $"Unknown agent harness '{target}': choose one of {string.Join(", ", Targets)}.", target);

        private const string Common = @"## Coordinating with other agents: tracecraft

This project coordinates its agents with `tracecraft`: shared memory, messages, step claims with leases, barriers,
handoff notes and artifacts, all kept in one shared S3 bucket or folder (`.tracecraft.json` says which). Your agent
name is `TRACECRAFT_AGENT` if set, else the `agent_id` of the config; `tracecraft agents` lists everyone.

How to call it: use the `tracecraft` MCP tools when they are connected (below); otherwise run the `tracecraft`
executable with `--json` on any verb: one JSON document on stdout; on failure
`{""error"": {""id"": ..., ""message"": ..., ""target"": ...}}` on stderr. Match on `error.id` (e.g.
`StepAlreadyClaimed`, `ClaimLost`, `StepNotReady`), never on the message. Exit codes: 0 ok, 1 failure,
2 usage error (fix the command line), 3 `claim --next` found no ready step. `tracecraft <verb> --help` shows options.

### Taking work: claim, lease, renew, finish
1. `tracecraft claim --next --lease 900 --json` claims exactly one ready step (its dependencies complete, nobody
   holding it) and returns it with its fencing token. Exit code 3 means nothing is ready: wait
   (`tracecraft wait-for STEP --timeout 300`) or stop; do not retry in a tight loop. A named step:
   `tracecraft claim STEP --lease 900`.
2. Keep the token (without `--json` it is printed on stderr as `Fencing token: N`) and pass `--token N` to every
   later command about that step.
3. Renew before the lease runs out, about every third of it: `tracecraft renew STEP --lease 900 --token N`.
   `ClaimLost` means the lease ran out and another agent took the step: stop working on it and write nothing more
   for it.
4. Finish with `tracecraft complete STEP --token N --note ""what was done and where"" [--to AGENT] [--next-action TEXT]`;
   use `--blocked` or `--needs-review` instead when it is not done.
5. Giving up: `tracecraft release STEP --token N` (add `--failed` when the attempt failed) so that another agent can
   take it. Never leave a claimed step behind silently; never `complete --force` or `reopen` another agent's step
   unless a person asks you to.

### Talking and sharing
- Messages: `tracecraft send AGENT ""text""` (`_broadcast` for everyone); `tracecraft inbox --unread` at the start
  of a step and before finishing it.
- Memory: `tracecraft memory set KEY VALUE [--if-absent | --if-version V]`, `memory get KEY`, `memory list [PREFIX]`;
  `--if-version` makes read-modify-write safe when several agents write one key.
- Before a step that depends on others: `tracecraft handoff STEP` reads the note its finisher left;
  `tracecraft step-status STEP`, `tracecraft ready`, `tracecraft wait-for STEP [STEP ...] --timeout SECONDS`.
- Files: `tracecraft artifact upload PATH --step STEP`, `artifact list [--step STEP]`,
  `artifact download NAME --step STEP -o PATH`, `artifact delete NAME --step STEP`.
";

        private static string McpSection(string target) => target switch
        {
            ClaudeCode => @"### MCP server for Claude Code
Register it once (a person runs this, or you with their consent):
`claude mcp add tracecraft -- tracecraft mcp` (add `--scope project` to share it through `.mcp.json`), or commit:

```json
{ ""mcpServers"": { ""tracecraft"": { ""command"": ""tracecraft"", ""args"": [""mcp""] } } }
```

Set `TRACECRAFT_AGENT` in the server's environment (`claude mcp add -e TRACECRAFT_AGENT=NAME ...`) when several
agents share one folder.
",
            Codex => @"### MCP server for Codex
Register it once in `~/.codex/config.toml` (a person does this, or you with their consent):

```toml
[mcp_servers.tracecraft]
command = ""tracecraft""
args = [""mcp""]
# env = { TRACECRAFT_AGENT = ""codex"" }   # when several agents share one folder
```
",
            _ => @"### MCP server
Any MCP client that starts stdio servers can use it: command `tracecraft`, arguments `[""mcp""]`; set
`TRACECRAFT_AGENT` in its environment when several agents share one folder. Claude Code:
`claude mcp add tracecraft -- tracecraft mcp`. Codex, in `~/.codex/config.toml`:
`[mcp_servers.tracecraft]` with `command = ""tracecraft""` and `args = [""mcp""]`.
",
        };
    }
}
