using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using TraceCraft.Protocol;

namespace TraceCraft.Wire
{
    /// <summary>
    /// The step objects on the wire: <c>claim.json</c>, <c>status.json</c>, <c>handoff.json</c> and <c>spec.json</c>
    /// (see docs/wire-format.md). One writer and one reader for each, so that the services speak in models only.
    /// </summary>
    internal static class StepWire
    {
        // ---- claim.json: the original writes {"agent", "claimed_at"}; every other field is ours. ----

        /// <summary>
        /// Serializes a claim. <paramref name="updatedAt"/> is set on every holder write: it changes the bytes, so the
        /// ETag changes and a racing compare-and-set fails.
        /// </summary>
        public static byte[] WriteClaim(StepClaim claim, DateTimeOffset? updatedAt) => WireJson.Write(w => WriteClaimFields(w, claim, updatedAt));

        // ---- attempts/<token>.json (ours): a claim as it was when a new holder replaced it, for the history of the step. ----

        /// <summary>
        /// An archived attempt: the replaced claim's own fields, plus who replaced it and when (<c>replaced_by</c>,
        /// <c>replaced_at</c>). Written once, create-only, by whoever replaced the claim (takeover, a claim after a
        /// release, reopen); the original never lists a step's folder, so it never sees these.
        /// </summary>
        public static byte[] WriteAttempt(StepClaim replaced, string replacedBy, DateTimeOffset replacedAt) => WireJson.Write(w =>
        {
            WriteClaimFields(w, replaced, null);
            w.WriteString("replaced_by", replacedBy);
            w.WriteTime("replaced_at", replacedAt);
        });

        public static StepAttemptRecord ReadAttempt(string stepId, string key, byte[] body)
        {
            var claim = ReadClaim(stepId, key, body, null);
            using var wire = WireJson.Read(key, body);
            return new StepAttemptRecord(claim, wire.OptionalString("replaced_by"), wire.OptionalTime("replaced_at"));
        }

        private static void WriteClaimFields(Utf8JsonWriter w, StepClaim claim, DateTimeOffset? updatedAt)
        {
            w.WriteString("agent", claim.Agent);
            w.WriteTime("claimed_at", claim.ClaimedAt);
            w.WriteNumber("token", claim.Token);
            if (claim.LeaseSeconds is double lease)
            {
                w.WriteNumber("lease_seconds", lease);
                w.WriteTimeOrNull("expires_at", claim.ExpiresAt);
            }
            if (claim.TakenOverFrom is not null) w.WriteString("taken_over_from", claim.TakenOverFrom);
            if (claim.Failures > 0) w.WriteNumber("failures", claim.Failures);
            if (claim.State is not null)
            {
                // The seal: the step's final record (or, for "released", who handed the step back and when).
                // status.json and handoff.json are copies of it for the original.
                w.WriteString("state", claim.State);
                w.WriteString("finished_by", claim.FinishedBy ?? claim.Agent);
                w.WriteTimeOrNull("finished_at", claim.FinishedAt);
                if (claim.Handoff is not null)
                {
                    w.WritePropertyName("handoff");
                    w.WriteStartObject();
                    WriteHandoffFields(w, claim.Handoff);
                    w.WriteEndObject();
                }
            }
            if (updatedAt is DateTimeOffset at) w.WriteTime("updated_at", at);
        }

        public static StepClaim ReadClaim(string stepId, string key, byte[] body, string? etag)
        {
            using var wire = WireJson.Read(key, body);
            string? state = wire.OptionalString("state");
            return new StepClaim
            {
                StepId = stepId,
                Agent = wire.RequiredString("agent"),
                ClaimedAt = wire.OptionalTime("claimed_at") ?? DateTimeOffset.MinValue,
                Token = wire.OptionalLong("token") ?? 1,
                LeaseSeconds = wire.OptionalDouble("lease_seconds"),
                ExpiresAt = wire.OptionalTime("expires_at"),
                TakenOverFrom = wire.OptionalString("taken_over_from"),
                Failures = (int)Math.Min(int.MaxValue, Math.Max(0, wire.OptionalLong("failures") ?? 0)),
                State = state,
                FinishedBy = state is null ? null : wire.OptionalString("finished_by"),
                FinishedAt = state is null ? null : wire.OptionalTime("finished_at"),
                Handoff = state is not null && wire.Root.TryGetProperty("handoff", out var handoff) && handoff.ValueKind == JsonValueKind.Object
                    ? ReadHandoff(stepId, key, Encoding.UTF8.GetBytes(handoff.GetRawText()))
                    : null,
                Version = etag,
            };
        }

        // ---- status.json: the original's, written by its claim and complete; ours is a copy of the seal. ----

        public static byte[] WriteStatus(string status, string agent, DateTimeOffset startedAt, DateTimeOffset? completedAt) => WireJson.Write(w =>
        {
            w.WriteString("status", status);
            w.WriteString("agent", agent);
            w.WriteTime("started_at", startedAt);
            if (completedAt is DateTimeOffset done) w.WriteTime("completed_at", done);
        });

        public static StatusRecord ReadStatus(string key, byte[] body, string? etag)
        {
            using var wire = WireJson.Read(key, body);
            return new StatusRecord
            {
                Status = wire.OptionalString("status") ?? StepStatus.InProgress,
                Agent = wire.OptionalString("agent"),
                StartedAt = wire.OptionalTime("started_at"),
                CompletedAt = wire.OptionalTime("completed_at"),
                ETag = etag,
            };
        }

        // ---- handoff.json: the original's schema 2. ----

        public static byte[] WriteHandoff(Handoff h) => WireJson.Write(w => WriteHandoffFields(w, h));

        public static Handoff ReadHandoff(string stepId, string key, byte[] body)
        {
            using var wire = WireJson.Read(key, body);
            return ReadHandoff(stepId, wire);
        }

        private static void WriteHandoffFields(Utf8JsonWriter w, Handoff h)
        {
            w.WriteNumber("schema", 2);
            w.WriteString("from_agent", h.FromAgent);
            w.WriteString("from_step", h.FromStep);
            w.WriteStringOrNull("next_agent", h.NextAgent);
            w.WriteString("state", h.State);
            w.WriteStringOrNull("next_action", h.NextAction);
            w.WriteStringOrNull("note", h.Note);
            w.WriteTime("created_at", h.CreatedAt);
            if (h.ChangedFiles is not null)
            {
                w.WriteStartArray("changed_files");
                foreach (var f in h.ChangedFiles) w.WriteStringValue(f);
                w.WriteEndArray();
            }
        }

        private static Handoff ReadHandoff(string stepId, WireObject wire) => new Handoff
        {
            StepId = stepId,
            Schema = (int)(wire.OptionalLong("schema") ?? 1),
            FromAgent = wire.OptionalString("from_agent") ?? "",
            FromStep = wire.OptionalString("from_step") ?? stepId,
            NextAgent = wire.OptionalString("next_agent"),
            State = wire.OptionalString("state") ?? StepStatus.Complete,
            NextAction = wire.OptionalString("next_action"),
            Note = wire.OptionalString("note"),
            CreatedAt = wire.OptionalTime("created_at") ?? DateTimeOffset.MinValue,
            ChangedFiles = wire.Has("changed_files") ? wire.OptionalStringArray("changed_files") : null,
        };

        // ---- spec.json: ours (the original never reads it). ----

        public static byte[] WriteSpec(StepSpec spec, string createdBy, DateTimeOffset createdAt) => WireJson.Write(w =>
        {
            w.WriteString("id", spec.Id);
            w.WriteStartArray("depends_on");
            foreach (var d in spec.DependsOn) w.WriteStringValue(d);
            w.WriteEndArray();
            w.WriteStringOrNull("description", spec.Description);
            if (spec.Priority != 0) w.WriteNumber("priority", spec.Priority);
            if (spec.MaxAttempts is int max) w.WriteNumber("max_attempts", max);
            if (spec.LeaseSeconds is double lease) w.WriteNumber("lease_seconds", lease);
            w.WriteString("created_by", createdBy);
            w.WriteTime("created_at", createdAt);
        });

        public static StepSpec ReadSpec(string key, byte[] body)
        {
            using var wire = WireJson.Read(key, body);
            return new StepSpec
            {
                Id = wire.RequiredString("id"),
                DependsOn = wire.OptionalStringArray("depends_on"),
                Description = wire.OptionalString("description"),
                Priority = (int)Math.Max(int.MinValue, Math.Min(int.MaxValue, wire.OptionalLong("priority") ?? 0)),
                MaxAttempts = wire.OptionalLong("max_attempts") is long max ? (int)Math.Max(1, Math.Min(int.MaxValue, max)) : null,
                LeaseSeconds = wire.OptionalDouble("lease_seconds") is double lease && lease > 0 && lease <= Options.TcOptions.MaxLeaseSeconds ? lease : null,
            };
        }
    }

    /// <summary>A declared step: its id, dependencies and description (<c>spec.json</c>).</summary>
    /// <summary>An archived claim (<c>steps/&lt;sid&gt;/attempts/&lt;token&gt;.json</c>) and who replaced it when.</summary>
    internal sealed class StepAttemptRecord
    {
        public StepAttemptRecord(StepClaim claim, string? replacedBy, DateTimeOffset? replacedAt)
        {
            Claim = claim;
            ReplacedBy = replacedBy;
            ReplacedAt = replacedAt;
        }

        public StepClaim Claim { get; }
        public string? ReplacedBy { get; }
        public DateTimeOffset? ReplacedAt { get; }
    }

    internal sealed class StepSpec
    {
        public string Id { get; init; } = "";
        public IReadOnlyList<string> DependsOn { get; init; } = Array.Empty<string>();
        public string? Description { get; init; }
        public int Priority { get; init; }
        public int? MaxAttempts { get; init; }
        /// <summary>The lease every claim of this step gets unless the claimer gives its own: a dead holder cannot block it.</summary>
        public double? LeaseSeconds { get; init; }

        public bool SameAs(StepSpec other) =>
            DependsOn.SequenceEqual(other.DependsOn) && Description == other.Description && Priority == other.Priority
            && MaxAttempts == other.MaxAttempts && LeaseSeconds == other.LeaseSeconds;
    }
}
