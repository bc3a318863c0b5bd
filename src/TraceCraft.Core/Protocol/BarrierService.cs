using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Keys;
using TraceCraft.Storage;

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
    /// Barriers: wait until steps are complete. Each poll is a conditional GET of <c>status.json</c>
    /// (If-None-Match on the last ETag, so an unchanged step costs a tiny 304), at an interval that starts at
    /// 50 ms and backs off with jitter to 250 ms: the waiter reacts within about a quarter second at no more than
    /// 4 requests per second per step. A blocked step fails the wait at once; a store outage is ridden out until
    /// the deadline. Leases this session holds are renewed while it waits.
    /// </summary>
    public sealed class BarrierService
    {
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(300);
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
            if (limit < TimeSpan.Zero) throw new TcException(TcErrorCode.InvalidArgument, "The timeout cannot be negative.");

            var watch = Stopwatch.StartNew();
            // A request in flight at the deadline is cancelled, so a slow server cannot stretch the user's timeout.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(limit);
            var etags = new Dictionary<string, string?>(StringComparer.Ordinal);
            var states = new Dictionary<string, StatusRecord?>(StringComparer.Ordinal);
            var interval = FirstInterval;
            var random = new Random();
            var lastRenewal = TimeSpan.Zero;
            string? lastError = null;

            while (true)
            {
                try
                {
                    foreach (var id in stepIds.Where(id => states.TryGetValue(id, out var s) is false || s?.Status != StepStatus.Complete))
                    {
                        string key = _session.Layout.StatusKey(id);
                        etags.TryGetValue(id, out var etag);
                        var read = await _session.Store.GetAsync(key, etag, deadline.Token).ConfigureAwait(false);
                        if (read.Status == ReadStatus.NotModified) continue;
                        states[id] = read.Found ? StepService.ParseStatus(key, read.Body!, read.ETag) : null;
                        etags[id] = read.ETag;
                        if (states[id]?.Status == StepStatus.Blocked)
                            throw new TcException(TcErrorCode.StepBlocked, $"Step {id} is blocked (agent: {states[id]!.Agent}): see its handoff note.", id);
                    }
                    lastError = null;
                    if (watch.Elapsed - lastRenewal > TimeSpan.FromSeconds(5))
                    {
                        await _session.Claims.RenewHeldLeasesAsync(deadline.Token).ConfigureAwait(false);
                        lastRenewal = watch.Elapsed;
                    }
                }
                catch (TcException e) when (e.Code is TcErrorCode.StoreUnreachable or TcErrorCode.StoreFailed)
                {
                    lastError = e.Message;
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Our deadline, not the caller's cancellation: fall through to the timeout below.
                }

                var open = stepIds.Where(id => !states.TryGetValue(id, out var s) || s?.Status != StepStatus.Complete).ToList();
                if (open.Count == 0)
                    return await Task.WhenAll(stepIds.Select(id => _session.Steps.GetAsync(id, cancellationToken))).ConfigureAwait(false);
                var review = open.Where(id => states.TryGetValue(id, out var s) && s?.Status == StepStatus.NeedsReview).ToList();
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

    }
}
