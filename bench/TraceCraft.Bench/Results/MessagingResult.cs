using System.Collections.Generic;

namespace TraceCraft.Bench.Results
{
    /// <summary>Scenario 3: many senders to one recipient as fast as possible; exactly-once delivery and order.</summary>
    public sealed class MessagingResult
    {
        public List<MessagingRun> Runs { get; set; } = new List<MessagingRun>();
    }

    public sealed class MessagingRun
    {
        public string Backend { get; set; } = "";
        public int Senders { get; set; }
        public int MessagesPerSender { get; set; }
        public int Expected { get; set; }
        /// <summary>Distinct messages the recipient's unread reads returned.</summary>
        public int Delivered { get; set; }
        /// <summary>Messages returned by more than one unread read (or twice in one).</summary>
        public int Duplicates { get; set; }
        public int Lost { get; set; }
        /// <summary>Messages returned that nobody sent.</summary>
        public int Unexpected { get; set; }
        /// <summary>Reads whose list was not sorted by sent_at.</summary>
        public int UnsortedReads { get; set; }
        /// <summary>Pairs of one sender's messages whose sent_at order differs from the order they were sent in.</summary>
        public int SenderOrderViolations { get; set; }
        /// <summary>A final full read (refresh): how many it returned and whether sorted by sent_at.</summary>
        public int FinalReadCount { get; set; }
        public bool FinalReadSorted { get; set; }
        /// <summary>Objects under the recipient's prefix in a listing of the store.</summary>
        public int StoredObjects { get; set; }
        /// <summary>Wall time from the gate to the last send returning.</summary>
        public double SendWallMs { get; set; }
        public double[] SendLatencyMs { get; set; } = System.Array.Empty<double>();
        /// <summary>Per message: from its send returning to the recipient's read returning it (negative: seen before the sender's response arrived).</summary>
        public double[] DeliveryLatencyMs { get; set; } = System.Array.Empty<double>();
        public int RecipientReads { get; set; }
        public long RecipientRequests { get; set; }
        public Dictionary<string, int> RecipientRequestsByMethod { get; set; } = new Dictionary<string, int>();
        public bool Ok { get; set; }
    }
}
