using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;

namespace TraceCraft.Bench.Infrastructure
{
    /// <summary>
    /// Samples the machine's 1-minute load average and this process's CPU time every few seconds while the
    /// benchmark runs: the machine is shared, and the report shows how busy it was.
    /// </summary>
    public sealed class LoadSampler : IDisposable
    {
        private readonly Timer _timer;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<(double Seconds, double Load)> _samples = new List<(double, double)>();

        public LoadSampler(TimeSpan every)
        {
            _timer = new Timer(_ => Sample(), null, TimeSpan.Zero, every);
        }

        public IReadOnlyList<(double Seconds, double Load)> Samples
        {
            get { lock (_samples) return _samples.ToArray(); }
        }

        private void Sample()
        {
            double load = MachineProbe.LoadAverage1();
            lock (_samples) _samples.Add((Math.Round(_clock.Elapsed.TotalSeconds, 1), load));
        }

        public void Dispose()
        {
            _timer.Dispose();
            Sample();
        }
    }
}
