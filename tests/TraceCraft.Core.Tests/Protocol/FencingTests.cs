using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Protocol;
using TraceCraft.Storage;
using TraceCraft.Testing;
using Xunit;

namespace TraceCraft.Tests.Protocol
{
    /// <summary>
    /// Fencing is by the claim, not the name; a finished step stays finished; one corrupt object never stops the fleet.
    /// </summary>
    public abstract class FencingTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        protected FencingTests(TBackend backend) : base(backend) { }

        private TcSession Later(string name) => Agent(name, new TcClock(fixedOffset: TimeSpan.FromMinutes(5)));

        [Fact]
        public async Task A_taken_over_holder_with_the_same_agent_name_cannot_complete_or_renew()
        {
            // Two processes of one retried CI job, both "deploy": the first stalls, the second takes over after expiry.
            var first = Agent("deploy");
            var mine = await first.Claims.ClaimAsync("release", leaseSeconds: 2);
            var second = Later("deploy");
            var takeover = await second.Claims.ClaimAsync("release", leaseSeconds: 600);
            Assert.Equal(2, takeover.Token);

            var lost = await Assert.ThrowsAsync<TcException>(() => first.Steps.CompleteAsync("release", new CompletionRequest { Note = "stale" }));
            Assert.Equal(TcErrorCode.ClaimLost, lost.Code);
            Assert.Contains("(token 1)", lost.Message);
            Assert.Equal(TcErrorCode.ClaimLost, (await Assert.ThrowsAsync<TcException>(() => first.Claims.RenewAsync("release", 60))).Code);
            Assert.Null((await second.Steps.GetAsync("release")).CompletedAt);
            Assert.False((await second.Store.GetAsync(second.Layout.HandoffKey("release"))).Found, "the stale holder wrote nothing");

            // A process that only knows its token (the command line's --token) is fenced the same way.
            var third = Agent("deploy");
            var byToken = await Assert.ThrowsAsync<TcException>(() => third.Steps.CompleteAsync("release", new CompletionRequest { Token = mine.Token }));
            Assert.Equal(TcErrorCode.ClaimLost, byToken.Code);
            Assert.Equal(TcErrorCode.ClaimLost, (await Assert.ThrowsAsync<TcException>(() => third.Claims.RenewAsync("release", 60, token: 1))).Code);

            await second.Steps.CompleteAsync("release", new CompletionRequest { Note = "fresh" });
            Assert.Equal("fresh", (await first.Steps.GetHandoffAsync("release"))!.Note);
        }

        [Fact]
        public async Task Without_a_token_a_new_process_is_fenced_by_its_name_as_in_the_original()
        {
            var first = Agent("deploy");
            await first.Claims.ClaimAsync("release", leaseSeconds: 2);
            await Later("deploy").Claims.ClaimAsync("release", leaseSeconds: 600);
            // Documented limit: a process that neither made the claim nor gives a token is checked by name only.
            var step = await Agent("deploy").Steps.CompleteAsync("release", new CompletionRequest());
            Assert.Equal(StepStatus.Complete, step.Status);
            Assert.Equal(2, step.Token);
        }

        [Fact]
        public async Task A_step_completed_without_a_claim_cannot_be_claimed_and_its_handoff_is_kept()
        {
            var a = Agent("a");
            await a.Steps.CompleteAsync("u1", new CompletionRequest { Note = "first" });
            var e = await Assert.ThrowsAsync<TcException>(() => Agent("b").Claims.ClaimAsync("u1", leaseSeconds: 1));
            Assert.Equal(TcErrorCode.StepFinished, e.Code);
            Assert.Equal(TcErrorCode.StepFinished, (await Assert.ThrowsAsync<TcException>(() => Later("c").Claims.ClaimAsync("u1"))).Code);
            Assert.Equal("first", (await a.Steps.GetHandoffAsync("u1"))!.Note);
        }

        [Fact]
        public async Task A_step_the_original_completed_is_not_claimed_again_with_or_without_its_claim()
        {
            var ours = Agent("ours");
            // The original completes an unclaimed step: only status.json and handoff.json, no claim.
            await WriteAsOriginal(ours, "steps/o1/status.json", "{\"status\": \"complete\", \"agent\": \"py\", \"started_at\": \"2026-11-25T12:50:08.727913+00:00\", \"completed_at\": \"2026-11-25T12:50:09+00:00\"}");
            var e = await Assert.ThrowsAsync<TcException>(() => ours.Claims.ClaimAsync("o1"));
            Assert.Equal(TcErrorCode.StepFinished, e.Code);
            Assert.Contains("agent: py", e.Message);
            Assert.Equal(TcErrorCode.StepFinished, (await Assert.ThrowsAsync<TcException>(() => Agent("other").Claims.ClaimAsync("o1"))).Code);
            Assert.Equal(StepStatus.Complete, (await ours.Steps.GetAsync("o1")).Status);

            // Our leased claim, then the original's complete --force, then the lease expires: done, not free.
            await ours.Claims.ClaimAsync("o2", leaseSeconds: 1);
            await WriteAsOriginal(ours, "steps/o2/status.json", "{\"status\": \"complete\", \"agent\": \"py\", \"started_at\": \"2026-11-25T12:50:08+00:00\"}");
            Assert.Equal(TcErrorCode.StepFinished, (await Assert.ThrowsAsync<TcException>(() => Later("late").Claims.ClaimAsync("o2"))).Code);
        }

        [Fact]
        public async Task One_corrupt_claim_or_spec_is_skipped_with_a_warning_and_force_repairs_the_step()
        {
            var warnings = new List<string>();
            var lead = Agent("lead", warning: warnings.Add);
            await lead.Steps.DefineAsync("lint", Array.Empty<string>(), null);
            await lead.Steps.DefineAsync("test", Array.Empty<string>(), null);
            await lead.Steps.DefineAsync("docs", Array.Empty<string>(), null);
            await lead.Steps.DefineAsync("build", new[] { "lint" }, null);
            await lead.Steps.CompleteAsync("lint", new CompletionRequest());
            await WriteAsOriginal(lead, "steps/test/claim.json", "{not json");
            await WriteAsOriginal(lead, "steps/docs/spec.json", "{not json");

            var ready = (await lead.Steps.GetReadyAsync()).Select(s => s.Id).OrderBy(x => x).ToList();
            Assert.Equal(new[] { "build" }, ready);
            Assert.Contains(warnings, w => w.Contains("test") && w.Contains("claim.json"));
            Assert.Contains(warnings, w => w.Contains("docs/spec.json"));
            var listed = (await lead.Steps.ListAsync()).Select(s => s.Id).ToList();
            Assert.Contains("lint", listed);

            // A step whose spec is unreadable: its dependencies cannot be checked, unless the claimer says to ignore them.
            Assert.Equal(TcErrorCode.CorruptObject, (await Assert.ThrowsAsync<TcException>(() => lead.Claims.ClaimAsync("docs"))).Code);
            Assert.Equal("lead", (await lead.Claims.ClaimAsync("docs", new ClaimOptions { IgnoreDependencies = true })).Agent);
            var corrupt = await Assert.ThrowsAsync<TcException>(() => lead.Claims.ClaimAsync("test"));
            Assert.Equal(TcErrorCode.CorruptObject, corrupt.Code);
            var refused = await Assert.ThrowsAsync<TcException>(() => lead.Steps.CompleteAsync("test", new CompletionRequest()));
            Assert.Equal(TcErrorCode.CorruptObject, refused.Code);
            Assert.Contains("--force", refused.Message);
            var repaired = await lead.Steps.CompleteAsync("test", new CompletionRequest { Force = true, Note = "repaired" });
            Assert.Equal(StepStatus.Complete, repaired.Status);
            Assert.Equal(StepStatus.Complete, (await lead.Steps.GetAsync("test")).Status);
            await lead.Barriers.WaitAsync(new[] { "lint", "test" }, TimeSpan.FromSeconds(5));
        }

        [Fact]
        public async Task A_waiter_repairs_the_status_copy_of_a_seal_whose_finisher_died_before_writing_it()
        {
            var holder = Agent("holder");
            await holder.Claims.ClaimAsync("s");
            await holder.Steps.CompleteAsync("s", new CompletionRequest { Note = "n" });
            // As if the finisher died after the seal: the copies for the original are gone.
            await holder.Store.DeleteAsync(holder.Layout.StatusKey("s"));
            await holder.Store.DeleteAsync(holder.Layout.HandoffKey("s"));
            var waiter = Agent("waiter");
            Assert.Equal(StepStatus.Complete, (await waiter.Steps.GetAsync("s")).Status);
            await waiter.Barriers.WaitAsync(new[] { "s" }, TimeSpan.FromSeconds(5));
            var status = await waiter.Steps.ReadStatusAsync("s");
            Assert.Equal((StepStatus.Complete, "holder"), (status!.Status, status.Agent));
            Assert.True((await waiter.Store.GetAsync(waiter.Layout.HandoffKey("s"))).Found);
        }

        private async Task WriteAsOriginal(TcSession session, string relativeKey, string json) =>
            await session.Store.PutAsync(session.Layout.Root + relativeKey, Encoding.UTF8.GetBytes(json), WriteCondition.None, "application/json");
    }

    public sealed class FolderFencingTests : FencingTests<FolderBackend> { public FolderFencingTests(FolderBackend b) : base(b) { } }
    public sealed class S3FencingTests : FencingTests<S3Backend> { public S3FencingTests(S3Backend b) : base(b) { } }
}
