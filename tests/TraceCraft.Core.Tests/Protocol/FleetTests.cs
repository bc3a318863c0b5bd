using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Protocol;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Tests.Protocol
{
    /// <summary>What a fleet needs to run unattended: dependencies that bind, release, reopen, retry budgets, claim-next.</summary>
    public abstract class FleetTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        protected FleetTests(TBackend backend) : base(backend) { }

        private TcSession Later(string name) => Agent(name, new TcClock(fixedOffset: TimeSpan.FromMinutes(5)));

        [Fact]
        public async Task A_step_whose_dependencies_are_open_cannot_be_claimed_unless_told_to_ignore_them()
        {
            var lead = Agent("lead");
            await lead.Steps.DefineAsync("lint", Array.Empty<string>(), null);
            await lead.Steps.DefineAsync("test", Array.Empty<string>(), null);
            await lead.Steps.DefineAsync("build", new[] { "lint", "test" }, null);
            await lead.Steps.CompleteAsync("lint", new CompletionRequest());
            var e = await Assert.ThrowsAsync<TcException>(() => lead.Claims.ClaimAsync("build"));
            Assert.Equal(TcErrorCode.StepNotReady, e.Code);
            Assert.Contains("test (pending)", e.Message);
            Assert.DoesNotContain("lint", e.Message);
            Assert.Equal(StepStatus.Pending, (await lead.Steps.GetAsync("build")).Status);

            var forced = await Agent("ops").Claims.ClaimAsync("build", new ClaimOptions { IgnoreDependencies = true });
            Assert.Equal("ops", forced.Agent);
            await lead.Steps.CompleteAsync("test", new CompletionRequest());
            await lead.Claims.ClaimAsync("lint-2");
        }

        [Fact]
        public async Task A_released_step_is_pending_and_ready_again_and_its_old_holder_stays_fenced()
        {
            var a = Agent("a");
            var b = Agent("b");
            await a.Steps.DefineAsync("s", Array.Empty<string>(), null);
            await a.Claims.ClaimAsync("s");
            Assert.Equal(TcErrorCode.StepNotOwned, (await Assert.ThrowsAsync<TcException>(() => b.Claims.ReleaseAsync("s"))).Code);
            var released = await a.Claims.ReleaseAsync("s");
            Assert.Equal((StepStatus.Pending, (string?)null), (released.Status, released.ClaimedBy));
            Assert.Contains("s", (await b.Steps.GetReadyAsync()).Select(x => x.Id));
            var again = await b.Claims.ClaimAsync("s");
            Assert.Equal(2, again.Token);
            Assert.Null(again.TakenOverFrom);
            Assert.Equal(TcErrorCode.StepNotOwned, (await Assert.ThrowsAsync<TcException>(() => a.Steps.CompleteAsync("s", new CompletionRequest()))).Code);
            Assert.Equal(TcErrorCode.StepNotClaimed, (await Assert.ThrowsAsync<TcException>(() => a.Claims.ReleaseAsync("free"))).Code);
        }

        [Fact]
        public async Task After_max_attempts_failed_attempts_the_step_fails_and_reopen_gives_it_a_new_budget()
        {
            var lead = Agent("lead");
            await lead.Steps.DefineAsync(new StepDefinition { Id = "flaky", MaxAttempts = 2 });
            // Attempt 1 ends in expiry: the first holder's clock is an hour behind, so its lease is long over.
            await Agent("w1", new TcClock(fixedOffset: TimeSpan.FromHours(-1))).Claims.ClaimAsync("flaky", 60);
            var w2 = Agent("w2");
            var second = await w2.Claims.ClaimAsync("flaky", 600);
            Assert.Equal((2L, 1), (second.Token, second.Failures));
            // Attempt 2 ends in a release with failure: the budget is spent.
            var failed = await w2.Claims.ReleaseAsync("flaky", failed: true);
            Assert.Equal((StepStatus.Failed, 2), (failed.Status, failed.Failures));

            Assert.Equal(StepStatus.Blocked, (await lead.Steps.ReadStatusAsync("flaky"))!.Status); // what the original's waiters see
            Assert.DoesNotContain("flaky", (await lead.Steps.GetReadyAsync()).Select(s => s.Id));
            Assert.Null(await lead.Claims.ClaimNextAsync());
            Assert.Equal(TcErrorCode.StepFinished, (await Assert.ThrowsAsync<TcException>(() => lead.Claims.ClaimAsync("flaky"))).Code);
            var waited = await Assert.ThrowsAsync<TcException>(() => lead.Barriers.WaitAsync(new[] { "flaky" }, TimeSpan.FromSeconds(30)));
            Assert.Equal(TcErrorCode.StepFailed, waited.Code);
            Assert.Contains("flaky", (await lead.Steps.ListAsync()).Where(s => s.Status == StepStatus.Failed).Select(s => s.Id));

            var reopened = await lead.Claims.ReopenAsync("flaky");
            Assert.Equal((StepStatus.Pending, 0), (reopened.Status, reopened.Failures));
            Assert.Null(await lead.Steps.ReadStatusAsync("flaky"));
            var third = (await lead.Claims.ClaimNextAsync())!;
            Assert.Equal(("flaky", 4L), (third.StepId, third.Token));
        }

        [Fact]
        public async Task Reopen_returns_a_complete_step_to_pending_and_keeps_its_handoff_readable()
        {
            var a = Agent("a");
            await a.Claims.ClaimAsync("report");
            await a.Steps.CompleteAsync("report", new CompletionRequest { Note = "first run" });
            var ops = Agent("ops");
            var reopened = await ops.Claims.ReopenAsync("report");
            Assert.Equal(StepStatus.Pending, reopened.Status);
            Assert.Null(await ops.Steps.GetHandoffAsync("report"));
            Assert.False((await ops.Store.GetAsync(ops.Layout.StatusKey("report"))).Found, "the original's readers see it pending too");

            var b = Agent("b");
            await b.Claims.ClaimAsync("report");
            Assert.Equal(TcErrorCode.StepAlreadyClaimed, (await Assert.ThrowsAsync<TcException>(() => ops.Claims.ReopenAsync("report"))).Code);
            await b.Steps.CompleteAsync("report", new CompletionRequest { Note = "second run" });
            Assert.Equal("second run", (await ops.Steps.GetHandoffAsync("report"))!.Note);
            Assert.Equal(new[] { "first run" }, (await ops.Steps.GetHandoffHistoryAsync("report")).Select(h => h.Note));

            // A holder that died without a lease: only -Force takes the step back.
            await b.Claims.ClaimAsync("stuck");
            Assert.Equal(StepStatus.Pending, (await ops.Claims.ReopenAsync("stuck", force: true)).Status);
            Assert.Equal(TcErrorCode.StepNotOwned, (await Assert.ThrowsAsync<TcException>(() => b.Steps.CompleteAsync("stuck", new CompletionRequest()))).Code);
        }

        [Fact]
        public async Task Claim_next_hands_out_priorities_first_honours_the_filter_and_returns_null_when_nothing_is_ready()
        {
            var lead = Agent("lead");
            foreach (var id in new[] { "exp-1", "exp-2", "exp-3", "doc-1" }) await lead.Steps.DefineAsync(id, Array.Empty<string>(), null);
            await lead.Steps.DefineAsync(new StepDefinition { Id = "exp-urgent", Priority = 10 });
            await lead.Steps.DefineAsync(new StepDefinition { Id = "after", DependsOn = new[] { "doc-1" } });
            var worker = Agent("worker");
            Assert.Equal("exp-urgent", (await worker.Claims.ClaimNextAsync())!.StepId);
            Assert.Equal("doc-1", (await worker.Claims.ClaimNextAsync("DOC-*"))!.StepId);
            Assert.Null(await worker.Claims.ClaimNextAsync("doc-*"));
            var rest = new List<string>();
            while (await worker.Claims.ClaimNextAsync("exp-?") is StepClaim c) rest.Add(c.StepId);
            Assert.Equal(new[] { "exp-1", "exp-2", "exp-3" }, rest.OrderBy(x => x));
            Assert.Null(await worker.Claims.ClaimNextAsync());
        }

        [Fact]
        public async Task Eight_workers_asking_for_the_next_step_at_once_each_get_a_different_one()
        {
            var lead = Agent("lead");
            for (int i = 0; i < 8; i++) await lead.Steps.DefineAsync("job-" + i, Array.Empty<string>(), null);
            var workers = Enumerable.Range(0, 8).Select(i => Agent("w" + i)).ToList();
            var claims = await Task.WhenAll(workers.Select(w => Task.Run(() => w.Claims.ClaimNextAsync())));
            var got = claims.Where(c => c is not null).Select(c => c!.StepId).ToList();
            Assert.Equal(got.Count, got.Distinct().Count());
            // A loser of a race tries the next ready step, so nobody comes back empty while steps are left.
            Assert.Equal(8, got.Count);
        }
    }

    public sealed class FolderFleetTests : FleetTests<FolderBackend> { public FolderFleetTests(FolderBackend b) : base(b) { } }
    public sealed class S3FleetTests : FleetTests<S3Backend> { public S3FleetTests(S3Backend b) : base(b) { } }
}
