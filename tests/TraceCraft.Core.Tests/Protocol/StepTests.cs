using System;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Protocol;
using Xunit;

namespace TraceCraft.Tests.Protocol
{
    public abstract class StepTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        protected StepTests(TBackend backend) : base(backend) { }

        [Fact]
        public async Task Complete_writes_status_and_a_schema_2_handoff_with_the_same_time()
        {
            var designer = Agent("designer");
            await designer.Claims.ClaimAsync("design");
            var done = await designer.Steps.CompleteAsync("design", new CompletionRequest { Note = "done, see mockup.html", To = "developer", ChangedFiles = new[] { "a.txt" } });
            Assert.Equal(StepStatus.Complete, done.Status);
            var status = await designer.Steps.ReadStatusAsync("design");
            var handoff = await Agent("developer").Steps.GetHandoffAsync("design");
            Assert.Equal(status!.CompletedAt, handoff!.CreatedAt);
            Assert.Equal(2, handoff.Schema);
            Assert.Equal("developer", handoff.NextAgent);
            Assert.Equal(new[] { "a.txt" }, handoff.ChangedFiles);
            string raw = Encoding.UTF8.GetString((await designer.Store.GetAsync(Project + "/steps/design/handoff.json")).Body!);
            foreach (var field in new[] { "\"schema\": 2", "\"from_agent\": \"designer\"", "\"from_step\": \"design\"", "\"next_agent\": \"developer\"", "\"state\": \"complete\"", "\"next_action\": null", "\"note\": \"done, see mockup.html\"", "\"created_at\": \"", "\"changed_files\": [" })
                Assert.Contains(field, raw);
        }

        [Fact]
        public async Task Blocked_and_needs_review_have_no_completed_at_and_complete_works_on_unclaimed_steps()
        {
            var a = Agent("a");
            await a.Steps.CompleteAsync("x", new CompletionRequest { State = StepStatus.Blocked });
            var status = await a.Steps.ReadStatusAsync("x");
            Assert.Equal(StepStatus.Blocked, status!.Status);
            Assert.Null(status.CompletedAt);
            // Unlike the original, completing an unclaimed step seals a claim, so nobody claims the finished step again.
            var seal = await a.Claims.ReadAsync("x");
            Assert.Equal(StepStatus.Blocked, seal!.State);
            Assert.Equal(TcErrorCode.StepFinished, (await Assert.ThrowsAsync<TcException>(() => Agent("b").Claims.ClaimAsync("x"))).Code);
            await a.Steps.CompleteAsync("y", new CompletionRequest { State = StepStatus.NeedsReview });
            Assert.Equal(StepStatus.NeedsReview, (await a.Steps.GetAsync("y")).Status);
        }

        [Fact]
        public async Task Step_ids_map_to_folders_as_the_original_maps_them()
        {
            var a = Agent("a");
            await a.Claims.ClaimAsync("S1.A");
            Assert.True((await a.Store.GetAsync(Project + "/steps/s1-a/claim.json")).Found);
            await a.Claims.ClaimAsync("Claim Only");
            Assert.True((await a.Store.GetAsync(Project + "/steps/claim only/claim.json")).Found);
        }

        [Fact]
        public async Task Wait_returns_soon_after_the_completing_write()
        {
            var designer = Agent("designer");
            var developer = Agent("developer");
            await designer.Claims.ClaimAsync("design");
            var wait = developer.Barriers.WaitAsync(new[] { "design" }, TimeSpan.FromSeconds(30));
            await Task.Delay(500);
            Assert.False(wait.IsCompleted);
            var watch = Stopwatch.StartNew();
            await designer.Steps.CompleteAsync("design", new CompletionRequest());
            var steps = await wait;
            Assert.Equal(StepStatus.Complete, Assert.Single(steps).Status);
        }

        [Fact]
        public async Task Wait_fails_at_once_on_a_blocked_step_and_times_out_with_the_originals_message()
        {
            var a = Agent("a");
            await a.Steps.CompleteAsync("b", new CompletionRequest { State = StepStatus.Blocked });
            var blocked = await Assert.ThrowsAsync<TcException>(() => a.Barriers.WaitAsync(new[] { "b", "other" }, TimeSpan.FromSeconds(30)));
            Assert.Equal(TcErrorCode.StepBlocked, blocked.Code);
            var timeout = await Assert.ThrowsAsync<TcException>(() => a.Barriers.WaitAsync(new[] { "p", "q" }, TimeSpan.FromSeconds(1)));
            Assert.Equal(TcErrorCode.WaitTimeout, timeout.Code);
            Assert.Equal("Timeout after 1s. Not all steps complete: p, q", timeout.Message);
        }

        [Fact]
        public async Task Wait_reports_needs_review_and_keeps_waiting()
        {
            var a = Agent("a");
            await a.Steps.CompleteAsync("r", new CompletionRequest { State = StepStatus.NeedsReview });
            WaitProgress? last = null;
            var e = await Assert.ThrowsAsync<TcException>(() => a.Barriers.WaitAsync(new[] { "r" }, TimeSpan.FromSeconds(1), new InlineProgress<WaitProgress>(p => last = p)));
            Assert.Equal(TcErrorCode.WaitTimeout, e.Code);
            Assert.Contains("needs review: r", e.Message);
            Assert.Equal(new[] { "r" }, last!.NeedsReview);
        }

        [Fact]
        public async Task Ready_lists_steps_whose_dependencies_are_complete_and_nobody_holds()
        {
            var lead = Agent("lead");
            await lead.Steps.DefineAsync("lint", Array.Empty<string>(), "lint it");
            await lead.Steps.DefineAsync("test", Array.Empty<string>(), null);
            await lead.Steps.DefineAsync("build", new[] { "lint", "test" }, "build it");
            await lead.Steps.DefineAsync("deploy", new[] { "build" }, null);
            Assert.Equal(new[] { "lint", "test" }, (await lead.Steps.GetReadyAsync()).Select(s => s.Id).OrderBy(x => x));

            var worker = Agent("worker");
            await worker.Claims.ClaimAsync("lint");
            Assert.Equal(new[] { "test" }, (await lead.Steps.GetReadyAsync()).Select(s => s.Id));
            await worker.Steps.CompleteAsync("lint", new CompletionRequest());
            await worker.Steps.CompleteAsync("test", new CompletionRequest());
            var ready = await lead.Steps.GetReadyAsync();
            Assert.Equal(new[] { "build" }, ready.Select(s => s.Id));
            Assert.Equal(new[] { "lint", "test" }, ready[0].DependsOn);
            Assert.Equal("build it", ready[0].Description);
        }

        [Fact]
        public async Task Dependency_cycles_are_refused()
        {
            var lead = Agent("lead");
            await lead.Steps.DefineAsync("a", new[] { "b" }, null);
            await lead.Steps.DefineAsync("b", new[] { "c" }, null);
            var e = await Assert.ThrowsAsync<TcException>(() => lead.Steps.DefineAsync("c", new[] { "a" }, null));
            Assert.Equal(TcErrorCode.DependencyCycle, e.Code);
            Assert.Contains("c -> a -> b -> c", e.Message);
            Assert.Equal(TcErrorCode.DependencyCycle, (await Assert.ThrowsAsync<TcException>(() => lead.Steps.DefineAsync("self", new[] { "self" }, null))).Code);
            await lead.Steps.DefineAsync("a", new[] { "b" }, null); // the same spec again is fine
            Assert.Equal(TcErrorCode.StepSpecExists, (await Assert.ThrowsAsync<TcException>(() => lead.Steps.DefineAsync("a", new[] { "x" }, null))).Code);
        }

        [Fact]
        public async Task Listing_steps_shows_each_once()
        {
            var a = Agent("a");
            await a.Claims.ClaimAsync("one");
            await a.Steps.CompleteAsync("two", new CompletionRequest());
            await a.Steps.DefineAsync("three", Array.Empty<string>(), null);
            var steps = await a.Steps.ListAsync();
            Assert.Equal(new[] { "one", "three", "two" }, steps.Select(s => s.Id).OrderBy(x => x));
            Assert.Equal(StepStatus.Pending, steps.Single(s => s.Id == "three").Status);
        }
    }

    public sealed class FolderStepTests : StepTests<FolderBackend> { public FolderStepTests(FolderBackend b) : base(b) { } }
    public sealed class S3StepTests : StepTests<S3Backend> { public S3StepTests(S3Backend b) : base(b) { } }
}
