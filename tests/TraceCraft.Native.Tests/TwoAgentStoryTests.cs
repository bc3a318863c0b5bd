using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using TraceCraft.Native.Tests.Infrastructure;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Native.Tests
{
    /// <summary>
    /// The seed's two-agent story (designer and developer), each agent in its own working folder with its own
    /// TRACECRAFT_AGENT, run through the native executable. Written once; <see cref="FolderStoreStoryTests"/> and
    /// <see cref="S3StoreStoryTests"/> run it against each store.
    /// </summary>
    public abstract class TwoAgentStoryTests : IDisposable
    {
        /// <summary>An inbox line: <c>[sent_at] (direct|broadcast) from: message</c>, sent_at as Python's isoformat writes it.</summary>
        protected const string SentAt = @"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?\+00:00";
        private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

        protected TwoAgentStoryTests() => Workspace = new TestWorkspace();

        protected TestWorkspace Workspace { get; }
        protected string Project => Workspace.Project;
        protected abstract StoreBackend Backend { get; }

        public void Dispose() => Workspace.Dispose();

        protected Task<CliResult> Designer(params string[] args) => Workspace.RunAsync("designer", args);
        protected Task<CliResult> Developer(params string[] args) => Workspace.RunAsync("developer", args);

        /// <summary>Each agent runs <c>init</c> in its own folder, as the seed's two terminals do.</summary>
        protected async Task InitAsync(params string[] agents)
        {
            foreach (string agent in agents)
            {
                var result = await Workspace.RunAsync(agent, new[] { "init", "--project", Project, "--agent", agent }.Concat(Backend.InitArguments(Workspace)).ToArray());
                result.AssertSucceeded(
                    $"Initialized project {Project} as agent {agent} ({Backend.Location(Workspace)})",
                    $"Config written to {Path.Combine(Workspace.AgentDirectory(agent), ".tracecraft.json")}");
            }
        }

        [Fact]
        public async Task SeedStory_PrintsTheOriginalsLines()
        {
            await InitAsync("designer", "developer");

            // Designer claims a task and shares state.
            (await Designer("claim", "design")).AssertSucceeded("Claimed step design as designer");
            (await Designer("memory", "set", "design.status", "complete")).AssertSucceeded("Set design.status = complete");
            (await Designer("send", "developer", "Design is ready")).AssertSucceeded("Sent to developer: Design is ready");

            // Developer checks messages and picks it up.
            var inbox = (await Developer("inbox")).AssertExitCode(0);
            inbox.AssertOutMatches($@"\[{SentAt}\] \(direct\) designer: Design is ready");
            Assert.Equal("", inbox.StandardError);
            await CheckStoredSentAtAsync(inbox.OutLines[0]);
            (await Developer("memory", "get", "design.status")).AssertSucceeded("complete");
            (await Developer("claim", "implementation")).AssertSucceeded("Claimed step implementation as developer");

            // The designer shares a file; the developer waits at the barrier while the designer completes.
            string mockup = "<html><body>mockup für alle</body></html>\n";
            File.WriteAllText(Path.Combine(Workspace.AgentDirectory("designer"), "mockup.html"), mockup);
            (await Designer("artifact", "upload", "mockup.html", "--step", "design"))
                .AssertSucceeded("Uploaded mockup.html -> artifacts/design/mockup.html");
            using (var wait = Workspace.StartAs("developer", "wait-for", "design", "--timeout", "120"))
            {
                await wait.WaitForErrorTextAsync("Waiting for: design", Long);
                (await Designer("complete", "design", "--note", "done, see mockup.html", "--to", "developer"))
                    .AssertSucceeded("Completed step design → handed off to developer");
                var waited = await wait.WaitAsync(Long);
                waited.AssertExitCode(0).AssertOut("All steps complete: design");
                Assert.All(waited.ErrorLines, line => Assert.StartsWith("Waiting for: design", line));
            }
            (await Developer("wait-for", "design")).AssertSucceeded("All steps complete: design");
            (await Developer("handoff", "design")).AssertOutMatches(
                $@"design: complete by designer at {SentAt}", "next agent: developer", @"note: done, see mockup\.html");

            string downloaded = Path.Combine(Workspace.AgentDirectory("developer"), "mockup.html");
            (await Developer("artifact", "download", "mockup.html", "--step", "design"))
                .AssertSucceeded($"Downloaded artifacts/design/mockup.html -> {downloaded}");
            Assert.Equal(mockup, File.ReadAllText(downloaded));
            (await Developer("artifact", "list", "--step", "design")).AssertSucceeded("artifacts/design/mockup.html");

            (await Developer("step-status", "design")).AssertSucceeded("design: complete (agent: designer)");
            (await Developer("step-status", "implementation")).AssertSucceeded("implementation: in_progress (agent: developer)");
            (await Developer("step-status", "testing")).AssertSucceeded("testing: pending");

            // Reading and clearing the inbox.
            (await Developer("inbox", "--delete")).AssertExitCode(0).AssertOutMatches(
                $@"\[{SentAt}\] \(direct\) designer: Design is ready", @"Deleted 1 message\(s\)\.");
            (await Developer("inbox")).AssertSucceeded("No messages.");
        }

        /// <summary>The store's own sent_at is what the inbox line shows (only where the test can read the store).</summary>
        protected virtual Task CheckStoredSentAtAsync(string inboxLine) => Task.CompletedTask;

        [Fact]
        public async Task Claim_TakenStep_FailsWithTheClaimer()
        {
            await InitAsync("designer", "developer");
            (await Designer("claim", "design")).AssertSucceeded("Claimed step design as designer");
            (await Developer("claim", "design")).AssertFailed("Step design already claimed by designer");
            (await Developer("complete", "design")).AssertFailed("Step design is claimed by designer, not by developer: use --force (-Force) to complete it anyway.");
            (await Developer("step-status", "design")).AssertSucceeded("design: in_progress (agent: designer)");
        }

        [Fact]
        public async Task Claim_Race_HasExactlyOneWinner()
        {
            var agents = Enumerable.Range(1, 6).Select(i => $"racer{i}").ToArray();
            await InitAsync(agents);
            var processes = agents.Select(a => Workspace.StartAs(a, "claim", "prize")).ToList();
            var results = await Task.WhenAll(processes.Select(p => p.WaitAndDisposeAsync(Long)));
            var winners = results.Where(r => r.ExitCode == 0).ToList();
            Assert.True(winners.Count == 1, $"expected exactly one winner:\n{string.Join("\n", results.Select(r => r.ToString()))}");
            string winner = Regex.Match(winners[0].OutLines.Single(), "^Claimed step prize as (racer\\d)$").Groups[1].Value;
            Assert.NotEqual("", winner);
            foreach (var loser in results.Where(r => r.ExitCode != 0))
                loser.AssertFailed($"Step prize already claimed by {winner}");
        }

        [Fact]
        public async Task MemoryGet_MissingKey_ExitsOneWithOneEmptyLineOnStderr()
        {
            await InitAsync("developer");
            var result = await Developer("memory", "get", "no.such.key");
            result.AssertExitCode(1).AssertOut();
            Assert.Equal("\n", result.StandardError);
        }

        [Fact]
        public async Task Broadcast_ReachesOthersButNotItsSender()
        {
            await InitAsync("designer", "developer", "tester");
            (await Designer("send", "_broadcast", "Grüße → 世界")).AssertSucceeded("Sent to _broadcast: Grüße → 世界");
            (await Designer("inbox")).AssertSucceeded("No messages.");
            (await Developer("inbox")).AssertOutMatches($@"\[{SentAt}\] \(broadcast\) designer: Grüße → 世界");
            (await Workspace.RunAsync("tester", "inbox")).AssertOutMatches($@"\[{SentAt}\] \(broadcast\) designer: Grüße → 世界");
        }

        [Fact]
        public async Task WaitFor_BlockedStep_FailsAtOnce_AndTimeoutNamesTheOpenSteps()
        {
            await InitAsync("designer", "developer");
            (await Designer("claim", "api")).AssertSucceeded("Claimed step api as designer");
            (await Designer("complete", "api", "--blocked", "--note", "needs a key")).AssertSucceeded("Blocked step api");
            var blocked = await Developer("wait-for", "api", "--timeout", "60");
            blocked.AssertExitCode(1).AssertOut();
            Assert.EndsWith("Error: Step api is blocked (agent: designer) — it will not complete without intervention. Resolve it and re-run wait-for.\n", blocked.StandardError);
            Assert.True(blocked.Elapsed < TimeSpan.FromSeconds(30), blocked.ToString());

            var timeout = await Developer("wait-for", "ui", "db", "--timeout", "1");
            timeout.AssertExitCode(1).AssertOut();
            Assert.Equal("Error: Timeout after 1s. Not all steps complete: ui, db", timeout.ErrorLines[^1]);
        }
    }

    public sealed class FolderStoreStoryTests : TwoAgentStoryTests
    {
        protected override StoreBackend Backend { get; } = new FolderBackend();

        protected override Task CheckStoredSentAtAsync(string inboxLine)
        {
            // The folder store keeps each object as a file under <path>/objects/<key>.
            var folder = Path.Combine(Workspace.StorePath, "objects", Project, "messages", "developer");
            var file = Assert.Single(Directory.GetFiles(folder, "*_designer_*.json"));
            Assert.Matches(@"^\d+_designer_[0-9a-f]{8}\.json$", Path.GetFileName(file));
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(file));
            Assert.StartsWith($"[{json.RootElement.GetProperty("sent_at").GetString()}] ", inboxLine);
            return Task.CompletedTask;
        }
    }

    public sealed class S3StoreStoryTests : TwoAgentStoryTests
    {
        protected override StoreBackend Backend { get; } = new S3Backend(TestS3Server.Current);
    }
}
