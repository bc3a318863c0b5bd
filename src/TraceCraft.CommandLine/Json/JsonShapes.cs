using System;
using System.Collections.Generic;

namespace TraceCraft.CommandLine.Json
{
    /// <summary>An error as <c>--json</c> reports it: the stable id (a TcErrorCode name), the message and what it concerns.</summary>
    internal sealed class CliError
    {
        public CliError(string id, string message, string? target)
        {
            Id = id;
            Message = message;
            Target = target;
        }

        public string Id { get; }
        public string Message { get; }
        public string? Target { get; }
    }

    /// <summary>
    /// Every JSON object that <c>tracecraft --json</c> prints, in one place: the engine's objects (with the fields of the
    /// objects the cmdlets emit, camelCase) and each verb's result around them. docs/json-output.md documents exactly
    /// these (a test compares them), so a field is added here and there together.
    /// </summary>
    internal static class JsonShapes
    {
        private static readonly string[] NoneOmitted = Array.Empty<string>();

        public static readonly JsonShape<ProjectContext> ProjectContext = new JsonShape<ProjectContext>(
            "ProjectContext", typeof(ProjectContext), NoneOmitted,
            Field<ProjectContext>.Text("project", c => c.Project),
            Field<ProjectContext>.Text("agent", c => c.Agent),
            Field<ProjectContext>.Text("backend", c => c.Backend),
            Field<ProjectContext>.Text("location", c => c.Location),
            Field<ProjectContext>.TextOrNull("configPath", c => c.ConfigPath));

        public static readonly JsonShape<Agent> Agent = new JsonShape<Agent>(
            "Agent", typeof(Agent), NoneOmitted,
            Field<Agent>.Text("id", a => a.Id),
            Field<Agent>.Text("status", a => a.Status),
            Field<Agent>.TextOrNull("step", a => a.Step),
            Field<Agent>.TimeOrNull("startedAt", a => a.StartedAt),
            Field<Agent>.TimeOrNull("heartbeat", a => a.Heartbeat),
            Field<Agent>.TextOrNull("summary", a => a.Summary),
            // Seconds since the heartbeat: a number, where the cmdlet's object holds a TimeSpan.
            Field<Agent>.NumberOrNull("age", a => a.Age?.TotalSeconds),
            Field<Agent>.Boolean("isStale", a => a.IsStale));

        public static readonly JsonShape<MemoryEntry> MemoryEntry = new JsonShape<MemoryEntry>(
            "MemoryEntry", typeof(MemoryEntry), new[] { nameof(TraceCraft.MemoryEntry.ValueJson), nameof(TraceCraft.MemoryEntry.ValueText) },
            Field<MemoryEntry>.Text("key", e => e.Key),
            Field<MemoryEntry>.AnyJson("value", e => e.ValueJson),
            Field<MemoryEntry>.TextOrNull("setBy", e => e.SetBy),
            Field<MemoryEntry>.TimeOrNull("setAt", e => e.SetAt),
            Field<MemoryEntry>.TextOrNull("version", e => e.Version));

        public static readonly JsonShape<Message> Message = new JsonShape<Message>(
            "Message", typeof(Message), NoneOmitted,
            Field<Message>.Text("id", m => m.Id),
            Field<Message>.Text("from", m => m.From),
            Field<Message>.Text("to", m => m.To),
            // As the original's inbox line writes it: direct or broadcast.
            Field<Message>.Text("kind", m => m.Kind == MessageKind.Broadcast ? "broadcast" : "direct"),
            Field<Message>.Text("text", m => m.Text),
            Field<Message>.Time("sentAt", m => m.SentAt),
            Field<Message>.Text("key", m => m.Key));

        public static readonly JsonShape<Handoff> Handoff = new JsonShape<Handoff>(
            "Handoff", typeof(Handoff), NoneOmitted,
            Field<Handoff>.Text("stepId", h => h.StepId),
            Field<Handoff>.Integer("schema", h => h.Schema),
            Field<Handoff>.Text("fromAgent", h => h.FromAgent),
            Field<Handoff>.Text("fromStep", h => h.FromStep),
            Field<Handoff>.TextOrNull("nextAgent", h => h.NextAgent),
            Field<Handoff>.Text("state", h => h.State),
            Field<Handoff>.TextOrNull("nextAction", h => h.NextAction),
            Field<Handoff>.TextOrNull("note", h => h.Note),
            Field<Handoff>.Time("createdAt", h => h.CreatedAt),
            Field<Handoff>.TextsOrNull("changedFiles", h => h.ChangedFiles));

        public static readonly JsonShape<StepClaim> StepClaim = new JsonShape<StepClaim>(
            "StepClaim", typeof(StepClaim), new[] { nameof(TraceCraft.StepClaim.IsFinal), nameof(TraceCraft.StepClaim.IsReleased) },
            Field<StepClaim>.Text("stepId", c => c.StepId),
            Field<StepClaim>.Text("agent", c => c.Agent),
            Field<StepClaim>.Time("claimedAt", c => c.ClaimedAt),
            Field<StepClaim>.Integer("token", c => c.Token),
            Field<StepClaim>.NumberOrNull("leaseSeconds", c => c.LeaseSeconds),
            Field<StepClaim>.TimeOrNull("expiresAt", c => c.ExpiresAt),
            Field<StepClaim>.TextOrNull("takenOverFrom", c => c.TakenOverFrom),
            Field<StepClaim>.TextOrNull("state", c => c.State),
            Field<StepClaim>.TextOrNull("finishedBy", c => c.FinishedBy),
            Field<StepClaim>.TimeOrNull("finishedAt", c => c.FinishedAt),
            Field<StepClaim>.ObjectOrNull("handoff", Handoff, c => c.Handoff),
            Field<StepClaim>.TextOrNull("version", c => c.Version),
            Field<StepClaim>.Integer("failures", c => c.Failures));

        public static readonly JsonShape<Step> Step = new JsonShape<Step>(
            "Step", typeof(Step), new[] { nameof(TraceCraft.Step.IsComplete) },
            Field<Step>.Text("id", s => s.Id),
            Field<Step>.Text("status", s => s.Status),
            Field<Step>.TextOrNull("agent", s => s.Agent),
            Field<Step>.TimeOrNull("startedAt", s => s.StartedAt),
            Field<Step>.TimeOrNull("completedAt", s => s.CompletedAt),
            Field<Step>.TextOrNull("claimedBy", s => s.ClaimedBy),
            Field<Step>.IntegerOrNull("token", s => s.Token),
            Field<Step>.TimeOrNull("leaseExpiresAt", s => s.LeaseExpiresAt),
            Field<Step>.Texts("dependsOn", s => s.DependsOn),
            Field<Step>.TextOrNull("description", s => s.Description),
            Field<Step>.Integer("priority", s => s.Priority),
            Field<Step>.IntegerOrNull("maxAttempts", s => s.MaxAttempts),
            Field<Step>.NumberOrNull("defaultLeaseSeconds", s => s.DefaultLeaseSeconds),
            Field<Step>.Integer("failures", s => s.Failures),
            Field<Step>.ObjectOrNull("handoff", Handoff, s => s.Handoff));

        public static readonly JsonShape<Artifact> Artifact = new JsonShape<Artifact>(
            "Artifact", typeof(Artifact), NoneOmitted,
            Field<Artifact>.Text("name", a => a.Name),
            Field<Artifact>.TextOrNull("step", a => a.Step),
            Field<Artifact>.Text("key", a => a.Key),
            Field<Artifact>.Integer("size", a => a.Size),
            Field<Artifact>.Time("modified", a => a.Modified),
            Field<Artifact>.TextOrNull("localPath", a => a.LocalPath));

        // The results of verbs that return several objects, or something other than one engine object.

        public static readonly JsonShape<IReadOnlyList<Agent>> AgentList = new JsonShape<IReadOnlyList<Agent>>(
            "AgentList", null, NoneOmitted, Field<IReadOnlyList<Agent>>.Array("agents", Agent, l => l));

        public static readonly JsonShape<IReadOnlyList<MemoryEntry>> MemoryList = new JsonShape<IReadOnlyList<MemoryEntry>>(
            "MemoryList", null, NoneOmitted, Field<IReadOnlyList<MemoryEntry>>.Array("entries", MemoryEntry, l => l));

        public static readonly JsonShape<string> MemoryDeleted = new JsonShape<string>(
            "MemoryDeleted", null, NoneOmitted,
            Field<string>.Text("key", k => k),
            Field<string>.Boolean("deleted", _ => true));

        public static readonly JsonShape<(IReadOnlyList<Message> Messages, int Deleted)> Inbox = new JsonShape<(IReadOnlyList<Message>, int)>(
            "Inbox", null, NoneOmitted,
            Field<(IReadOnlyList<Message> Messages, int Deleted)>.Array("messages", Message, r => r.Messages),
            Field<(IReadOnlyList<Message> Messages, int Deleted)>.Integer("deleted", r => r.Deleted));

        public static readonly JsonShape<StepClaim?> Claimed = new JsonShape<StepClaim?>(
            "Claimed", null, NoneOmitted, Field<StepClaim?>.ObjectOrNull("claimed", StepClaim, c => c));

        public static readonly JsonShape<IReadOnlyList<Step>> StepList = new JsonShape<IReadOnlyList<Step>>(
            "StepList", null, NoneOmitted, Field<IReadOnlyList<Step>>.Array("steps", Step, l => l));

        public static readonly JsonShape<IReadOnlyList<Artifact>> ArtifactList = new JsonShape<IReadOnlyList<Artifact>>(
            "ArtifactList", null, NoneOmitted, Field<IReadOnlyList<Artifact>>.Array("artifacts", Artifact, l => l));

        public static readonly JsonShape<IReadOnlyList<Handoff>> HandoffList = new JsonShape<IReadOnlyList<Handoff>>(
            "HandoffList", null, NoneOmitted, Field<IReadOnlyList<Handoff>>.Array("handoffs", Handoff, l => l));

        public static readonly JsonShape<string> Version = new JsonShape<string>(
            "Version", null, NoneOmitted, Field<string>.Text("version", v => v));

        public static readonly JsonShape<string> Help = new JsonShape<string>(
            "Help", null, NoneOmitted, Field<string>.Text("help", h => h));

        /// <summary>What a verb without a result of its own prints in JSON mode: its text lines.</summary>
        public static readonly JsonShape<IReadOnlyList<string>> Lines = new JsonShape<IReadOnlyList<string>>(
            "Lines", null, NoneOmitted, Field<IReadOnlyList<string>>.Texts("lines", l => l));

        // What goes to stderr in JSON mode, one line each.

        public static readonly JsonShape<CliError> ErrorDetail = new JsonShape<CliError>(
            "ErrorDetail", null, NoneOmitted,
            Field<CliError>.Text("id", e => e.Id),
            Field<CliError>.Text("message", e => e.Message),
            Field<CliError>.TextOrNull("target", e => e.Target));

        public static readonly JsonShape<CliError> Error = new JsonShape<CliError>(
            "Error", null, NoneOmitted, Field<CliError>.Object("error", ErrorDetail, e => e));

        public static readonly JsonShape<string> Warning = new JsonShape<string>(
            "Warning", null, NoneOmitted, Field<string>.Text("warning", w => w));

        /// <summary>Every shape, for the tests that hold them against docs/json-output.md and the engine's types.</summary>
        public static IReadOnlyList<IJsonShape> All { get; } = new IJsonShape[]
        {
            ProjectContext, Agent, MemoryEntry, Message, Handoff, StepClaim, Step, Artifact,
            AgentList, MemoryList, MemoryDeleted, Inbox, Claimed, StepList, ArtifactList, HandoffList, Version, Help, Lines,
            ErrorDetail, Error, Warning,
        };
    }
}
