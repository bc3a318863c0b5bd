using System.Collections.Generic;
using System.Linq;

namespace TraceCraft.CommandLine
{
    /// <summary>The help texts of the command line, one per verb.</summary>
    internal static class CliHelp
    {
        private static readonly Dictionary<string, string> VerbHelp = new Dictionary<string, string>
        {
            ["init"] = "usage: tracecraft init --project P --agent A [--endpoint URL] [--bucket B] [--access-key K --secret-key S]\n" +
                       "                      [--region R] [--backend s3|folder] [--path DIR] [--quote-if-match] [--no-save-keys]\n" +
                       "Writes .tracecraft.json here (mode 600, added to .gitignore), creates the bucket if missing and registers the agent.\n" +
                       "Without --access-key/--secret-key, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are written to the file as the keys;\n" +
                       "--no-save-keys leaves them out (each command then reads the environment or the AWS profile).\n" +
                       "The endpoint is a URL with its scheme: http://localhost:9000.\n" +
                       "--backend folder keeps everything in a local folder, no server needed: by default the git repository's shared .git/tracecraft-store (one store for every worktree), or ./.tracecraft-store outside git.",
            ["agents"] = "usage: tracecraft agents [--stale-after SECONDS]\nLists registered agents: id, status (stale when the heartbeat is older than 300 s), step, heartbeat age.",
            ["memory"] = "usage: tracecraft memory set KEY VALUE [--json] [--if-absent | --if-version V]\n" +
                         "       tracecraft memory get KEY [--json [--entry]]\n" +
                         "       tracecraft memory list [PREFIX]\n" +
                         "       tracecraft memory delete KEY\n" +
                         "Dots in keys become path separators. 'get' of a missing key exits 1. --if-absent and --if-version are atomic.\n" +
                         "With --json, set reads VALUE as JSON (a string is quoted: '\"text\"') and get prints the bare value as JSON;\n" +
                         "get --json --entry prints the whole entry (key, value, setBy, setAt, version).",
            ["send"] = "usage: tracecraft send AGENT_ID MESSAGE\nSends a direct message, or to everyone with AGENT_ID _broadcast.",
            ["inbox"] = "usage: tracecraft inbox [--delete] [--unread] [--wait [--timeout SECONDS]] [--refresh]\n" +
                        "Shows direct messages and others' broadcasts, oldest first. --delete consumes what is shown: each message is shown to\n" +
                        "exactly one of the readers of this inbox, then removed (a broadcast only for you).",
            ["claim"] = "usage: tracecraft claim STEP_ID [--lease SECONDS] [--ignore-dependencies]\n" +
                        "       tracecraft claim --next [--filter PATTERN] [--lease SECONDS]\n" +
                        "Claims a step atomically: of many claimers exactly one wins. With --lease the claim expires unless renewed, and may then be taken over;\n" +
                        "the claim's fencing token is then printed on stderr ('Fencing token: N'). A complete, blocked or failed step cannot be claimed, nor a\n" +
                        "declared step whose dependencies are open (unless --ignore-dependencies). --next claims one ready step (higher --priority first,\n" +
                        "random among equals, so workers spread out), optionally one whose id matches PATTERN (* ? [..]); exit 3 when none is ready.",
            ["release"] = "usage: tracecraft release STEP_ID [--failed] [--token N]\nHands a step you hold back: it is pending and ready again. --failed counts the attempt against the step's --max-attempts.",
            ["reopen"] = "usage: tracecraft reopen STEP_ID [--force]\nReturns a complete, blocked, failed or needs-review step to pending (an operator's action); its handoff stays readable\n" +
                         "with 'handoff STEP_ID --history'. --force also takes back a step someone holds (a holder that died without a lease).",
            ["renew"] = "usage: tracecraft renew STEP_ID [--lease SECONDS] [--token N]\nExtends the lease of a step you hold. --token (or TRACECRAFT_TOKEN) names your claim; without it only the agent name is checked.",
            ["complete"] = "usage: tracecraft complete STEP_ID [--note N] [--to AGENT] [--next-action TEXT] [--blocked | --needs-review]\n" +
                           "                          [--changed-files-from-git] [--force] [--token N]\n" +
                           "Marks the step done and writes a handoff. Refuses a step another agent holds unless --force.\n" +
                           "--token (or TRACECRAFT_TOKEN) names the claim you hold: if it was taken over, even by a process with your agent\n" +
                           "name, nothing is written. Without a token only the agent name is checked, as the original checks it.",
            ["step-status"] = "usage: tracecraft step-status STEP_ID\nPrints 'STEP: status (agent: A)' or 'STEP: pending'.",
            ["wait-for"] = "usage: tracecraft wait-for STEP_ID [STEP_ID ...] [--timeout SECONDS]\nBlocks until all steps are complete (default timeout 300 s); fails at once on a blocked step.",
            ["artifact"] = "usage: tracecraft artifact upload PATH [--step ID] [--name NAME] [--no-overwrite]\n" +
                           "       tracecraft artifact download NAME [--step ID] [-o PATH] [--force]\n" +
                           "       tracecraft artifact list [--step ID]\n" +
                           "       tracecraft artifact delete NAME [--step ID]\n" +
                           "A download never writes outside its target folder and never overwrites a file without --force.\n" +
                           "Without --step an artifact is a shared one; delete of a missing artifact exits 1.",
            ["handoff"] = "usage: tracecraft handoff STEP_ID [--history]\nShows the handoff note of a step; --history also those of its runs before it was reopened, oldest first.",
            ["step"] = "usage: tracecraft step new STEP_ID [--depends-on A,B] [--description TEXT] [--priority N] [--max-attempts N] [--lease SECONDS]\n" +
                       "Declares a step and its dependencies (cycles are refused). claim --next hands out higher priorities first; after --max-attempts\n" +
                       "attempts that ended in expiry or 'release --failed', the step is failed. --lease gives every claim of the step that names none this\n" +
                       "lease, so that a holder that dies is replaced after it.",
            ["ready"] = "usage: tracecraft ready\nLists declared steps whose dependencies are complete and that nobody holds.",
            ["heartbeat"] = "usage: tracecraft heartbeat\nRefreshes this agent's heartbeat now; exits 1 when the store refuses the write.",
            ["session"] = "usage: tracecraft session mirror --harness claude-code|codex|openclaw|hermes [--session-id ID] [--cwd PATH] [--no-redact] [--min-bytes N]\n" +
                          "       tracecraft session list [--harness H] [--limit 20] [--sort-by recent|size]\n" +
                          "       tracecraft session show ID [--tail N]\n" +
                          "       tracecraft session stop ID\n" +
                          "Mirrors an agent's session transcript into the project (sessions/<harness>/<id>/: numbered JSONL parts and meta.json),\n" +
                          "as the original 0.2.2 does. Each mirror uploads only the complete lines new since the last part, with token-shaped\n" +
                          "secrets (AWS, Anthropic, OpenAI, Hugging Face, GitHub, Slack, Bearer) replaced by [REDACTED:<name>] unless --no-redact;\n" +
                          "the source is only read. Without --session-id: the latest session (Claude Code: of --cwd, default here).\n" +
                          "Sources: ~/.claude/projects, ~/.codex/sessions, $OPENCLAW_STATE_DIR (or $OPENCLAW_HOME, ~/.openclaw)/agents, ~/.hermes/state.db.\n" +
                          "stop deletes the local cursor (~/.tracecraft/mirror-state/ID.json) and marks the session ended.",
            ["setup"] = "usage: tracecraft setup claude-code|codex|agents-md [--path PATH] [--print]\n" +
                        "Writes what an AI agent needs to coordinate through tracecraft into CLAUDE.md or AGENTS.md.\n" +
                        "The text covers the verbs, --json, the claim/lease/renew etiquette and the MCP server. claude-code writes CLAUDE.md,\n" +
                        "codex and agents-md write AGENTS.md, in this folder or at PATH (a file, or a folder).\n" +
                        "The text sits between <!-- tracecraft:begin --> and <!-- tracecraft:end --> lines and is replaced there when setup runs\n" +
                        "again; the rest of the file is never changed. --print shows the text and writes nothing. Needs no config.",
            ["watch"] = "usage: tracecraft watch [--once] [--interval SECONDS]\nShows the live board: agents (heartbeat age, stale in red, held step), steps by state (holder, token and lease countdown, who completed\n" +
                        "when), the last messages and a summary line; refreshes every second (--interval) until q or Ctrl-C. Plain text when the output is not a\n" +
                        "terminal or NO_COLOR is set; --once prints one frame and exits (1 when the store could not be read).",
            ["report"] = "usage: tracecraft report --html PATH\nWrites the project as one self-contained HTML file (no network resources): a timeline with a lane per agent and a bar per claim\n" +
                         "(takeovers and lease expiries marked, messages as ticks), the step graph with each step's state, the agents and the handoff notes.",
            ["mcp"] = "usage: tracecraft mcp\nServes the verbs as MCP tools over stdio (claim, claim_next, complete, wait, send, inbox, memory_*, artifact_*, ...) until stdin closes.\n" +
                      "Native executable only. Identity from the config and TRACECRAFT_AGENT, as for every verb. Logs nothing on stdout but MCP frames.",
        };

        public static IEnumerable<string> Verbs => VerbHelp.Keys;

        public static string? ForVerb(string verb, IReadOnlyList<string> rest) =>
            VerbHelp.TryGetValue(verb, out var help) ? help : null;

        public static string Overview(string program) =>
            $"usage: {program} <command> [options]\n\n" +
            "TraceCraft: coordination for multi-agent work over an S3 bucket (or a local folder).\n\n" +
            "commands:\n" +
            string.Join("\n", VerbHelp.Select(v => "  " + v.Key.PadRight(12) + FirstLine(v.Value))) +
            $"\n\nRun '{program} <command> --help' for a command's options. Exit codes: 0 success, 1 failure, 2 usage error, 3 claim --next found no ready step.\n" +
            "Identity: TRACECRAFT_AGENT overrides the agent of the config (several agents in one folder).\n" +
            "--json (anywhere on the line, any command): one JSON document on stdout, errors as {\"error\": {\"id\", \"message\", \"target\"}}\n" +
            "on stderr, same exit codes (docs/json-output.md).";

        /// <summary>The first line that says what the verb does (after the usage lines).</summary>
        private static string FirstLine(string help) =>
            help.Split('\n').First(l => !l.StartsWith("usage:", System.StringComparison.Ordinal) && !l.StartsWith(" ", System.StringComparison.Ordinal)).Trim();
    }
}
