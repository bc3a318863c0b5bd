using System.Collections.Generic;

namespace TraceCraft.Bench.Results
{
    /// <summary>Scenario 5: waiters in Barriers.WaitAsync while one agent completes the step at a random moment.</summary>
    public sealed class BarrierResult
    {
        public List<BarrierTrial> Trials { get; set; } = new List<BarrierTrial>();
    }

    public sealed class BarrierTrial
    {
        public string Backend { get; set; } = "";
        public int Waiters { get; set; }
        public int Trial { get; set; }
        /// <summary>When the completer started completing, ms after the waiters started.</summary>
        public double DelayMs { get; set; }
        /// <summary>How long the completing write (the PUT of status.json) took.</summary>
        public double WriteMs { get; set; }
        /// <summary>Per waiter: from the completing write returning to the waiter's WaitAsync returning.</summary>
        public double[] LatencyMs { get; set; } = System.Array.Empty<double>();
        /// <summary>Per waiter: how long it waited in total.</summary>
        public double[] WaitMs { get; set; } = System.Array.Empty<double>();
        /// <summary>Per waiter: store requests made while waiting.</summary>
        public long[] Requests { get; set; } = System.Array.Empty<long>();
        public bool Ok { get; set; }
    }
}
