using System.Collections.Generic;

namespace TraceCraft.Bench.Results
{
    /// <summary>Scenario 1: N agents claim one fresh step at the same instant (or 25 ms apart), trial after trial.</summary>
    public sealed class ContentionResult
    {
        public int StaggerMs { get; set; }
        public List<ContentionTrial> Trials { get; set; } = new List<ContentionTrial>();
    }

    public sealed class ContentionTrial
    {
        public string Backend { get; set; } = "";
        public int Agents { get; set; }
        /// <summary>"simultaneous" (released together by a gate) or "staggered" (agent i starts i × StaggerMs later).</summary>
        public string Mode { get; set; } = "";
        public int Trial { get; set; }
        /// <summary>Index of the one agent whose ClaimAsync returned, or -1.</summary>
        public int Winner { get; set; } = -1;
        /// <summary>How many agents' ClaimAsync returned (must be exactly 1).</summary>
        public int Winners { get; set; }
        /// <summary>The agent named by claim.json read back from the store after the trial.</summary>
        public string? DurableAgent { get; set; }
        /// <summary>Per agent: when its call started, ms after the gate opened (staggered: its planned start plus dispatch).</summary>
        public double[] StartMs { get; set; } = System.Array.Empty<double>();
        /// <summary>Per agent: how long its ClaimAsync took, ms (from its own start to its return or error).</summary>
        public double[] LatencyMs { get; set; } = System.Array.Empty<double>();
        /// <summary>Per agent: "won", "lost" (StepAlreadyClaimed) or the error code of anything else.</summary>
        public string[] Outcomes { get; set; } = System.Array.Empty<string>();
        public bool Ok { get; set; }
    }
}
