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
    /// request per 1,000 objects) and reads only the objects whose ETag changed, or, when that listing would cost more,
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
            // A request in flight at the deadline is cancelled, so a slow server cannot stretch the user's timeout.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(limit);
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
                    if (listingPages <= 2 * pending.Count)
                    {
                        // One listing of the steps folder (a request per 1,000 objects) tells which objects changed.
                        var listed = await _session.Store.ListAllAsync(_session.Layout.StepsPrefix, null, deadline.Token).ConfigureAwait(false);
                        listingPages = Math.Max(1, (listed.Count + 999) / 1000);
                        roundCost = listingPages;
                        // What a listing says of an object: its ETag where the store lists one (S3), else its size and time.
                        var etags = new Dictionary<string, string>(StringComparer.Ordinal);
                        foreach (var o in listed) etags[o.Key] = o.ETag ?? $"{o.Size}@{o.LastModified.UtcTicks}";
                        // Steps are independent: after a burst of completions their changed objects are read 8 at a time.
                        await Parallelism.MapAsync(pending, step => PollAsync(step, etags, deadline.Token), deadline.Token).ConfigureAwait(false);
                    }
                    else
                    {
                        roundCost = 0;
                        foreach (var step in pending) roundCost += await PollAsync(step, null, deadline.Token).ConfigureAwait(false);
                    }
                    foreach (var step in pending)
                    {
                        if (step.State.Status == StepStatus.Failed)
                            throw new TcException(TcErrorCode.StepFailed,
                                $"Step {step.Id} failed after {step.Claim?.Failures} attempt(s) — it will not complete without intervention. Reopen it and re-run wait-for.", step.Id);
                        if (step.State.Status == StepStatus.Blocked)
                            throw new TcException(TcErrorCode.StepBlocked, $"Step {step.Id} is blocked (agent: {step.State.Agent}) — it will not complete without intervention. Resolve it and re-run wait-for.", step.Id);
                    }
                    lastError = null;
                    if (watch.Elapsed - lastRenewal > TimeSpan.FromSeconds(5))
                    {
                        await _session.Claims.RenewHeldLeasesAsync(deadline.Token).ConfigureAwait(false);
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

                var open = stepIds.Where(id => watched[id].State.Status != StepStatus.Complete).ToList();
                if (open.Count == 0)
                    return await Task.WhenAll(stepIds.Select(id => _session.Steps.GetAsync(id, cancellationToken))).ConfigureAwait(false);
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
        /// One poll of a step: the state every reader derives from its status and its claim (<see cref="StepState"/>).
        /// Without a listing, conditional GETs of both (an unchanged object costs a tiny 304); with one, only the objects
        /// whose listed ETag changed are read. A seal whose status.json copy is missing or stale (its finisher died
        /// between the two writes) is repaired here, so the original's waiters see the step complete too.
        /// Returns the number of requests made.
        /// </summary>
        private async Task<int> PollAsync(WatchedStep step, IReadOnlyDictionary<string, string>? listing, CancellationToken cancellationToken)
        {
            string statusKey = _session.Layout.StatusKey(step.Id), claimKey = _session.Layout.ClaimKey(step.Id);
            int requests = 0;
            // With a listing, an object is read only when what the listing says of it differs from the last listing.
            string? listedStatus = listing is null ? null : listing.TryGetValue(statusKey, out var st) ? st : "";
            string? listedClaim = listing is null ? null : listing.TryGetValue(claimKey, out var ct) ? ct : "";
            bool statusChanged = listing is null || !step.Listed || listedStatus != step.StatusToken;
            bool claimChanged = listing is null || !step.Listed || listedClaim != step.ClaimToken;
            var statusRead = statusChanged ? _session.Store.GetAsync(statusKey, step.StatusETag, cancellationToken) : null;
            var claimRead = claimChanged ? _session.Store.GetAsync(claimKey, step.ClaimETag, cancellationToken) : null;
            if (statusRead is not null)
            {
                requests++;
                var read = await statusRead.ConfigureAwait(false);
                if (read.Status != ReadStatus.NotModified)
                {
                    step.Status = read.Found ? StepWire.ReadStatus(statusKey, read.Body!, read.ETag) : null;
                    step.StatusETag = read.ETag;
                }
            }
            if (claimRead is not null)
            {
                requests++;
                var read = await claimRead.ConfigureAwait(false);
                if (read.Status != ReadStatus.NotModified)
                {
                    step.Claim = read.Found ? StepWire.ReadClaim(step.Id, claimKey, read.Body!, read.ETag) : null;
                    step.ClaimETag = read.ETag;
                }
            }
            // Only now, with both reads done, is what the listing said taken as seen (a failed read is retried next round).
            step.StatusToken = listedStatus;
            step.ClaimToken = listedClaim;
            step.Listed = listing is not null;
            step.State = StepState.Derive(step.Status, step.Claim);
            if (step.Claim is { IsFinal: true } seal && step.Status?.Status != StatusOfCopy(seal) && !step.Repaired)
            {
                step.Repaired = true;
                requests += 2;
                await _session.Claims.RepairCopiesAsync(seal, step.Status, cancellationToken).ConfigureAwait(false);
            }
            return requests;
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
            /// <summary>What the last listing said of status.json and claim.json ("" when absent); Listed once there was one.</summary>
            public string? StatusToken { get; set; }
            public string? ClaimToken { get; set; }
            public bool Listed { get; set; }
            public StepState State { get; set; } = StepState.Derive(null, null);
            public bool Repaired { get; set; }
        }
    }
}
