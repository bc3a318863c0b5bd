using System.Collections.Generic;

namespace TraceCraft.Bench.Results
{
    /// <summary>Scenario 4: requests and time to read new messages from an inbox with a long history.</summary>
    public sealed class InboxScalingResult
    {
        public List<InboxCase> Cases { get; set; } = new List<InboxCase>();
    }

    public sealed class InboxCase
    {
        public string Backend { get; set; } = "";
        /// <summary>"aged": the old messages were sent 2 h ago; "recent": just before (inside the engine's 60 s skew window).</summary>
        public string Variant { get; set; } = "";
        public int Old { get; set; }
        public int New { get; set; }
        public double SeedMs { get; set; }
        /// <summary>A fresh agent's first read: old + new are all unread.</summary>
        public InboxRead First { get; set; } = new InboxRead();
        /// <summary>A later read by the same agent after new messages arrived.</summary>
        public InboxRead Later { get; set; } = new InboxRead();
        /// <summary>A read with nothing new (the cost of polling an idle inbox).</summary>
        public InboxRead Idle { get; set; } = new InboxRead();
        public bool Ok { get; set; }
    }

    public sealed class InboxRead
    {
        public int Expected { get; set; }
        public int Returned { get; set; }
        public long Requests { get; set; }
        public Dictionary<string, int> ByMethod { get; set; } = new Dictionary<string, int>();
        public double Ms { get; set; }
    }
}
