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
    }
}
