using System;

namespace TraceCraft
{
    /// <summary>
    /// A claim on a step (<c>steps/&lt;sid&gt;/claim.json</c>). The original writes agent and claimed_at; we add a
    /// fencing token that grows with every new holder and an optional lease.
    /// </summary>
    public sealed class StepClaim
    {
        public string StepId { get; init; } = "";
        public string Agent { get; init; } = "";
        public DateTimeOffset ClaimedAt { get; init; }
        /// <summary>Grows by one with every new holder; a write fenced by an older token is refused.</summary>
        public long Token { get; init; } = 1;
        /// <summary>Lease length; null for a claim that never expires (the original's kind).</summary>
        public double? LeaseSeconds { get; init; }
        public DateTimeOffset? ExpiresAt { get; init; }
        /// <summary>The agent whose expired lease this claim took over, if any.</summary>
        public string? TakenOverFrom { get; init; }
        /// <summary>Set when the holder finished the step (complete, blocked, needs review); the claim is then final.</summary>
        public string? State { get; init; }
        /// <summary>The claim object's ETag: later writes of the holder are conditional on it.</summary>
        public string? Version { get; init; }

        public bool IsFinal => State is not null;

        public bool IsExpiredAt(DateTimeOffset now) => !IsFinal && ExpiresAt is DateTimeOffset expires && now >= expires;

        public override string ToString() => $"{StepId} claimed by {Agent} (token {Token})";
    }
}
