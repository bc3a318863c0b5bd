using System;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Storage;

namespace TraceCraft
{
    /// <summary>
    /// The session's clock: the local UTC clock, corrected by the offset to the store's clock once that has
    /// been measured (S3's Date header has one-second resolution, so offsets under 2 s are left alone). Lease
    /// times use the corrected clock, so agents whose local clocks disagree still agree on expiry.
    /// </summary>
    public sealed class TcClock
    {
        private static readonly TimeSpan SignificantOffset = TimeSpan.FromSeconds(2);
        private readonly Func<DateTimeOffset> _local;
        private TimeSpan? _offset;

        public TcClock(Func<DateTimeOffset>? local = null, TimeSpan? fixedOffset = null)
        {
            _local = local ?? (() => DateTimeOffset.UtcNow);
            _offset = fixedOffset;
        }

        /// <summary>Local time plus the measured offset (zero until measured).</summary>
        public DateTimeOffset Now => _local() + (_offset ?? TimeSpan.Zero);

        public TimeSpan Offset => _offset ?? TimeSpan.Zero;

        /// <summary>True once the offset is known (measured, or fixed by the caller): <see cref="SyncAsync"/> then costs nothing.</summary>
        public bool IsMeasured => _offset.HasValue;

        /// <summary>Measures the offset to the store once; later calls return at once.</summary>
        public async Task SyncAsync(IObjectStore store, CancellationToken cancellationToken)
        {
            if (_offset.HasValue) return;
            var before = _local();
            var server = await store.GetServerTimeAsync(cancellationToken).ConfigureAwait(false);
            var after = _local();
            var local = before + TimeSpan.FromTicks((after - before).Ticks / 2);
            // The Date header is truncated to the second: its true value lies up to 1 s later.
            var offset = server + TimeSpan.FromMilliseconds(500) - local;
            _offset = offset.Duration() >= SignificantOffset ? offset : TimeSpan.Zero;
        }
    }
}
