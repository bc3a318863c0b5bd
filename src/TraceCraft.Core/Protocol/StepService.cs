using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Json;
using TraceCraft.Keys;
using TraceCraft.Storage;

namespace TraceCraft.Protocol
{
    /// <summary>What complete records.</summary>
    public sealed class CompletionRequest
    {
        public string? Note { get; init; }
        /// <summary>The agent the work is handed to.</summary>
        public string? To { get; init; }
        public string? NextAction { get; init; }
        /// <summary>complete, blocked or needs_review.</summary>
        public string State { get; init; } = StepStatus.Complete;
        public string[]? ChangedFiles { get; init; }
        /// <summary>Complete a step another agent holds (the original's --force).</summary>
        public bool Force { get; init; }
    }

    /// <summary>The contents of <c>status.json</c>.</summary>
    public sealed class StatusRecord
    {
        public string Status { get; init; } = StepStatus.InProgress;
        public string? Agent { get; init; }
        public DateTimeOffset? StartedAt { get; init; }
        public DateTimeOffset? CompletedAt { get; init; }
        public string? ETag { get; init; }
    }

    /// <summary>
    /// Step state, completion with handoff, and step specs with dependencies. A claim without a status reads
    /// as in progress by the claimer, as the original reads it.
    /// </summary>
    public sealed class StepService
    {
        private readonly TcSession _session;

        internal StepService(TcSession session) => _session = session;

        /// <summary>
        /// Records the end of a step: seals the claim (compare-and-set, so a holder that was taken over is refused
        /// with ClaimLost and writes nothing), then writes status.json and handoff.json as the original does.
        /// </summary>
        public async Task<Step> CompleteAsync(string stepId, CompletionRequest request, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Step, stepId);
            if (request.To is not null) IdValidator.Validate(IdKind.Agent, request.To);
            if (request.State is not (StepStatus.Complete or StepStatus.Blocked or StepStatus.NeedsReview))
                throw new TcException(TcErrorCode.InvalidArgument, $"'{request.State}' is not a final state: use complete, blocked or needs_review.", request.State);
            string me = _session.AgentId;

            StepClaim? claim = null;
            for (int attempt = 0; ; attempt++)
            {
                claim = await _session.Claims.ReadAsync(stepId, cancellationToken).ConfigureAwait(false);
                if (claim is null) break; // The original completes unclaimed steps and creates no claim.
                if (claim.Agent != me)
                {
                    if (claim.TakenOverFrom == me) throw _session.Claims.Lost(stepId, null, claim);
                    if (!request.Force)
                        throw new TcException(TcErrorCode.StepNotOwned,
                            $"Step {stepId} is claimed by {claim.Agent}, not by {me}: use --force (-Force) to complete it anyway.", stepId) { Detail = claim };
                }
                try
                {
                    claim = await _session.Claims.SealAsync(stepId, claim, request.State, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (TcException e) when (e.Code == TcErrorCode.ClaimLost && request.Force && attempt < 3)
                {
                    // A forced completion does not care who holds the claim: read it again and seal that one.
                }
            }

            var existing = claim is null ? await ReadStatusAsync(stepId, cancellationToken).ConfigureAwait(false) : null;
            var now = _session.Clock.Now;
            var startedAt = claim?.ClaimedAt ?? existing?.StartedAt ?? now;
            DateTimeOffset? completedAt = request.State == StepStatus.Complete ? now : null;
            byte[] status = WireJson.Write(w =>
            {
                w.WriteString("status", request.State);
                w.WriteString("agent", me);
                w.WriteTime("started_at", startedAt);
                if (completedAt is DateTimeOffset done) w.WriteTime("completed_at", done);
            });
            var handoff = new Handoff
            {
                StepId = stepId,
                FromAgent = me,
                FromStep = stepId,
                NextAgent = request.To,
                State = request.State,
                NextAction = request.NextAction,
                Note = request.Note,
                CreatedAt = now,
                ChangedFiles = request.ChangedFiles,
            };
            await _session.Store.PutAsync(_session.Layout.StatusKey(stepId), status, WriteCondition.None, "application/json", cancellationToken).ConfigureAwait(false);
            await _session.Store.PutAsync(_session.Layout.HandoffKey(stepId), SerializeHandoff(handoff), WriteCondition.None, "application/json", cancellationToken).ConfigureAwait(false);

            return new Step
            {
                Id = stepId,
                Status = request.State,
                Agent = me,
                StartedAt = startedAt,
                CompletedAt = completedAt,
                ClaimedBy = claim?.Agent,
                Token = claim?.Token,
                Handoff = handoff,
            };
        }

        public async Task<StatusRecord?> ReadStatusAsync(string stepId, CancellationToken cancellationToken = default)
        {
            string key = _session.Layout.StatusKey(stepId);
            var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
            return read.Found ? ParseStatus(key, read.Body!, read.ETag) : null;
        }

        internal static StatusRecord ParseStatus(string key, byte[] body, string? etag)
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

        /// <summary>A step's state from its status, claim and spec (three reads in parallel).</summary>
        public async Task<Step> GetAsync(string stepId, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Step, stepId);
            var statusTask = ReadStatusAsync(stepId, cancellationToken);
            var claimTask = _session.Claims.ReadAsync(stepId, cancellationToken);
            var specTask = ReadSpecAsync(stepId, cancellationToken);
            await Task.WhenAll(statusTask, claimTask, specTask).ConfigureAwait(false);
            return Compose(stepId, statusTask.Result, claimTask.Result, specTask.Result);
        }

        /// <summary>Every step that has a status, claim or spec in the project.</summary>
        public async Task<IReadOnlyList<Step>> ListAsync(CancellationToken cancellationToken = default)
        {
            var objects = await _session.Store.ListAllAsync(_session.Layout.StepsPrefix, null, cancellationToken).ConfigureAwait(false);
            var folders = objects
                .Select(o => o.Key.Substring(_session.Layout.StepsPrefix.Length))
                .Where(rest => rest.IndexOf('/') > 0)
                .Select(rest => rest.Substring(0, rest.IndexOf('/')))
                .Distinct(StringComparer.Ordinal)
                .ToList();
            return await _session.ReadEachAsync(folders, async folder => (Step?)await GetAsync(folder, cancellationToken).ConfigureAwait(false),
                folder => $"step '{folder}'", cancellationToken).ConfigureAwait(false);
        }

        /// <summary>The handoff of a step, or null.</summary>
        public async Task<Handoff?> GetHandoffAsync(string stepId, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Step, stepId);
            string key = _session.Layout.HandoffKey(stepId);
            var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
            if (!read.Found) return null;
            using var wire = WireJson.Read(key, read.Body!);
            return new Handoff
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
        }

        /// <summary>
        /// Declares a step with its dependencies (<c>spec.json</c>, ours). Refuses a dependency cycle. Declaring the
        /// same spec again is a no-op; a different spec for an existing step is refused.
        /// </summary>
        public async Task<Step> DefineAsync(string stepId, IReadOnlyList<string> dependsOn, string? description, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Step, stepId);
            foreach (var dependency in dependsOn) IdValidator.Validate(IdKind.Step, dependency);
            string folder = ProjectLayout.StepFolder(stepId);
            if (dependsOn.Any(d => ProjectLayout.StepFolder(d) == folder))
                throw new TcException(TcErrorCode.DependencyCycle, $"Step {stepId} cannot depend on itself.", stepId);

            var specs = await ReadAllSpecsAsync(cancellationToken).ConfigureAwait(false);
            var graph = specs.ToDictionary(s => ProjectLayout.StepFolder(s.Id), s => s.DependsOn.Select(ProjectLayout.StepFolder).ToArray(), StringComparer.Ordinal);
            graph[folder] = dependsOn.Select(ProjectLayout.StepFolder).ToArray();
            var cycle = FindCycle(graph, folder);
            if (cycle is not null)
                throw new TcException(TcErrorCode.DependencyCycle, $"Step {stepId} would close a dependency cycle: {string.Join(" -> ", cycle)}.", stepId);

            var now = _session.Clock.Now;
            byte[] body = WireJson.Write(w =>
            {
                w.WriteString("id", stepId);
                w.WriteStartArray("depends_on");
                foreach (var d in dependsOn) w.WriteStringValue(d);
                w.WriteEndArray();
                w.WriteStringOrNull("description", description);
                w.WriteString("created_by", _session.AgentId);
                w.WriteTime("created_at", now);
            });
            var written = await _session.Store.PutAsync(_session.Layout.SpecKey(stepId), body, WriteCondition.IfAbsent, "application/json", cancellationToken).ConfigureAwait(false);
            if (!written.Written)
            {
                var existing = await ReadSpecAsync(stepId, cancellationToken).ConfigureAwait(false);
                bool same = existing is not null && existing.DependsOn.SequenceEqual(dependsOn) && existing.Description == description;
                if (!same)
                    throw new TcException(TcErrorCode.StepSpecExists, $"Step {stepId} is already defined with other dependencies or description.", stepId) { Detail = existing };
            }
            return await GetAsync(stepId, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Defined steps that nobody holds, that are not finished, and whose dependencies are all complete.</summary>
        public async Task<IReadOnlyList<Step>> GetReadyAsync(CancellationToken cancellationToken = default)
        {
            var specs = await ReadAllSpecsAsync(cancellationToken).ConfigureAwait(false);
            var steps = await Parallelism.MapAsync(specs, s => GetAsync(s.Id, cancellationToken), cancellationToken).ConfigureAwait(false);
            var byFolder = steps.ToDictionary(s => ProjectLayout.StepFolder(s.Id), StringComparer.Ordinal);
            var unknownDependencies = specs.SelectMany(s => s.DependsOn).Where(d => !byFolder.ContainsKey(ProjectLayout.StepFolder(d))).Distinct().ToList();
            var extra = await Parallelism.MapAsync(unknownDependencies, d => GetAsync(d, cancellationToken), cancellationToken).ConfigureAwait(false);
            foreach (var s in extra) byFolder[ProjectLayout.StepFolder(s.Id)] = s;
            return steps
                .Where(s => s.Status == StepStatus.Pending && s.ClaimedBy is null)
                .Where(s => s.DependsOn.All(d => byFolder.TryGetValue(ProjectLayout.StepFolder(d), out var dep) && dep.IsComplete))
                .ToList();
        }

        private sealed class Spec
        {
            public string Id { get; init; } = "";
            public string[] DependsOn { get; init; } = Array.Empty<string>();
            public string? Description { get; init; }
        }

        private async Task<Spec?> ReadSpecAsync(string stepId, CancellationToken cancellationToken)
        {
            string key = _session.Layout.SpecKey(stepId);
            var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
            return read.Found ? ParseSpec(key, read.Body!) : null;
        }

        private static Spec ParseSpec(string key, byte[] body)
        {
            using var wire = WireJson.Read(key, body);
            return new Spec
            {
                Id = wire.RequiredString("id"),
                DependsOn = wire.OptionalStringArray("depends_on"),
                Description = wire.OptionalString("description"),
            };
        }

        private async Task<IReadOnlyList<Spec>> ReadAllSpecsAsync(CancellationToken cancellationToken)
        {
            var objects = await _session.Store.ListAllAsync(_session.Layout.StepsPrefix, null, cancellationToken).ConfigureAwait(false);
            var keys = objects.Select(o => o.Key).Where(k => k.EndsWith("/spec.json", StringComparison.Ordinal)).ToList();
            return await _session.ReadEachAsync(keys, async key =>
            {
                var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
                return read.Found ? ParseSpec(key, read.Body!) : null;
            }, key => $"step spec '{key}'", cancellationToken).ConfigureAwait(false);
        }

        private static List<string>? FindCycle(Dictionary<string, string[]> graph, string start)
        {
            var path = new List<string>();
            var onPath = new HashSet<string>(StringComparer.Ordinal);
            var done = new HashSet<string>(StringComparer.Ordinal);
            bool Visit(string node)
            {
                if (onPath.Contains(node)) { path.Add(node); return true; }
                if (!done.Add(node)) return false;
                onPath.Add(node);
                path.Add(node);
                if (graph.TryGetValue(node, out var next))
                    foreach (var n in next)
                        if (Visit(n)) return true;
                path.RemoveAt(path.Count - 1);
                onPath.Remove(node);
                return false;
            }
            return Visit(start) ? path.SkipWhile(n => n != path[path.Count - 1]).ToList() : null;
        }

        private static Step Compose(string stepId, StatusRecord? status, StepClaim? claim, Spec? spec)
        {
            string state = status?.Status ?? claim?.State ?? (claim is null ? StepStatus.Pending : StepStatus.InProgress);
            return new Step
            {
                Id = spec?.Id ?? stepId,
                Status = state,
                Agent = status?.Agent ?? claim?.Agent,
                StartedAt = status?.StartedAt ?? claim?.ClaimedAt,
                CompletedAt = status?.CompletedAt,
                ClaimedBy = claim?.Agent,
                Token = claim?.Token,
                LeaseExpiresAt = claim?.ExpiresAt,
                DependsOn = spec?.DependsOn ?? Array.Empty<string>(),
                Description = spec?.Description,
            };
        }

        internal static byte[] SerializeHandoff(Handoff h) => WireJson.Write(w =>
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
        });
    }
}
