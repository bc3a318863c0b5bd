using System.Collections.Generic;

namespace TraceCraft.Bench.Results
{
    /// <summary>Scenario 8: what the operations of a growing project cost (issue 14, item 5), as figures, never as timed tests.</summary>
    public sealed class FlatCostResult
    {
        public List<FlatBarrierTrial> Barrier { get; set; } = new List<FlatBarrierTrial>();
        /// <summary>`step new` (the command's code, a new session per call) in a project with N steps declared.</summary>
        public List<FlatSample> StepNew { get; set; } = new List<FlatSample>();
        /// <summary>GetReadyAsync and ListAsync over N declared steps.</summary>
        public List<FlatSample> Reads { get; set; } = new List<FlatSample>();
    }

    public sealed class FlatBarrierTrial
    {
        public string Backend { get; set; } = "";
        public int Steps { get; set; }
        public int Trial { get; set; }
        /// <summary>The waiter's requests per second while all the steps were pending, after its first round.</summary>
        public double PendingRequestsPerSecond { get; set; }
        public double PendingWindowMs { get; set; }
        /// <summary>What the waiter's first round cost (a new agent reads every object once), and how long it took.</summary>
        public long FirstRoundRequests { get; set; }
        public double FirstRoundMs { get; set; }
        /// <summary>From the completing PUT of the last step's status.json returning to WaitAsync returning.</summary>
        public double DetectionMs { get; set; }
        public long Requests { get; set; }
        public double WaitMs { get; set; }
        public bool Ok { get; set; }
    }

    public sealed class FlatSample
    {
        public string Backend { get; set; } = "";
        /// <summary>"step new", "ready" (GetReadyAsync) or "list" (ListAsync).</summary>
        public string Operation { get; set; } = "";
        /// <summary>Steps declared in the project when measured.</summary>
        public int Declared { get; set; }
        public long Requests { get; set; }
        public Dictionary<string, int> ByMethod { get; set; } = new Dictionary<string, int>();
        public double Ms { get; set; }
        public int Returned { get; set; }
    }
}
