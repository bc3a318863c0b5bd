using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Protocol;
using TraceCraft.Storage;
using Xunit;

namespace TraceCraft.Tests.Protocol
{
    public abstract class ClaimTests<TBackend> : ProtocolTestBase<TBackend> where TBackend : Backend
    {
        protected ClaimTests(TBackend backend) : base(backend) { }

        [Fact]
        public async Task Twenty_agents_claim_one_step_at_once_one_wins_and_every_loser_is_told_who()
        {
            var agents = Enumerable.Range(0, 20).Select(i => Agent("agent" + i)).ToArray();
            using var gate = new ManualResetEventSlim(false);
            var attempts = agents.Select(a => Task.Run(async () =>
            {
                gate.Wait();
                try { return (a.AgentId, Error: (TcException?)null, Claim: await a.Claims.ClaimAsync("Build.Step")); }
                catch (TcException e) { return (a.AgentId, Error: e, Claim: (StepClaim?)null); }
            })).ToArray();
            gate.Set();
            var results = await Task.WhenAll(attempts);

            var winner = Assert.Single(results, r => r.Claim is not null);
            var durable = await agents[0].Claims.ReadAsync("Build.Step");
            Assert.Equal(winner.AgentId, durable!.Agent);
            foreach (var loser in results.Where(r => r.Claim is null))
            {
                Assert.Equal(TcErrorCode.StepAlreadyClaimed, loser.Error!.Code);
                Assert.Equal($"Step Build.Step already claimed by {winner.AgentId}", loser.Error.Message);
            }
        }

        [Fact]
        public async Task A_claim_is_one_conditional_create_and_reads_as_in_progress_by_the_claimer()
        {
            int puts = 0;
            var designer = Agent("designer", observer: r => { if (r.Method.StartsWith("PUT") && r.Key.Contains("/steps/")) Interlocked.Increment(ref puts); });
            var claim = await designer.Claims.ClaimAsync("design");
            Assert.Equal(1, puts); // the agent record's presence update aside, one write: the conditional create
            Assert.Equal("designer", claim.Agent);
            Assert.Equal(1, claim.Token);
            var step = await designer.Steps.GetAsync("design");
            Assert.Equal(StepStatus.InProgress, step.Status);
            Assert.Equal("designer", step.Agent);
            Assert.Equal(StepStatus.Pending, (await designer.Steps.GetAsync("other")).Status);
        }

        [Fact]
        public async Task Claiming_twice_reports_already_claimed_by_me_as_the_original_does()
        {
            var designer = Agent("designer");
            await designer.Claims.ClaimAsync("design");
            var e = await Assert.ThrowsAsync<TcException>(() => designer.Claims.ClaimAsync("design"));
            Assert.Equal("Step design already claimed by designer", e.Message);
        }

        [Fact]
        public async Task A_claim_without_a_lease_never_expires()
        {
            var holder = Agent("holder");
            await holder.Claims.ClaimAsync("s");
            var late = Agent("late", new TcClock(fixedOffset: TimeSpan.FromDays(3650)));
            var e = await Assert.ThrowsAsync<TcException>(() => late.Claims.ClaimAsync("s"));
            Assert.Equal(TcErrorCode.StepAlreadyClaimed, e.Code);
        }

        [Fact]
        public async Task Twenty_agents_take_over_an_expired_lease_at_once_and_exactly_one_wins_with_a_higher_token()
        {
            var holder = Agent("holder", new TcClock(fixedOffset: TimeSpan.Zero));
            await holder.Claims.ClaimAsync("s", leaseSeconds: 2);
            // The contenders' clocks are a minute ahead: for them the lease has expired.
            var contenders = Enumerable.Range(0, 20).Select(i => Agent("c" + i, new TcClock(fixedOffset: TimeSpan.FromMinutes(1)))).ToArray();
            using var gate = new ManualResetEventSlim(false);
            var attempts = contenders.Select(a => Task.Run(async () =>
            {
                gate.Wait();
                try { return await a.Claims.ClaimAsync("s", 30); }
                catch (TcException e) when (e.Code == TcErrorCode.StepAlreadyClaimed) { return null; }
            })).ToArray();
            gate.Set();
            var won = (await Task.WhenAll(attempts)).Where(c => c is not null).ToList();
            var winner = Assert.Single(won);
            Assert.Equal(2, winner!.Token);
            Assert.Equal("holder", winner.TakenOverFrom);
            var durable = await holder.Claims.ReadAsync("s");
            Assert.Equal(winner.Agent, durable!.Agent);
            Assert.Equal(2, durable.Token);
        }

        [Fact]
        public async Task A_holder_whose_lease_was_taken_over_cannot_complete_or_renew_and_writes_nothing()
        {
            var slow = Agent("slow", new TcClock(fixedOffset: TimeSpan.Zero));
            await slow.Claims.ClaimAsync("s", leaseSeconds: 1);
            var fast = Agent("fast", new TcClock(fixedOffset: TimeSpan.FromMinutes(1)));
            var takeover = await fast.Claims.ClaimAsync("s", 60);
            Assert.Equal("slow", takeover.TakenOverFrom);

            var complete = await Assert.ThrowsAsync<TcException>(() => slow.Steps.CompleteAsync("s", new CompletionRequest { Note = "stale" }));
            Assert.Equal(TcErrorCode.ClaimLost, complete.Code);
            var renew = await Assert.ThrowsAsync<TcException>(() => slow.Claims.RenewAsync("s"));
            Assert.Equal(TcErrorCode.ClaimLost, renew.Code);
            Assert.Null(await slow.Steps.ReadStatusAsync("s"));
            Assert.Null(await slow.Steps.GetHandoffAsync("s"));

            var done = await fast.Steps.CompleteAsync("s", new CompletionRequest { Note = "fresh" });
            Assert.Equal(StepStatus.Complete, done.Status);
            Assert.Equal("fresh", (await slow.Steps.GetHandoffAsync("s"))!.Note);
        }

        [Fact]
        public async Task A_holder_that_completes_first_wins_against_a_late_takeover()
        {
            var holder = Agent("holder");
            await holder.Claims.ClaimAsync("s", leaseSeconds: 1);
            await holder.Steps.CompleteAsync("s", new CompletionRequest());
            var late = Agent("late", new TcClock(fixedOffset: TimeSpan.FromMinutes(1)));
            var e = await Assert.ThrowsAsync<TcException>(() => late.Claims.ClaimAsync("s"));
            Assert.Equal(TcErrorCode.StepFinished, e.Code);
            Assert.Equal("Step s is already complete (agent: holder): it cannot be claimed or completed again until it is reopened.", e.Message);
        }

        [Fact]
        public async Task Renew_extends_the_lease_of_the_holder()
        {
            var holder = Agent("holder");
            var first = await holder.Claims.ClaimAsync("s", leaseSeconds: 10);
            var renewed = await holder.Claims.RenewAsync("s", 600);
            Assert.True(renewed.ExpiresAt > first.ExpiresAt!.Value.AddSeconds(500));
            var other = Agent("other");
            Assert.Equal(TcErrorCode.StepNotOwned, (await Assert.ThrowsAsync<TcException>(() => other.Claims.RenewAsync("s"))).Code);
        }

        [Fact]
        public async Task Leases_this_session_holds_are_renewed_while_it_waits()
        {
            var holder = Agent("holder");
            var first = await holder.Claims.ClaimAsync("held", leaseSeconds: 4);
            await Assert.ThrowsAsync<TcException>(() => holder.Barriers.WaitAsync(new[] { "elsewhere" }, TimeSpan.FromSeconds(7)));
            var now = await holder.Claims.ReadAsync("held");
            Assert.Equal("holder", now!.Agent);
            Assert.True(now.ExpiresAt > first.ExpiresAt!.Value.AddSeconds(2), $"renewed: {first.ExpiresAt:O} -> {now.ExpiresAt:O}");
            Assert.Equal(1, now.Token);
        }

        /// <summary>The first attempt lands but its response is lost; the retry is refused by its condition and recognises its own claim.</summary>
        [Fact]
        public async Task A_retried_claim_whose_first_attempt_landed_reports_success()
        {
            var losing = new ResponseLosingStore(Backend.NewStore());
            var agent = Agent("agent", store: new RetryingStore(losing, TimeSpan.FromSeconds(10)));
            var claim = await agent.Claims.ClaimAsync("s");
            Assert.Equal("agent", claim.Agent);
            Assert.Equal(1, losing.Lost);
            Assert.Equal("agent", (await Agent("reader").Claims.ReadAsync("s"))!.Agent);
        }

        [Fact]
        public async Task Complete_refuses_another_agents_step_without_force_and_force_keeps_the_claimer()
        {
            var designer = Agent("designer");
            var developer = Agent("developer");
            await designer.Claims.ClaimAsync("design");
            var e = await Assert.ThrowsAsync<TcException>(() => developer.Steps.CompleteAsync("design", new CompletionRequest()));
            Assert.Equal(TcErrorCode.StepNotOwned, e.Code);
            Assert.Null(await developer.Steps.ReadStatusAsync("design"));

            var forced = await developer.Steps.CompleteAsync("design", new CompletionRequest { Force = true, Note = "took it" });
            Assert.Equal("developer", forced.Agent);
            Assert.Equal("designer", (await developer.Claims.ReadAsync("design"))!.Agent);
            Assert.Equal("developer", (await developer.Steps.ReadStatusAsync("design"))!.Agent);
        }
    }

    /// <summary>A store whose first conditional write lands but whose response is lost in transit.</summary>
    internal sealed class ResponseLosingStore : IObjectStore
    {
        private readonly IObjectStore _inner;
        public ResponseLosingStore(IObjectStore inner) => _inner = inner;
        public int Lost { get; private set; }
        public string Location => _inner.Location;

        public async Task<WriteResult> PutAsync(string key, byte[] body, WriteCondition condition, string? contentType = null, CancellationToken cancellationToken = default)
        {
            var result = await _inner.PutAsync(key, body, condition, contentType, cancellationToken);
            if (Lost == 0 && condition.Kind != WriteConditionKind.None)
            {
                Lost++;
                throw new TcException(TcErrorCode.StoreUnreachable, "connection reset after the request was sent", key) { IsTransient = true };
            }
            return result;
        }

        public Task<ObjectRead> GetAsync(string key, string? ifNoneMatch = null, CancellationToken cancellationToken = default) => _inner.GetAsync(key, ifNoneMatch, cancellationToken);
        public Task<WriteResult> UploadAsync(string key, Stream content, WriteCondition condition, IProgress<long>? progress = null, CancellationToken cancellationToken = default) => _inner.UploadAsync(key, content, condition, progress, cancellationToken);
        public Task<ObjectInfo?> DownloadAsync(string key, Stream destination, IProgress<long>? progress = null, CancellationToken cancellationToken = default) => _inner.DownloadAsync(key, destination, progress, cancellationToken);
        public Task<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) => _inner.DeleteAsync(key, cancellationToken);
        public Task<ListPage> ListAsync(string prefix, string? startAfter = null, int maxKeys = 1000, CancellationToken cancellationToken = default) => _inner.ListAsync(prefix, startAfter, maxKeys, cancellationToken);
        public Task<DateTimeOffset> GetServerTimeAsync(CancellationToken cancellationToken = default) => _inner.GetServerTimeAsync(cancellationToken);
        public void Dispose() => _inner.Dispose();
    }

    public sealed class FolderClaimTests : ClaimTests<FolderBackend> { public FolderClaimTests(FolderBackend b) : base(b) { } }
    public sealed class S3ClaimTests : ClaimTests<S3Backend> { public S3ClaimTests(S3Backend b) : base(b) { } }
}
