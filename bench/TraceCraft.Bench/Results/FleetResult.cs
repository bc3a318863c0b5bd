using System.Collections.Generic;

namespace TraceCraft.Bench.Results
{
    /// <summary>Scenario 7: a fleet of worker processes drains a DAG with claim-next; some are killed with -9 and restarted.</summary>
    public sealed class FleetResult
    {
        /// <summary>The drains: native worker processes with kills, and the in-process run that counts requests.</summary>
        public List<FleetRun> Runs { get; set; } = new List<FleetRun>();
        /// <summary>The same queue with 1, 2, 4 … workers (no kills), each for a fixed window.</summary>
        public List<FleetSweepPoint> Sweep { get; set; } = new List<FleetSweepPoint>();
    }

    public sealed class FleetRun
    {
        public string Backend { get; set; } = "";
        /// <summary>"native-kill": native worker processes, some killed with -9; "in-process-count": the same command code in this process, requests counted.</summary>
        public string Variant { get; set; } = "";
        public int Steps { get; set; }
        public int Stages { get; set; }
        public int Width { get; set; }
        public int Workers { get; set; }
        public double LeaseSeconds { get; set; }
        public double CapSeconds { get; set; }
        public double DeclareMs { get; set; }
        public double TotalWorkMs { get; set; }
        public double IdealMs { get; set; }
        public double DagBoundMs { get; set; }
        /// <summary>From starting the workers to the last step's complete returning (or to the cap when not drained).</summary>
        public double MakespanMs { get; set; }
        public bool Drained { get; set; }
        public int CompletedSteps { get; set; }
        public List<FleetKill> Kills { get; set; } = new List<FleetKill>();
        /// <summary>Per successful claim --next: how long the command took (process start to exit for the native workers).</summary>
        public double[] ClaimNextMs { get; set; } = System.Array.Empty<double>();
        public double[] CompleteMs { get; set; } = System.Array.Empty<double>();
        public int IdleCalls { get; set; }
        public double[] IdleMs { get; set; } = System.Array.Empty<double>();
        public int ClaimErrors { get; set; }
        public int RefusedCompletes { get; set; }
        public int RecoverAttempts { get; set; }
        /// <summary>Store requests by command kind (in-process variant only): calls and requests.</summary>
        public Dictionary<string, long[]> RequestsByCommand { get; set; } = new Dictionary<string, long[]>();
        public Dictionary<string, long> RequestsByMethod { get; set; } = new Dictionary<string, long>();
        public long Requests { get; set; }
        /// <summary>Claim-next races lost: conditional creates or swaps of claim.json refused (412) inside claim --next (in-process variant only).</summary>
        public long Collisions { get; set; }
        /// <summary>1-minute load average sampled during the drain: seconds since start, load.</summary>
        public List<double[]> Load { get; set; } = new List<double[]>();
        public List<string> Violations { get; set; } = new List<string>();
        /// <summary>A few unexpected command errors, for the record.</summary>
        public List<string> Errors { get; set; } = new List<string>();
    }

    public sealed class FleetKill
    {
        public string Worker { get; set; } = "";
        public string Step { get; set; } = "";
        public long Token { get; set; }
        /// <summary>ms after the start when the worker was killed with -9 (mid-work), and when the step was taken back.</summary>
        public double KilledAtMs { get; set; }
        public double TakenOverAtMs { get; set; } = double.NaN;
        public long TakeoverToken { get; set; }
        public string? SealAgent { get; set; }
        public long SealToken { get; set; }
        public string? SealTakenOverFrom { get; set; }
    }

    public sealed class FleetSweepPoint
    {
        public string Backend { get; set; } = "";
        public int Workers { get; set; }
        public double WindowSeconds { get; set; }
        /// <summary>Steps completed in the window (or all, when the queue drained sooner: then ElapsedMs is the makespan).</summary>
        public int Completed { get; set; }
        public double ElapsedMs { get; set; }
        public double[] ClaimNextMs { get; set; } = System.Array.Empty<double>();
        public int IdleCalls { get; set; }
        public double LoadAverage { get; set; }
    }
}
