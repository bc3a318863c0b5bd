using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using TraceCraft.Protocol;
using TraceCraft.Storage;
using TraceCraft.Tests.Protocol;
using Xunit;
using Xunit.Abstractions;

namespace TraceCraft.Tests.Board
{
    /// <summary>The read model behind the board and the report: what it shows, and what a refresh costs.</summary>
    public abstract class ProjectSnapshotTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        private readonly ITestOutputHelper _output;

        protected ProjectSnapshotTests(TBackend backend, ITestOutputHelper output) : base(backend) => _output = output;

        [Fact]
        public async Task A_recorded_fleet_run_reads_back_with_states_attempts_takeover_and_messages()
        {
            var clock = await FleetRecording.RecordAsync((name, c) => Agent(name, c));
            var snapshot = await new ProjectReader(Agent("viewer", clock), new ProjectReaderOptions { History = true }).RefreshAsync();

            string StateOf(string id) => snapshot.Steps.Single(s => s.Step.Id == id).Step.Status;
            Assert.Equal(StepStatus.Complete, StateOf("design"));
            Assert.Equal(StepStatus.Complete, StateOf("build"));
            Assert.Equal(StepStatus.Blocked, StateOf("docs"));
            Assert.Equal(StepStatus.Failed, StateOf("test"));
            var deploy = snapshot.Steps.Single(s => s.Step.Id == "deploy");
            Assert.Equal(new[] { "test", "docs" }, deploy.UnmetDependencies);
            Assert.False(deploy.IsReady);

            var build = snapshot.Steps.Single(s => s.Step.Id == "build").Attempts;
            Assert.Equal(new[] { ("builder", AttemptOutcome.TakenOver), ("rescuer", AttemptOutcome.Complete) }, build.Select(a => (a.Agent, a.Outcome)));
            Assert.Equal("builder", build[1].TakenOverFrom);
            Assert.Equal(build[0].LeaseExpiresAt, build[0].EndedAt);
            Assert.Equal("done, see <mockup.html> & notes", snapshot.Steps.Single(s => s.Step.Id == "design").Handoff?.Note);

            Assert.Equal(FleetRecording.Agents.OrderBy(a => a, StringComparer.Ordinal), snapshot.Agents.Select(a => a.Id).Where(a => a != "viewer"));
            Assert.Equal(4, snapshot.MessageMarks.Count);
            Assert.Equal(2, snapshot.MessageMarks.Count(m => m.Kind == MessageKind.Broadcast));
            Assert.Equal(new[] { "test failed: flaky fixture", "Took over build from builder" }, snapshot.RecentMessages.Take(2).Select(m => m.Text));
        }

        [Fact]
        public Task A_refresh_of_10_unchanged_steps_costs_its_listings_and_a_change_costs_its_reads() => MeasureRefreshAsync(10);

        /// <summary>Declares the steps, claims 5, then counts the requests of a first, an unchanged and a changed refresh.</summary>
        protected async Task MeasureRefreshAsync(int steps)
        {
            var lead = Agent("lead");
            await Task.WhenAll(Enumerable.Range(0, steps).Select(i => lead.Steps.DefineAsync(new StepDefinition { Id = $"s{i:D4}" })));
            for (int i = 0; i < Math.Min(steps, 5); i++) await lead.Claims.ClaimAsync($"s{i:D4}");
            await lead.Messages.SendAsync("_broadcast", "hello");
            // The folder store lists sizes and times, trusted only for copies read a clock tick after them (ObjectMirror).
            await Task.Delay(ObjectMirror.RacyWindow + TimeSpan.FromMilliseconds(200));

            var requests = new ConcurrentBag<StoreRequest>();
            var reader = new ProjectReader(Agent("viewer", observer: requests.Add));
            var first = await reader.RefreshAsync();
            Assert.Equal(steps, first.Steps.Count);
            int firstCost = requests.Count;
            Assert.Equal(firstCost, first.Requests);

            requests.Clear();
            var steady = await reader.RefreshAsync();
            // Three listings (steps/, agents/, messages/), a page per further 1,000 objects (a spec per step, 5 claims);
            // nothing read again.
            int stepPages = (steps + 5 + 999) / 1000;
            Assert.Equal(stepPages + 2, requests.Count);
            Assert.All(requests, r => Assert.Equal("LIST", r.Method));
            Assert.Equal(requests.Count, steady.Requests);

            requests.Clear();
            await lead.Steps.CompleteAsync("s0000", new CompletionRequest { Note = "done" });
            var changed = await reader.RefreshAsync();
            Assert.Equal(StepStatus.Complete, changed.Steps[0].Step.Status);
            Assert.Equal("done", changed.Steps[0].Handoff?.Note);
            // claim.json, status.json and the new handoff.json: one read each.
            Assert.Equal(stepPages + 2 + 3, requests.Count);
            _output.WriteLine($"{steps} steps on {Backend.GetType().Name}: first refresh {firstCost} requests, unchanged {steady.Requests}, after one completion {changed.Requests}");
        }
    }

    public sealed class FolderProjectSnapshotTests : ProjectSnapshotTests<FolderBackend>
    {
        public FolderProjectSnapshotTests(FolderBackend b, ITestOutputHelper o) : base(b, o) { }

        // Measured on the folder store: the request logic is the store's contract, and declaring 1,000 steps on RGW takes minutes.
        [Fact]
        public Task A_refresh_of_1000_unchanged_steps_costs_its_listings_and_a_change_costs_its_reads() => MeasureRefreshAsync(1000);
    }
    public sealed class S3ProjectSnapshotTests : ProjectSnapshotTests<S3Backend> { public S3ProjectSnapshotTests(S3Backend b, ITestOutputHelper o) : base(b, o) { } }
}
