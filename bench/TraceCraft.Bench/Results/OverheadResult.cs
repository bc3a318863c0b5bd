using System.Collections.Generic;

namespace TraceCraft.Bench.Results
{
    /// <summary>Scenario 2: one uncontended operation through the engine, the raw AWS SDK and a cmdlet.</summary>
    public sealed class OverheadResult
    {
        public List<OverheadSeries> Series { get; set; } = new List<OverheadSeries>();
        public string? ModulePath { get; set; }
        /// <summary>Time to create and open the runspace with the module imported (once per backend).</summary>
        public Dictionary<string, double> RunspaceOpenMs { get; set; } = new Dictionary<string, double>();
        /// <summary>The store requests one call of each cmdlet made (its -Verbose lines), per backend and operation.</summary>
        public Dictionary<string, List<string>> CmdletRequestTrace { get; set; } = new Dictionary<string, List<string>>();
    }

    public sealed class OverheadSeries
    {
        public string Backend { get; set; } = "";
        /// <summary>"claim", "memory set" or "memory get".</summary>
        public string Operation { get; set; } = "";
        /// <summary>"engine", "raw-sdk" or "cmdlet".</summary>
        public string Path { get; set; } = "";
        /// <summary>Store requests one operation made (engine: counted by the observer; raw SDK: 1; cmdlet: from -Verbose).</summary>
        public double RequestsPerOperation { get; set; }
        public double[] SamplesMs { get; set; } = System.Array.Empty<double>();
    }
}
