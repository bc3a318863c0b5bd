using System.Collections.Concurrent;
using System.Threading;
using TraceCraft.Storage;

namespace TraceCraft.Bench.Infrastructure
{
    /// <summary>Counts the store requests of one session (its <see cref="TcSessionOptions.RequestObserver"/>), in total and by method.</summary>
    public sealed class RequestCounter
    {
        private long _total;
        private readonly ConcurrentDictionary<string, int> _byMethod = new ConcurrentDictionary<string, int>();

        public long Total => Interlocked.Read(ref _total);

        public void Observe(StoreRequest request)
        {
            Interlocked.Increment(ref _total);
            _byMethod.AddOrUpdate(request.Method, 1, (_, n) => n + 1);
        }

        /// <summary>Counts by method since the last reset, then starts again from zero.</summary>
        public (long Total, System.Collections.Generic.Dictionary<string, int> ByMethod) TakeAndReset()
        {
            var snapshot = new System.Collections.Generic.Dictionary<string, int>();
            foreach (var key in _byMethod.Keys)
                if (_byMethod.TryRemove(key, out int n)) snapshot[key] = n;
            long total = Interlocked.Exchange(ref _total, 0);
            return (total, snapshot);
        }
    }
}
