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
    /// Barriers: wait until steps are complete. Each poll is a conditional GET of <c>status.json</c> and of
    /// <c>claim.json</c> (If-None-Match on the last ETag, so an unchanged step costs two tiny 304s), the state derived
    /// from both as every reader derives it (<see cref="StepState"/>), at an interval that starts at 50 ms and backs off
    /// with jitter to 250 ms: the waiter reacts within about a quarter second at no more than 8 requests per second per
    /// open step. A blocked step fails the wait at once; a store outage is ridden out until
    /// the deadline. Leases this session holds are renewed while it waits.
    /// </summary>
    public sealed class BarrierService
    {
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(TcOptions.DefaultTimeoutSeconds);
        private static readonly TimeSpan FirstInterval = TimeSpan.FromMilliseconds(50);
        private static readonly TimeSpan MaxInterval = TimeSpan.FromMilliseconds(250);
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
            var random = new Random();
            var lastRenewal = TimeSpan.Zero;
            string? lastError = null;

            while (true)
            {
                try
                {
                    foreach (var step in watched.Values.Where(w => w.State.Status != StepStatus.Complete))
                    {
                        await PollAsync(step, deadline.Token).ConfigureAwait(false);
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
                var sleep = TimeSpan.FromMilliseconds(interval.TotalMilliseconds * (0.8 + 0.4 * random.NextDouble()));
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
        /// One poll of a step: conditional GETs of its status and its claim (an unchanged object costs a tiny 304), and the
        /// state every reader derives from the two. A seal whose status.json copy is missing or stale (its finisher died
        /// between the two writes) is repaired here, so the original's waiters see the step complete too.
        /// </summary>
        private async Task PollAsync(WatchedStep step, CancellationToken cancellationToken)
        {
            string statusKey = _session.Layout.StatusKey(step.Id), claimKey = _session.Layout.ClaimKey(step.Id);
            var statusRead = _session.Store.GetAsync(statusKey, step.StatusETag, cancellationToken);
            var claimRead = _session.Store.GetAsync(claimKey, step.ClaimETag, cancellationToken);
            await Task.WhenAll(statusRead, claimRead).ConfigureAwait(false);
            if (statusRead.Result.Status != ReadStatus.NotModified)
            {
                step.Status = statusRead.Result.Found ? StepWire.ReadStatus(statusKey, statusRead.Result.Body!, statusRead.Result.ETag) : null;
                step.StatusETag = statusRead.Result.ETag;
            }
            if (claimRead.Result.Status != ReadStatus.NotModified)
            {
                step.Claim = claimRead.Result.Found ? StepWire.ReadClaim(step.Id, claimKey, claimRead.Result.Body!, claimRead.Result.ETag) : null;
                step.ClaimETag = claimRead.Result.ETag;
            }
            step.State = StepState.Derive(step.Status, step.Claim);
            if (step.Claim is { IsFinal: true } seal && step.Status?.Status != seal.State && !step.Repaired)
            {
                step.Repaired = true;
                await _session.Claims.RepairCopiesAsync(seal, step.Status, cancellationToken).ConfigureAwait(false);
            }
        }

        private sealed class WatchedStep
        {
            public WatchedStep(string id) => Id = id;
            public string Id { get; }
            public StatusRecord? Status { get; set; }
            public string? StatusETag { get; set; }
            public StepClaim? Claim { get; set; }
            public string? ClaimETag { get; set; }
            public StepState State { get; set; } = StepState.Derive(null, null);
            public bool Repaired { get; set; }
        }
    }
}
