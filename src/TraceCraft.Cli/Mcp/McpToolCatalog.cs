using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using TraceCraft.Errors;
using TraceCraft.Options;

namespace TraceCraft.Cli.Native.Mcp
{
    /// <summary>
    /// Every tool that <c>tracecraft mcp</c> offers, in one table: name, description, arguments (from which the JSON
    /// input schema is written and calls are checked) and the <c>tracecraft</c> command line it runs. The verbs
    /// themselves live in src/TraceCraft.CommandLine; a tool only maps its arguments onto one.
    /// </summary>
    internal static class McpToolCatalog
    {
        /// <summary>
        /// The longest a tool may block (wait, inbox with wait). A tool call holds the client's request open, and MCP
        /// clients time requests out (often after 60 s): an agent that needs longer calls again.
        /// </summary>
        public const double MaxWaitSeconds = 300;

        /// <summary>How long wait and inbox-with-wait block when the call names no timeout: under the common 60 s request timeout.</summary>
        public const double DefaultWaitSeconds = 50;

        private static readonly string WaitSeconds = DefaultWaitSeconds.ToString(CultureInfo.InvariantCulture);

        private static McpParameter Step(string what) => McpParameter.Text("step", what, required: true);

        private static readonly McpParameter Lease = new McpParameter("lease_seconds", McpParameterKind.Seconds,
            "Lease in seconds: the claim expires unless renewed within it, and may then be taken over. Leave out for a claim without expiry (or the step's declared lease).")
        { Minimum = TcOptions.MinLeaseSeconds, Maximum = TcOptions.MaxLeaseSeconds };

        private static readonly McpParameter Token = new McpParameter("token", McpParameterKind.Whole,
            "Fencing token of the claim you hold (the number the claim printed). With it, nothing is written if that claim was taken over; without it, only the agent name is checked.")
        { Minimum = 1 };

        private static McpParameter Timeout(string what) => new McpParameter("timeout_seconds", McpParameterKind.Seconds,
            $"{what} Default {WaitSeconds} s, at most {MaxWaitSeconds.ToString(CultureInfo.InvariantCulture)} s (a tool call holds the client's request open; call again to wait longer).")
        { Minimum = 0, Maximum = MaxWaitSeconds };

        public static IReadOnlyList<McpTool> Tools { get; } = new[]
        {
            new McpTool("claim",
                "Claim a step atomically: of many agents claiming it, exactly one wins; the others get StepAlreadyClaimed. " +
                "With lease_seconds the claim expires unless renewed (renew), and a fencing token is returned to pass to complete, renew and release.",
                new[]
                {
                    Step("Id of the step to claim."),
                    Lease,
                    McpParameter.Switch("ignore_dependencies", "Claim even if the step's declared dependencies are not complete."),
                },
                a => new CliCall("claim").Option("--lease", a.Text("lease_seconds")).Flag("--ignore-dependencies", a.Switch("ignore_dependencies")).Positional(a.Text("step"))),

            new McpTool("claim_next",
                "Claim one ready step (declared, dependencies complete, nobody holds it): higher priority first, random among equals. " +
                "When none is ready, the result says so (not an error).",
                new[]
                {
                    McpParameter.Text("filter", "Only steps whose id matches this pattern (* ? [..])."),
                    Lease,
                },
                a => new CliCall("claim").Flag("--next").Option("--filter", a.Text("filter")).Option("--lease", a.Text("lease_seconds")))
            { NothingReadyIsAnswer = true },

            new McpTool("complete",
                "Mark a step done (or blocked, or needing review) and write its handoff note for the next agent. Refuses a step another agent holds unless force.",
                new[]
                {
                    Step("Id of the step to complete."),
                    McpParameter.Text("note", "Handoff note: what was done, where to look."),
                    McpParameter.Text("to", "Agent the work is handed to."),
                    McpParameter.Text("next_action", "What the next agent should do."),
                    new McpParameter("state", McpParameterKind.Text, "How the step ends: complete (default), blocked (will not complete without help) or needs_review.")
                    { Choices = new[] { "complete", "blocked", "needs_review" } },
                    McpParameter.Switch("changed_files_from_git", "Record the files changed in the last commit of the server's working folder."),
                    McpParameter.Switch("force", "Complete even if another agent holds the step."),
                    Token,
                },
                a => new CliCall("complete")
                    .Option("--note", a.Text("note")).Option("--to", a.Text("to")).Option("--next-action", a.Text("next_action"))
                    .Flag("--blocked", a.Text("state") == "blocked").Flag("--needs-review", a.Text("state") == "needs_review")
                    .Flag("--changed-files-from-git", a.Switch("changed_files_from_git")).Flag("--force", a.Switch("force"))
                    .Option("--token", a.Text("token")).Positional(a.Text("step"))),

            new McpTool("release",
                "Hand back a step you hold: it is pending and ready again. failed counts the attempt against the step's max attempts.",
                new[] { Step("Id of the step to release."), McpParameter.Switch("failed", "The attempt failed."), Token },
                a => new CliCall("release").Flag("--failed", a.Switch("failed")).Option("--token", a.Text("token")).Positional(a.Text("step"))),

            new McpTool("reopen",
                "Return a complete, blocked, failed or needs-review step to pending (an operator's action); its handoff stays readable with handoff history.",
                new[] { Step("Id of the step to reopen."), McpParameter.Switch("force", "Also take back a step someone holds (a holder that died without a lease).") },
                a => new CliCall("reopen").Flag("--force", a.Switch("force")).Positional(a.Text("step"))),

            new McpTool("renew",
                "Extend the lease of a step you hold, before it expires.",
                new[] { Step("Id of the step you hold."), Lease, Token },
                a => new CliCall("renew").Option("--lease", a.Text("lease_seconds")).Option("--token", a.Text("token")).Positional(a.Text("step"))),

            new McpTool("wait",
                $"Barrier: block until all the steps are complete. Fails at once (StepBlocked) on a blocked step, and with WaitTimeout when the time is up. " +
                $"Blocks at most {MaxWaitSeconds.ToString(CultureInfo.InvariantCulture)} s per call.",
                new[]
                {
                    new McpParameter("steps", McpParameterKind.TextList, "Ids of the steps to wait for.") { Required = true },
                    Timeout("How long to wait, in seconds."),
                },
                a => new CliCall("wait-for").Option("--timeout", a.Text("timeout_seconds") ?? WaitSeconds).Positionals(a.Texts("steps"))),

            new McpTool("send",
                "Send a direct message to an agent, or to everyone with to = _broadcast.",
                new[] { McpParameter.Text("to", "Recipient agent id, or _broadcast.", required: true), McpParameter.Text("message", "The message text.", required: true) },
                a => new CliCall("send").Positional(a.Text("to")).Positional(a.Text("message"))),

            new McpTool("inbox",
                "Read this agent's direct messages and others' broadcasts, oldest first. By default a peek (messages stay); " +
                "delete consumes them (each message is taken by exactly one reader of this inbox). wait blocks until one arrives.",
                new[]
                {
                    McpParameter.Switch("unread", "Only messages not shown before."),
                    McpParameter.Switch("delete", "Consume what is shown: remove the messages after reading (a broadcast only for you)."),
                    McpParameter.Switch("wait", "Block until a message arrives (fails when none came within timeout_seconds)."),
                    Timeout("With wait: how long to wait, in seconds."),
                    McpParameter.Switch("refresh", "Re-read the whole inbox from the store (ignore the local cursor)."),
                },
                a => new CliCall("inbox").Flag("--unread", a.Switch("unread")).Flag("--delete", a.Switch("delete")).Flag("--refresh", a.Switch("refresh"))
                    .Flag("--wait", a.Switch("wait")).Option("--timeout", a.Switch("wait") ? a.Text("timeout_seconds") ?? WaitSeconds : a.Text("timeout_seconds"))),

            new McpTool("memory_get",
                "Read a shared memory value (MemoryKeyNotFound when the key does not exist).",
                new[] { McpParameter.Text("key", "The key; dots are path separators (design.status).", required: true) },
                a => new CliCall("memory", "get").Positional(a.Text("key")))
            {
                ReadOnly = true,
                SilentFailure = a => new TcException(TcErrorCode.MemoryKeyNotFound, $"Memory key not found: {a.Text("key")}", a.Text("key")),
            },

            new McpTool("memory_set",
                "Write a shared memory value: a string as text, any other JSON value as JSON. if_absent and if_version make the write atomic " +
                "(MemoryVersionMismatch when someone wrote first).",
                new[]
                {
                    McpParameter.Text("key", "The key; dots are path separators (design.status).", required: true),
                    new McpParameter("value", McpParameterKind.Json, "The value: a string, number, boolean, array or object.") { Required = true },
                    McpParameter.Switch("if_absent", "Write only if the key does not exist yet."),
                    McpParameter.Text("if_version", "Write only if the entry is still at this version (the Version you read)."),
                },
                a =>
                {
                    var value = a.Json("value")!.Value;
                    bool text = value.ValueKind == JsonValueKind.String;
                    return new CliCall("memory", "set").Flag("--json", !text).Flag("--if-absent", a.Switch("if_absent")).Option("--if-version", a.Text("if_version"))
                        .Positional(a.Text("key")).Positional(text ? value.GetString() : value.GetRawText());
                }),

            new McpTool("memory_list",
                "List shared memory keys, optionally those starting with a prefix (a raw prefix: 'des' also lists design.*).",
                new[] { McpParameter.Text("prefix", "Only keys starting with this.") },
                a => new CliCall("memory", "list").Positional(a.Text("prefix")))
            { ReadOnly = true },

            new McpTool("memory_delete",
                "Delete a shared memory key (MemoryKeyNotFound when it does not exist).",
                new[] { McpParameter.Text("key", "The key to delete.", required: true) },
                a => new CliCall("memory", "delete").Positional(a.Text("key"))),

            new McpTool("handoff",
                "Show the handoff note of a step (who completed it, for whom, what next); history also shows those of earlier runs.",
                new[] { Step("Id of the step."), McpParameter.Switch("history", "Also the handoffs of the step's runs before it was reopened, oldest first.") },
                a => new CliCall("handoff").Flag("--history", a.Switch("history")).Positional(a.Text("step")))
            { ReadOnly = true },

            new McpTool("artifact_list",
                "List shared files (artifacts), of one step or all.",
                new[] { McpParameter.Text("step", "Only this step's artifacts.") },
                a => new CliCall("artifact", "list").Option("--step", a.Text("step")))
            { ReadOnly = true },

            new McpTool("artifact_upload",
                "Upload a file (path relative to the server's working folder) as a shared artifact of a step, or shared.",
                new[]
                {
                    McpParameter.Text("path", "The file to upload.", required: true),
                    McpParameter.Text("step", "Step the artifact belongs to (default: shared)."),
                    McpParameter.Text("name", "Name to store it under (default: the file name)."),
                    McpParameter.Switch("no_overwrite", "Fail (DestinationExists) if an artifact of that name exists."),
                },
                a => new CliCall("artifact", "upload").Option("--step", a.Text("step")).Option("--name", a.Text("name"))
                    .Flag("--no-overwrite", a.Switch("no_overwrite")).Positional(a.Text("path"))),

            new McpTool("artifact_download",
                "Download a shared artifact into the server's working folder (never outside the target folder, never over a file unless force).",
                new[]
                {
                    McpParameter.Text("name", "The artifact's name.", required: true),
                    McpParameter.Text("step", "Step the artifact belongs to (default: shared)."),
                    McpParameter.Text("output", "Where to write it (default: its name, in the working folder)."),
                    McpParameter.Switch("force", "Overwrite an existing file."),
                },
                a => new CliCall("artifact", "download").Option("--step", a.Text("step")).Option("--output", a.Text("output"))
                    .Flag("--force", a.Switch("force")).Positional(a.Text("name"))),

            new McpTool("agents",
                "List the project's agents: id, status (stale when the heartbeat is old), step, heartbeat age.",
                new[]
                {
                    new McpParameter("stale_after_seconds", McpParameterKind.Seconds, "Heartbeat age after which an agent shows as stale (default 300).")
                    { Minimum = TcOptions.MinStaleAfterSeconds, Maximum = TcOptions.MaxStaleAfterSeconds },
                },
                a => new CliCall("agents").Option("--stale-after", a.Text("stale_after_seconds")))
            { ReadOnly = true },

            new McpTool("ready",
                "List the declared steps that can be claimed now (dependencies complete, nobody holds them).",
                Array.Empty<McpParameter>(),
                _ => new CliCall("ready"))
            { ReadOnly = true },

            new McpTool("step_status",
                "Show a step's status and holder ('STEP: in_progress (agent: A)', or 'STEP: pending').",
                new[] { Step("Id of the step.") },
                a => new CliCall("step-status").Positional(a.Text("step")))
            { ReadOnly = true },

            new McpTool("step_new",
                "Declare a step: its dependencies (cycles are refused), priority, attempts allowed and default lease.",
                new[]
                {
                    Step("Id of the new step."),
                    new McpParameter("depends_on", McpParameterKind.TextList, "Ids of the steps it depends on."),
                    McpParameter.Text("description", "What the step is."),
                    new McpParameter("priority", McpParameterKind.Whole, "claim_next hands out higher priorities first (default 0).")
                    { Minimum = TcOptions.MinPriority, Maximum = TcOptions.MaxPriority },
                    new McpParameter("max_attempts", McpParameterKind.Whole, "After this many failed or expired attempts the step is failed.")
                    { Minimum = TcOptions.MinMaxAttempts, Maximum = TcOptions.MaxMaxAttempts },
                    new McpParameter("lease_seconds", McpParameterKind.Seconds, "Lease of every claim of this step that names none.")
                    { Minimum = TcOptions.MinLeaseSeconds, Maximum = TcOptions.MaxLeaseSeconds },
                },
                a => new CliCall("step", "new")
                    .Option("--depends-on", a.Texts("depends_on").Count > 0 ? string.Join(",", a.Texts("depends_on")) : null)
                    .Option("--description", a.Text("description")).Option("--priority", a.Text("priority"))
                    .Option("--max-attempts", a.Text("max_attempts")).Option("--lease", a.Text("lease_seconds")).Positional(a.Text("step"))),

            new McpTool("heartbeat",
                "Refresh this agent's heartbeat now (every tool call also refreshes it, rate-limited).",
                Array.Empty<McpParameter>(),
                _ => new CliCall("heartbeat")),
        };

        private static readonly Dictionary<string, McpTool> ByName = Tools.ToDictionary(t => t.Name, StringComparer.Ordinal);

        public static McpTool? Find(string name) => ByName.TryGetValue(name, out var tool) ? tool : null;
    }
}
