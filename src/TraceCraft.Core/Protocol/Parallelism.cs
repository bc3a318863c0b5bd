using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace TraceCraft.Protocol
{
    internal static class Parallelism
    {
        /// <summary>At most this many requests in flight per bulk read: enough to hide latency, gentle on the server.</summary>
        public const int MaxInFlight = 8;

        /// <summary>Maps items with bounded concurrency, keeping their order.</summary>
        public static async Task<T[]> MapAsync<TItem, T>(IReadOnlyList<TItem> items, Func<TItem, Task<T>> map, CancellationToken cancellationToken)
        {
            var results = new T[items.Count];
            using var gate = new SemaphoreSlim(MaxInFlight);
            var tasks = items.Select(async (item, index) =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try { results[index] = await map(item).ConfigureAwait(false); }
                finally { gate.Release(); }
            }).ToList();
            await Task.WhenAll(tasks).ConfigureAwait(false);
            return results;
        }

        /// <summary>
        /// Reads many objects with bounded concurrency; one that is missing (null) or unreadable (corrupt JSON, a bad
        /// id) is left out with a warning naming it, so one bad object never hides the others.
        /// </summary>
        public static async Task<List<TResult>> ReadEachAsync<TItem, TResult>(this TcSession session, IReadOnlyList<TItem> items,
            Func<TItem, Task<TResult?>> read, Func<TItem, string> describe, CancellationToken cancellationToken) where TResult : class
        {
            var results = await MapAsync(items, async item =>
            {
                try
                {
                    return await read(item).ConfigureAwait(false);
                }
                catch (Errors.TcException e) when (e.Code is Errors.TcErrorCode.CorruptObject or Errors.TcErrorCode.InvalidIdentifier)
                {
                    session.Warn($"Skipped {describe(item)}: {e.Message}");
                    return null;
                }
            }, cancellationToken).ConfigureAwait(false);
            return results.Where(r => r is not null).Select(r => r!).ToList();
        }
    }
}
