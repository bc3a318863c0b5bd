using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using TraceCraft.Native.Tests.Infrastructure;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Native.Tests
{
    /// <summary>
    /// <c>tracecraft mcp</c> driven by real MCP clients from npm (tests/mcp/install-clients.sh installs them): the MCP
    /// Inspector's CLI mode lists the tools and calls every one of them, and two servers driven by the official
    /// TypeScript SDK client play two agents. Written once; <see cref="FolderStoreMcpTests"/> and <see cref="S3StoreMcpTests"/>
    /// run it against each store.
    /// </summary>
    public abstract class McpTests : IDisposable
    {
        private const string SentAt = @"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?\+00:00";
        private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(120);

        /// <summary>Every tool the server offers; a tool added to the catalogue without a call in <see cref="Inspector_CallsEveryTool"/> fails it.</summary>
        private static readonly string[] ToolNames =
        {
            "claim", "claim_next", "complete", "release", "reopen", "renew", "wait", "send", "inbox",
            "memory_get", "memory_set", "memory_list", "memory_delete", "handoff",
            "artifact_list", "artifact_upload", "artifact_download", "agents", "ready", "step_status", "step_new", "heartbeat",
        };

        private readonly HashSet<string> _called = new HashSet<string>(StringComparer.Ordinal);

        protected McpTests() => Workspace = new TestWorkspace();

        protected TestWorkspace Workspace { get; }
        protected abstract StoreBackend Backend { get; }

        public void Dispose() => Workspace.Dispose();

        private async Task InitAsync(params string[] agents)
        {
            foreach (string agent in agents)
                (await Workspace.RunAsync(agent, new[] { "init", "--project", Workspace.Project, "--agent", agent }.Concat(Backend.InitArguments(Workspace)).ToArray()))
                    .AssertExitCode(0);
        }

        /// <summary>Runs the inspector's CLI mode against <c>tracecraft mcp</c> started as <paramref name="agent"/> in its folder.</summary>
        private Task<ProcessResult> InspectAsync(string agent, params string[] method)
        {
            string directory = Workspace.AgentDirectory(agent);
            var args = new List<string>
            {
                "--cli", "--cwd", directory,
                // The inspector starts the server with a minimal environment (HOME, PATH, ...) plus these.
                "-e", "TRACECRAFT_AGENT=" + agent, "-e", "TRACECRAFT_HOME=" + Workspace.Home,
                NativeExecutable.FilePath, "mcp",
            };
            args.AddRange(method);
            return ExternalProcess.RunAsync(McpClients.Inspector, args, directory, Workspace.ChildEnvironment(agent), CallTimeout);
        }

        /// <summary>tools/call of <paramref name="tool"/> with <c>name=value</c> arguments (the inspector converts them by the schema).</summary>
        private async Task<InspectorCall> CallAsync(string agent, string tool, params string[] arguments)
        {
            _called.Add(tool);
            var method = new List<string> { "--method", "tools/call", "--tool-name", tool };
            foreach (string argument in arguments) method.AddRange(new[] { "--tool-arg", argument });
            return InspectorCall.Parse(await InspectAsync(agent, method.ToArray()));
        }

        private async Task<InspectorCall> SucceedsAsync(string agent, string tool, params string[] arguments)
        {
            var call = await CallAsync(agent, tool, arguments);
            if (call.IsError || call.Process.ExitCode != 0) throw call.Fail($"expected {tool} to succeed");
            return call;
        }

        private static void AssertLines(InspectorCall call, params string[] expected)
        {
            if (!call.Lines.SequenceEqual(expected))
                throw call.Fail("expected the first text to be exactly:\n" + string.Join("\n", expected));
        }

        private static void AssertError(InspectorCall call, string id, string? target)
        {
            if (!call.IsError || call.Process.ExitCode != 5) throw call.Fail("expected an error result (isError, inspector exit code 5)");
            var error = call.Structured?.GetProperty("error") ?? throw call.Fail("expected structuredContent.error");
            Assert.Equal(id, error.GetProperty("id").GetString());
            Assert.Equal(target, error.GetProperty("target").GetString());
            Assert.Equal(call.Texts[0], JsonSerializer.Serialize(call.Structured!.Value, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        }

        [Fact]
        public async Task Inspector_ListsEveryToolWithItsSchema()
        {
            await InitAsync("alice");
            var listed = await InspectAsync("alice", "--method", "tools/list", "--strict");
            if (listed.ExitCode != 0) throw listed.Fail("tools/list failed");
            // The inspector's schema portability check (--strict) finds nothing to warn about.
            if (listed.StandardError.Contains("Warning", StringComparison.Ordinal) || listed.StandardError.Contains("error", StringComparison.OrdinalIgnoreCase))
                throw listed.Fail("expected no schema portability warning");
            using var document = JsonDocument.Parse(listed.StandardOutput);
            var tools = document.RootElement.GetProperty("tools").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
            Assert.Equal(ToolNames.OrderBy(n => n, StringComparer.Ordinal), tools.Keys.OrderBy(n => n, StringComparer.Ordinal));
            foreach (var tool in tools.Values)
            {
                Assert.False(string.IsNullOrWhiteSpace(tool.GetProperty("description").GetString()));
                var schema = tool.GetProperty("inputSchema");
                Assert.Equal("object", schema.GetProperty("type").GetString());
                Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
            }
            // The barrier's timeout is bounded, and the schema says so.
            var timeout = tools["wait"].GetProperty("inputSchema").GetProperty("properties").GetProperty("timeout_seconds");
            Assert.Equal(300, timeout.GetProperty("maximum").GetDouble());
            Assert.Contains("at most 300 s", timeout.GetProperty("description").GetString());
            Assert.Equal(new[] { "steps" }, tools["wait"].GetProperty("inputSchema").GetProperty("required").EnumerateArray().Select(r => r.GetString()));
            Assert.True(tools["step_status"].GetProperty("annotations").GetProperty("readOnlyHint").GetBoolean());
        }

        [Fact]
        public async Task Inspector_CallsEveryTool()
        {
            await InitAsync("alice", "bob");

            AssertLines(await SucceedsAsync("alice", "heartbeat"), "Heartbeat sent for alice");
            Assert.Contains((await SucceedsAsync("alice", "agents")).Lines, l => l.StartsWith("alice ", StringComparison.Ordinal));
            AssertLines(await SucceedsAsync("alice", "step_new", "step=build", "priority=5"), "Defined step build");
            AssertLines(await SucceedsAsync("alice", "step_new", "step=test", "depends_on=[\"build\"]", "description=runs the tests"), "Defined step test (depends on: build)");
            AssertLines(await SucceedsAsync("bob", "ready"), "build");

            // claim_next with a lease: the claim line, and the fencing token as a second text.
            var claimed = await SucceedsAsync("alice", "claim_next", "filter=bu*", "lease_seconds=60");
            AssertLines(claimed, "Claimed step build as alice");
            Assert.StartsWith("Fencing token: 1 ", claimed.Texts[1]);
            Assert.Matches("^Renewed step build until " + SentAt + "$", (await SucceedsAsync("alice", "renew", "step=build", "lease_seconds=120", "token=1")).Texts[0]);
            AssertLines(await SucceedsAsync("bob", "step_status", "step=build"), "build: in_progress (agent: alice)");

            File.WriteAllText(Path.Combine(Workspace.AgentDirectory("alice"), "notes.txt"), "build notes für bob\n");
            AssertLines(await SucceedsAsync("alice", "artifact_upload", "path=notes.txt", "step=build"), "Uploaded notes.txt -> artifacts/build/notes.txt");
            AssertLines(await SucceedsAsync("bob", "artifact_list", "step=build"), "artifacts/build/notes.txt");
            AssertLines(await SucceedsAsync("bob", "artifact_download", "name=notes.txt", "step=build", "output=copy.txt"), "Downloaded artifacts/build/notes.txt -> copy.txt");
            Assert.Equal("build notes für bob\n", File.ReadAllText(Path.Combine(Workspace.AgentDirectory("bob"), "copy.txt")));

            AssertLines(await SucceedsAsync("alice", "complete", "step=build", "note=done", "to=bob", "token=1"), "Completed step build → handed off to bob");
            AssertLines(await SucceedsAsync("bob", "wait", "steps=[\"build\"]", "timeout_seconds=30"), "All steps complete: build");
            var handoff = await SucceedsAsync("bob", "handoff", "step=build");
            Assert.Matches("^build: complete by alice at " + SentAt + "$", handoff.Lines[0]);
            Assert.Equal(new[] { "next agent: bob", "note: done" }, handoff.Lines.Skip(1));
            AssertLines(await SucceedsAsync("alice", "reopen", "step=build"), "Reopened step build");
            AssertLines(await SucceedsAsync("alice", "claim", "step=build"), "Claimed step build as alice");
            AssertLines(await SucceedsAsync("alice", "release", "step=build"), "Released step build");

            // A message that looks like an option reaches the verb as text (the tools pass values after "--").
            AssertLines(await SucceedsAsync("alice", "send", "to=bob", "message=-h"), "Sent to bob: -h");
            var inbox = await SucceedsAsync("bob", "inbox", "delete=true");
            Assert.Matches(@"^\[" + SentAt + @"\] \(direct\) alice: -h$", inbox.Lines[0]);
            Assert.Equal("Deleted 1 message(s).", inbox.Lines[1]);

            AssertLines(await SucceedsAsync("alice", "memory_set", "key=design.status", "value=-D"), "Set design.status = -D");
            AssertLines(await SucceedsAsync("bob", "memory_get", "key=design.status"), "-D");
            AssertLines(await SucceedsAsync("alice", "memory_set", "key=design.owner", "value=alice", "if_absent=true"), "Set design.owner = alice");
            AssertLines(await SucceedsAsync("bob", "memory_list", "prefix=design"), "design.owner", "design.status");
            AssertLines(await SucceedsAsync("bob", "memory_delete", "key=design.status"), "Deleted design.status");

            // Nothing ready is an answer, not an error.
            var none = await SucceedsAsync("bob", "claim_next", "filter=nothing*");
            Assert.Equal(new[] { "No ready step matches nothing*." }, none.Texts);

            Assert.Equal(ToolNames.OrderBy(n => n, StringComparer.Ordinal), _called.OrderBy(n => n, StringComparer.Ordinal));
        }

        [Fact]
        public async Task Inspector_FailuresAreErrorResultsWithTheirIds()
        {
            await InitAsync("alice", "bob");

            // Arguments are checked against the schema before any verb runs.
            AssertError(await CallAsync("alice", "claim", "step=x", "lease_seconds=0"), "InvalidArgument", "lease_seconds");
            AssertError(await CallAsync("alice", "wait", "steps=[\"x\"]", "timeout_seconds=301"), "InvalidArgument", "timeout_seconds");
            AssertError(await CallAsync("alice", "complete", "step=x", "state=done"), "InvalidArgument", "state");

            // A verb's failure is an error result with the verb's message; a silent one gets the tool's own words and id.
            AssertLines(await SucceedsAsync("alice", "claim", "step=held"), "Claimed step held as alice");
            var taken = await CallAsync("bob", "claim", "step=held");
            Assert.True(taken.IsError, taken.Process.StandardOutput);
            Assert.Equal(new[] { "Error: Step held already claimed by alice" }, taken.Texts);
            AssertError(await CallAsync("bob", "memory_get", "key=no.such.key"), "MemoryKeyNotFound", "no.such.key");
            var timedOut = await CallAsync("bob", "wait", "steps=[\"held\"]", "timeout_seconds=0");
            Assert.True(timedOut.IsError, timedOut.Process.StandardOutput);
            Assert.Equal("Error: Timeout after 0s. Not all steps complete: held", timedOut.Texts[0].Split('\n').Last());
        }

        [Fact]
        public async Task SdkClients_TwoAgentStory()
        {
            await InitAsync("designer", "developer");
            string config = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["clients"] = McpClients.Directory,
                ["command"] = NativeExecutable.FilePath,
                ["agents"] = new Dictionary<string, string>
                {
                    ["designer"] = Workspace.AgentDirectory("designer"),
                    ["developer"] = Workspace.AgentDirectory("developer"),
                },
            });
            var run = await ExternalProcess.RunAsync("node", new[] { Path.Combine(McpClients.Scripts, "two-agents.mjs"), config },
                Workspace.Root, Workspace.ChildEnvironment(agent: null), TimeSpan.FromMinutes(5));
            if (run.ExitCode != 0) throw run.Fail("the two-agent story script failed");
            using var document = JsonDocument.Parse(run.StandardOutput);
            var report = document.RootElement;

            // Each race has exactly one winner; the loser is told who holds the step.
            foreach (var race in report.GetProperty("races").EnumerateArray())
            {
                string step = race.GetProperty("step").GetString()!;
                var results = race.GetProperty("results").EnumerateArray().ToList();
                var winners = results.Where(r => !r.GetProperty("isError").GetBoolean()).ToList();
                var winner = Assert.Single(winners);
                string holder = winner.GetProperty("agent").GetString()!;
                Assert.Equal($"Claimed step {step} as {holder}", winner.GetProperty("text").GetString());
                var loser = Assert.Single(results, r => r.GetProperty("isError").GetBoolean());
                Assert.Equal($"Error: Step {step} already claimed by {holder}", loser.GetProperty("text").GetString());
            }
            string first = report.GetProperty("holder").GetString()!, other = report.GetProperty("waiter").GetString()!;
            Assert.NotEqual(first, other);

            // The message, read (and consumed) by the other agent.
            Assert.Equal($"Sent to {other}: race-1 is mine, wait for it", report.GetProperty("send").GetProperty("text").GetString());
            var inbox = report.GetProperty("inbox").GetProperty("text").GetString()!.Split('\n');
            Assert.Matches(@"^\[" + SentAt + @"\] \(direct\) " + Regex.Escape(first) + ": race-1 is mine, wait for it$", inbox[0]);
            Assert.Equal("Deleted 1 message(s).", inbox[1]);

            // The barrier: it reported waiting (progress) while the step was held, and returned only after the complete.
            Assert.Equal($"race-1: in_progress (agent: {first})", report.GetProperty("statusWhileWaiting").GetProperty("text").GetString());
            Assert.Contains(report.GetProperty("waitProgress").EnumerateArray(), p => p.GetString()!.StartsWith("Waiting for: race-1", StringComparison.Ordinal));
            Assert.Equal($"Completed step race-1 → handed off to {other}", report.GetProperty("complete").GetProperty("text").GetString());
            var wait = report.GetProperty("wait");
            Assert.False(wait.GetProperty("isError").GetBoolean(), wait.ToString());
            Assert.False(wait.GetProperty("settledBeforeComplete").GetBoolean());
            Assert.StartsWith("All steps complete: race-1", wait.GetProperty("text").GetString());
            Assert.StartsWith($"race-1: complete by {first} at ", report.GetProperty("handoff").GetProperty("text").GetString());
        }
    }

    public sealed class FolderStoreMcpTests : McpTests
    {
        protected override StoreBackend Backend { get; } = new FolderBackend();

        /// <summary>A server whose client closes stdin at once ends cleanly and writes nothing (stdout is for MCP frames only).</summary>
        [Fact]
        public async Task Mcp_EndsWhenStdinCloses_WritingNothing()
        {
            var result = await Workspace.StartAs("alice", "mcp").WaitAndDisposeAsync(TestWorkspace.DefaultTimeout);
            result.AssertExitCode(0).AssertOut();
        }

        [Fact]
        public async Task Mcp_TakesNoArguments_AndHasHelp()
        {
            var extra = await Workspace.RunAsync("alice", "mcp", "--stdio");
            extra.AssertExitCode(2);
            Assert.Equal(new[] { "Error: unrecognized arguments: --stdio", "Run 'tracecraft mcp --help' for usage." }, extra.ErrorLines);
            var help = (await Workspace.RunAsync("alice", "mcp", "--help")).AssertExitCode(0);
            Assert.Equal("usage: tracecraft mcp", help.OutLines[0]);
            Assert.Contains((await Workspace.RunAsync("alice", "--help")).OutLines, l => l.StartsWith("  mcp ", StringComparison.Ordinal));
        }

        /// <summary>After "--", "-h" is a value: before, any "-h" or "--help" anywhere printed the verb's help instead.</summary>
        [Fact]
        public async Task Cli_HelpFlagAfterDoubleDash_IsAValue()
        {
            (await Workspace.RunAsync("alice", new[] { "init", "--project", Workspace.Project, "--agent", "alice" }.Concat(Backend.InitArguments(Workspace)).ToArray())).AssertExitCode(0);
            (await Workspace.RunAsync("alice", "send", "bob", "--", "--help")).AssertSucceeded("Sent to bob: --help");
            (await Workspace.RunAsync("alice", "send", "bob", "-h")).AssertExitCode(0).AssertOut(
                "usage: tracecraft send AGENT_ID MESSAGE", "Sends a direct message, or to everyone with AGENT_ID _broadcast.");
        }
    }

    public sealed class S3StoreMcpTests : McpTests
    {
        protected override StoreBackend Backend { get; } = new S3Backend(TestS3Server.Current);
    }
}
