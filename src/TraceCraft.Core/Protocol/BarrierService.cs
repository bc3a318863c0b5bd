using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Keys;
using TraceCraft.Storage;
using TraceCraft.Wire;
using TraceCraft.Options;

namespace TraceCraft.Protocol
{
    /// <summary>Where a wait stands, for progress displays.</summary>
    public sealed class WaitProgress
    {
        public WaitProgress(IReadOnlyList<string> open, IReadOnlyList<string> needsReview, int total, TimeSpan elapsed, TimeSpan timeout, string? lastError)
        {
            Open = open;
            NeedsReview = needsReview;
            Total = total;
            Elapsed = elapsed;
            Timeout = timeout;
            LastError = lastError;
        }

        /// <summary>Steps not yet complete.</summary>
        public IReadOnlyList<string> Open { get; }
        /// <summary>Steps whose holder asked for review (still waited for).</summary>
        public IReadOnlyList<string> NeedsReview { get; }
        public int Total { get; }
        public TimeSpan Elapsed { get; }
        public TimeSpan Timeout { get; }
        /// <summary>The last store failure ridden out, if the store is having trouble.</summary>
        public string? LastError { get; }
    }

    /// <summary>
    /// Barriers: wait until steps are complete, the state of each derived from its <c>status.json</c> and <c>claim.json</c>
    /// as every reader derives it (<see cref="StepState"/>). Each round either lists the project's steps folder (one
    /// request per 1,000 objects) and reads only the objects that changed since the agent last read them (the step mirror,
    /// <see cref="ObjectMirror"/>, which a later call starts from), or, when that listing would cost more,
    /// sends conditional GETs of both objects of each open step (an unchanged object costs a tiny 304). Rounds start
    /// 50 ms apart and back off with jitter to 250 ms, and further when a round's requests would exceed 10 per second:
    /// a waiter costs at most about 10 requests per second however many steps it waits for. A blocked step fails the wait at once; a store outage is ridden out until
    /// the deadline. Leases this session holds are renewed while it waits.
    /// </summary>
    public sealed class BarrierService
    {
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(TcOptions.DefaultTimeoutSeconds);
        private static readonly TimeSpan FirstInterval = TimeSpan.FromMilliseconds(50);
        private static readonly TimeSpan MaxInterval = TimeSpan.FromMilliseconds(250);
        /// <summary>A waiter's request budget: the interval grows so that a round of many requests stays within it.</summary>
        private const double MaxRequestsPerSecond = 10;
        /// <summary>How long the first round may take even when the timeout is shorter (a wait of 0 s looks once).</summary>
        private static readonly TimeSpan FirstRoundAllowance = TimeSpan.FromSeconds(5);
        private readonly TcSession _session;

        internal BarrierService(TcSession session) => _session = session;

        /// <summary>
        /// Returns the steps once all are complete. Throws StepBlocked when one is blocked and WaitTimeout (message
        /// "Timeout after Ns. Not all steps complete: ...") when the time runs out.
        /// </summary>
        public async Task<IReadOnlyList<Step>> WaitAsync(IReadOnlyList<string> stepIds, TimeSpan? timeout = null, IProgress<WaitProgress>? progress = null, CancellationToken cancellationToken = default)
        {
            if (stepIds.Count == 0) throw new TcException(TcErrorCode.InvalidArgument, "Name at least one step to wait for.");
            foreach (var id in stepIds) IdValidator.Validate(IdKind.Step, id);
            var limit = timeout ?? DefaultTimeout;
            if (limit < TimeSpan.FromSeconds(TcOptions.MinTimeoutSeconds) || limit > TimeSpan.FromSeconds(TcOptions.MaxTimeoutSeconds))
                throw new TcException(TcErrorCode.InvalidArgument, $"A timeout of {limit.TotalSeconds} seconds is not possible: give {TcOptions.MinTimeoutSeconds} to {TcOptions.MaxTimeoutSeconds} seconds.");

            var watch = Stopwatch.StartNew();
            // A request in flight at the deadline is cancelled, so a slow server cannot stretch the user's timeout. The first
            // round alone gets at least FirstRoundAllowance: a wait of 0 s (or less than a round takes) still looks once.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(limit);
            using var firstRound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            firstRound.CancelAfter(limit > FirstRoundAllowance ? limit : FirstRoundAllowance);
            var round = firstRound.Token;
            var watched = stepIds.Distinct(StringComparer.Ordinal).ToDictionary(id => id, id => new WatchedStep(id), StringComparer.Ordinal);
            var interval = FirstInterval;
            // A round's steady cost: the listing's pages, or the conditional GETs of polling. Reads of objects that changed
            // are not part of it: each change is read once, and a burst of completions must not slow the next round.
            int listingPages = 1, roundCost = 0;
            var random = new Random();
            var lastRenewal = TimeSpan.Zero;
            string? lastError = null;

            while (true)
            {
                try
                {
                    var pending = watched.Values.Where(w => w.State.Status != StepStatus.Complete).ToList();
                    string? unreadable = null;
                    if (listingPages <= 2 * pending.Count)
                    {
                        // One listing of the steps folder (a request per 1,000 objects) tells which objects changed; the
                        // step mirror reads those (after a burst of completions, 8 at a time) and keeps them for the next call.
                        var snapshot = await _session.Steps.Objects.RefreshAsync(round).ConfigureAwait(false);
                        listingPages = snapshot.ListingPages;
                        roundCost = listingPages;
                        // An unreadable object holds back its own step only: the others go on, and the wait reports it.
                        foreach (var step in pending)
                        {
                            try { await TakeAsync(step, snapshot, round).ConfigureAwait(false); }
                            catch (TcException e) when (e.Code == TcErrorCode.CorruptObject) { unreadable ??= e.Message; }
                        }
                    }
                    else
                    {
                        roundCost = 0;
                        foreach (var step in pending) roundCost += await PollAsync(step, round).ConfigureAwait(false);
                    }
                    foreach (var step in pending)
                    {
                        if (step.State.Status == StepStatus.Failed)
                            throw new TcException(TcErrorCode.StepFailed,
                                $"Step {step.Id} failed after {step.Claim?.Failures} attempt(s) — it will not complete without intervention. Reopen it and re-run wait-for.", step.Id);
                        if (step.State.Status == StepStatus.Blocked)
                            throw new TcException(TcErrorCode.StepBlocked, $"Step {step.Id} is blocked (agent: {step.State.Agent}) — it will not complete without intervention. Resolve it and re-run wait-for.", step.Id);
                    }
                    lastError = unreadable;
                    if (watch.Elapsed - lastRenewal > TimeSpan.FromSeconds(5))
                    {
                        await _session.Claims.RenewHeldLeasesAsync(round).ConfigureAwait(false);
                        lastRenewal = watch.Elapsed;
                    }
                }
                catch (TcException e) when (e.Code is TcErrorCode.StoreUnreachable or TcErrorCode.StoreFailed or TcErrorCode.CorruptObject)
                {
                    lastError = e.Message;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Our deadline, not the caller's cancellation: fall through to the timeout below.
                }
                round = deadline.Token;

                var open = stepIds.Where(id => watched[id].State.Status != StepStatus.Complete).ToList();
                if (open.Count == 0)
                    return await _session.Steps.GetManyAsync(stepIds, listingPages, cancellationToken).ConfigureAwait(false);
                var review = open.Where(id => watched[id].State.Status == StepStatus.NeedsReview).ToList();
                progress?.Report(new WaitProgress(open, review, stepIds.Count, watch.Elapsed, limit, lastError));

                var left = limit - watch.Elapsed;
                if (left <= TimeSpan.Zero)
                {
                    string message = $"Timeout after {limit.TotalSeconds:0.###}s. Not all steps complete: {string.Join(", ", open)}";
                    if (review.Count > 0) message += $" (needs review: {string.Join(", ", review)})";
                    if (lastError is not null) message += $" (last store error: {lastError})";
                    throw new TcException(TcErrorCode.WaitTimeout, message, string.Join(",", open)) { Detail = open };
                }
                // At most MaxRequestsPerSecond of steady cost, however many steps are waited for.
                double budgetMs = 1000.0 * roundCost / MaxRequestsPerSecond;
                var sleep = TimeSpan.FromMilliseconds(Math.Max(interval.TotalMilliseconds, budgetMs) * (0.8 + 0.4 * random.NextDouble()));
                try
                {
                    await Task.Delay(sleep < left ? sleep : left, deadline.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
                interval = TimeSpan.FromMilliseconds(Math.Min(MaxInterval.TotalMilliseconds, interval.TotalMilliseconds * 1.5));
            }
        }

        /// <summary>
        /// A step's state from one refresh of the step mirror: its status and claim are parsed again only when their
        /// bytes changed. Costs no request, but for a repair (<see cref="DeriveAsync"/>).
        /// </summary>
        private Task<int> TakeAsync(WatchedStep step, MirrorSnapshot snapshot, CancellationToken cancellationToken)
        {
            string statusKey = _session.Layout.StatusKey(step.Id), claimKey = _session.Layout.ClaimKey(step.Id);
            foreach (var key in new[] { statusKey, claimKey })
                if (snapshot.Unreadable.TryGetValue(key, out var problem)) throw new TcException(TcErrorCode.CorruptObject, problem, step.Id);
            var status = snapshot.Find(statusKey);
            if (!ReferenceEquals(status?.Body, step.StatusBody) || status is null && step.Status is not null)
            {
                step.Status = status is null ? null : StepWire.ReadStatus(statusKey, status.Body!, status.ETag);
                step.StatusETag = status?.ETag;
                step.StatusBody = status?.Body;
            }
            var claim = snapshot.Find(claimKey);
            if (!ReferenceEquals(claim?.Body, step.ClaimBody) || claim is null && step.Claim is not null)
            {
                step.Claim = claim is null ? null : StepWire.ReadClaim(step.Id, claimKey, claim.Body!, claim.ETag);
                step.ClaimETag = claim?.ETag;
                step.ClaimBody = claim?.Body;
            }
            return DeriveAsync(step, cancellationToken);
        }

        /// <summary>
        /// One poll of a step without a listing: conditional GETs of its status and claim (an unchanged object costs a tiny
        /// 304). Returns the number of requests made.
        /// </summary>
        private async Task<int> PollAsync(WatchedStep step, CancellationToken cancellationToken)
        {
            string statusKey = _session.Layout.StatusKey(step.Id), claimKey = _session.Layout.ClaimKey(step.Id);
            var statusRead = _session.Store.GetAsync(statusKey, step.StatusETag, cancellationToken);
            var claimRead = _session.Store.GetAsync(claimKey, step.ClaimETag, cancellationToken);
            var read = await statusRead.ConfigureAwait(false);
            if (read.Status != ReadStatus.NotModified)
            {
                step.Status = read.Found ? StepWire.ReadStatus(statusKey, read.Body!, read.ETag) : null;
                step.StatusETag = read.ETag;
            }
            read = await claimRead.ConfigureAwait(false);
            if (read.Status != ReadStatus.NotModified)
            {
                step.Claim = read.Found ? StepWire.ReadClaim(step.Id, claimKey, read.Body!, read.ETag) : null;
                step.ClaimETag = read.ETag;
            }
            // The bodies of a poll are not the mirror's: a later listing round parses afresh.
            step.StatusBody = step.ClaimBody = null;
            return 2 + await DeriveAsync(step, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// The state every reader derives from a step's status and claim (<see cref="StepState"/>). A seal whose status.json
        /// copy is missing or stale (its finisher died between the two writes) is repaired here, so the original's waiters
        /// see the step complete too. Returns the requests the repair made.
        /// </summary>
        private async Task<int> DeriveAsync(WatchedStep step, CancellationToken cancellationToken)
        {
            step.State = StepState.Derive(step.Status, step.Claim);
            if (step.Claim is { IsFinal: true } seal && step.Status?.Status != StatusOfCopy(seal) && !step.Repaired)
            {
                step.Repaired = true;
                await _session.Claims.RepairCopiesAsync(seal, step.Status, cancellationToken).ConfigureAwait(false);
                return 2;
            }
            return 0;
        }

        private static string? StatusOfCopy(StepClaim seal) => seal.State == StepStatus.Failed ? StepStatus.Blocked : seal.State;

        private sealed class WatchedStep
        {
            public WatchedStep(string id) => Id = id;
            public string Id { get; }
            public StatusRecord? Status { get; set; }
            public string? StatusETag { get; set; }
            public StepClaim? Claim { get; set; }
            public string? ClaimETag { get; set; }
            /// <summary>The bodies the state was last parsed from (the mirror hands the same array while an object is unchanged).</summary>
            public byte[]? StatusBody { get; set; }
            public byte[]? ClaimBody { get; set; }
            public StepState State { get; set; } = StepState.Derive(null, null);
            public bool Repaired { get; set; }
        }
    }
}
