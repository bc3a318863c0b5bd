using System.Collections.Generic;

namespace TraceCraft.Bench.Results
{
    /// <summary>Scenario 6: a holder's lease expires; contenders retry ClaimAsync until one takes over.</summary>
    public sealed class LeaseTakeoverResult
    {
        public List<LeaseTrial> Trials { get; set; } = new List<LeaseTrial>();
    }

    public sealed class LeaseTrial
    {
        public string Backend { get; set; } = "";
        public int Contenders { get; set; }
        public double LeaseSeconds { get; set; }
        public int PollMs { get; set; }
        public int Trial { get; set; }
        /// <summary>From the lease's expiry (expires_at of the claim) to the new holder's ClaimAsync returning.</summary>
        public double TakeoverMs { get; set; }
        /// <summary>From the expiry to the last contender knowing the new holder (won or saw it).</summary>
        public double SettledMs { get; set; }
        public int Winner { get; set; } = -1;
        public int Winners { get; set; }
        public string? DurableAgent { get; set; }
        public long DurableToken { get; set; }
        /// <summary>Per contender: store requests from its first attempt to knowing the new holder.</summary>
        public long[] ContenderRequests { get; set; } = System.Array.Empty<long>();
        /// <summary>Per contender: ms from its first attempt to knowing the new holder.</summary>
        public double[] ContenderActiveMs { get; set; } = System.Array.Empty<double>();
        public bool Ok { get; set; }
    }
}
