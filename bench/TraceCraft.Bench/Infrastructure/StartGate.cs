using System.Diagnostics;
using System.Threading.Tasks;

namespace TraceCraft.Bench.Infrastructure
{
    /// <summary>
    /// Releases many waiting agents at the same instant: each awaits <see cref="Opened"/>; <see cref="Open"/> completes
    /// it once and every continuation is queued at that moment. Returns the release time (Stopwatch ticks).
    /// </summary>
    public sealed class StartGate
    {
        private readonly TaskCompletionSource _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Opened => _gate.Task;

        public long OpenedAt { get; private set; }

        public long Open()
        {
            OpenedAt = Stopwatch.GetTimestamp();
            _gate.SetResult();
            return OpenedAt;
        }
    }
}
