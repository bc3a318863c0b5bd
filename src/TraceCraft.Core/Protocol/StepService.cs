using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Keys;
using TraceCraft.Options;
using TraceCraft.Storage;
using TraceCraft.Wire;

namespace TraceCraft.Protocol
{
    /// <summary>What New-TcStep declares.</summary>
    public sealed class StepDefinition
    {
        public string Id { get; init; } = "";
        public IReadOnlyList<string> DependsOn { get; init; } = Array.Empty<string>();
        public string? Description { get; init; }
        /// <summary>Claim-next hands out higher priorities first.</summary>
        public int Priority { get; init; }
        /// <summary>After this many failed attempts the step is failed; null for no limit.</summary>
        public int? MaxAttempts { get; init; }
        /// <summary>The lease of every claim of the step that gives none: a holder that dies is replaced after it.</summary>
        public double? LeaseSeconds { get; init; }
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

        internal StepService(TcSession session)
        {
            _session = session;
            Objects = new ObjectMirror(session, "steps", session.Layout.StepsPrefix, IsStateObject);
        }

        /// <summary>Records the end of a step: see <see cref="ClaimService.FinishAsync"/>, where the claim protocol lives.</summary>
        public Task<Step> CompleteAsync(string stepId, CompletionRequest request, CancellationToken cancellationToken = default) =>
            _session.Claims.FinishAsync(stepId, request, cancellationToken);

        public async Task<StatusRecord?> ReadStatusAsync(string stepId, CancellationToken cancellationToken = default)
        {
            string key = _session.Layout.StatusKey(stepId);
            var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
            return read.Found ? StepWire.ReadStatus(key, read.Body!, read.ETag) : null;
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

        /// <summary>
        /// Every step that has a status, claim or spec in the project, in key order: one listing of the steps folder, and
        /// reads of only the objects that changed since this agent last read them (<see cref="ObjectMirror"/>).
        /// </summary>
        public async Task<IReadOnlyList<Step>> ListAsync(CancellationToken cancellationToken = default) =>
            (await ReadAllAsync(cancellationToken).ConfigureAwait(false)).Select(s => s.Step).ToList();

        /// <summary>
        /// Several steps' states, in the order given: from one refresh of the step mirror when the steps folder lists in
        /// fewer pages than reading them one by one costs (three GETs each), so that the end of a barrier over 1,000 steps
        /// costs a listing, not 3,000 GETs; else one by one, so that a few steps of a large project do not cost its listing.
        /// <paramref name="listingPages"/> is what the caller last saw the listing cost. A step with no object reads as pending.
        /// </summary>
        internal async Task<IReadOnlyList<Step>> GetManyAsync(IReadOnlyList<string> stepIds, int listingPages, CancellationToken cancellationToken)
        {
            if (listingPages >= 3 * stepIds.Count)
                return await Task.WhenAll(stepIds.Select(id => GetAsync(id, cancellationToken))).ConfigureAwait(false);
            var byFolder = (await ReadAllAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(s => s.Folder, s => s.Step, StringComparer.Ordinal);
            return stepIds.Select(id => byFolder.TryGetValue(ProjectLayout.StepFolder(id), out var step) ? step : Compose(id, null, null, null)).ToList();
        }

        /// <summary>The mirror of every step's status, claim and spec (not its handoffs, which only their readers need).</summary>
        internal ObjectMirror Objects { get; }

        private bool IsStateObject(string key)
        {
            string rest = key.Substring(_session.Layout.StepsPrefix.Length);
            int slash = rest.IndexOf('/');
            if (slash <= 0) return false;
            string name = rest.Substring(slash + 1);
            return name is "status.json" or "claim.json" or "spec.json";
        }

        /// <summary>A step as one listing found it: its folder, its state, and whether it was declared (has a spec).</summary>
        private readonly struct ListedStep
        {
            public ListedStep(string folder, Step step, bool declared)
            {
                Folder = folder;
                Step = step;
                Declared = declared;
            }

            public string Folder { get; }
            public Step Step { get; }
            public bool Declared { get; }
        }

        /// <summary>
        /// Every step from one refresh of the mirror. A step with an unreadable object is left out with a warning naming
        /// it: one corrupt object never stops the fleet.
        /// </summary>
        private async Task<List<ListedStep>> ReadAllAsync(CancellationToken cancellationToken)
        {
            var snapshot = await Objects.RefreshAsync(cancellationToken).ConfigureAwait(false);
            string prefix = _session.Layout.StepsPrefix;
            var folders = snapshot.Objects.Keys.Concat(snapshot.Unreadable.Keys)
                .Select(k => k.Substring(prefix.Length, k.IndexOf('/', prefix.Length) - prefix.Length))
                .Distinct(StringComparer.Ordinal)
                .OrderBy(f => f, StringComparer.Ordinal);
            var steps = new List<ListedStep>();
            foreach (var folder in folders)
            {
                string statusKey = prefix + folder + "/status.json", claimKey = prefix + folder + "/claim.json", specKey = prefix + folder + "/spec.json";
                var problem = new[] { statusKey, claimKey, specKey }.Where(snapshot.Unreadable.ContainsKey).Select(k => snapshot.Unreadable[k]).FirstOrDefault();
                if (problem is not null)
                {
                    _session.Warn($"Skipped step '{folder}': {problem}");
                    continue;
                }
                try
                {
                    IdValidator.Validate(IdKind.Step, folder);
                    var spec = snapshot.Find(specKey) is ObjectRead s ? StepWire.ReadSpec(specKey, s.Body!) : null;
                    string id = spec?.Id ?? folder;
                    var status = snapshot.Find(statusKey) is ObjectRead st ? StepWire.ReadStatus(statusKey, st.Body!, st.ETag) : null;
                    var claim = snapshot.Find(claimKey) is ObjectRead c ? StepWire.ReadClaim(id, claimKey, c.Body!, c.ETag) : null;
                    steps.Add(new ListedStep(folder, Compose(id, status, claim, spec), spec is not null));
                }
                catch (TcException e) when (e.Code is TcErrorCode.CorruptObject or TcErrorCode.InvalidIdentifier)
                {
                    _session.Warn($"Skipped step '{folder}': {e.Message}");
                }
            }
            return steps;
        }

        /// <summary>
        /// The handoff of a step, or null. The seal in the claim is the record; handoff.json is its copy for the original,
        /// or the original's own handoff when it completed the step.
        /// </summary>
        public async Task<Handoff?> GetHandoffAsync(string stepId, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Step, stepId);
            string key = _session.Layout.HandoffKey(stepId);
            var claimTask = _session.Claims.ReadAsync(stepId, cancellationToken);
            var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
            var claim = await claimTask.ConfigureAwait(false);
            if (claim?.Handoff is not null) return claim.Handoff;
            return read.Found ? StepWire.ReadHandoff(stepId, key, read.Body!) : null;
        }

        /// <summary>handoff.json alone (the copy, or the original's own), or null.</summary>
        internal async Task<Handoff?> ReadHandoffCopyAsync(string stepId, CancellationToken cancellationToken)
        {
            string key = _session.Layout.HandoffKey(stepId);
            var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
            return read.Found ? StepWire.ReadHandoff(stepId, key, read.Body!) : null;
        }

        /// <summary>The handoffs of the earlier runs of a reopened step, oldest first (unreadable ones skipped with a warning).</summary>
        public async Task<IReadOnlyList<Handoff>> GetHandoffHistoryAsync(string stepId, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Step, stepId);
            var objects = await _session.Store.ListAllAsync(_session.Layout.HandoffHistoryPrefix(stepId), null, cancellationToken).ConfigureAwait(false);
            var keys = objects.Select(o => o.Key).OrderBy(k => k, StringComparer.Ordinal).ToList();
            return await _session.ReadEachAsync(keys, async key =>
            {
                var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
                return read.Found ? StepWire.ReadHandoff(stepId, key, read.Body!) : null;
            }, key => $"handoff '{key}'", cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Declares a step with its dependencies (<c>spec.json</c>, ours). Refuses a dependency cycle. Declaring the
        /// same spec again is a no-op; a different spec for an existing step is refused.
        /// </summary>
        public Task<Step> DefineAsync(string stepId, IReadOnlyList<string> dependsOn, string? description, CancellationToken cancellationToken = default) =>
            DefineAsync(new StepDefinition { Id = stepId, DependsOn = dependsOn, Description = description }, cancellationToken);

        /// <summary>
        /// Declares a step. The cycle check reads only the specs reachable from the new step's dependencies, so declaring
        /// a step costs requests in proportion to its ancestors, not to the size of the project.
        /// </summary>
        public async Task<Step> DefineAsync(StepDefinition definition, CancellationToken cancellationToken = default)
        {
            string stepId = definition.Id;
            IdValidator.Validate(IdKind.Step, stepId);
            foreach (var dependency in definition.DependsOn) IdValidator.Validate(IdKind.Step, dependency);
            if (definition.MaxAttempts is int max && max < 1)
                throw new TcException(TcErrorCode.InvalidArgument, $"-MaxAttempts {max} is not possible: give 1 or more.", stepId);
            TcOptions.CheckLeaseSeconds(definition.LeaseSeconds, stepId);
            string folder = ProjectLayout.StepFolder(stepId);
            var spec = new StepSpec
            {
                Id = stepId,
                DependsOn = definition.DependsOn.ToArray(),
                Description = definition.Description,
                Priority = definition.Priority,
                MaxAttempts = definition.MaxAttempts,
                LeaseSeconds = definition.LeaseSeconds,
            };
            var cycle = await FindCycleAsync(folder, spec.DependsOn, cancellationToken).ConfigureAwait(false);
            if (cycle is not null)
                throw new TcException(TcErrorCode.DependencyCycle,
                    cycle.Count == 1 ? $"Step {stepId} cannot depend on itself." : $"Step {stepId} would close a dependency cycle: {string.Join(" -> ", cycle)}.", stepId);

            byte[] body = StepWire.WriteSpec(spec, _session.AgentId, _session.Clock.Now);
            var written = await _session.Store.PutAsync(_session.Layout.SpecKey(stepId), body, WriteCondition.IfAbsent, "application/json", cancellationToken).ConfigureAwait(false);
            if (!written.Written)
            {
                var existing = await ReadSpecAsync(stepId, cancellationToken).ConfigureAwait(false);
                if (existing is null || !existing.SameAs(spec))
                    throw new TcException(TcErrorCode.StepSpecExists, $"Step {stepId} is already defined with other dependencies, description, priority, attempts or lease.", stepId) { Detail = existing };
            }
            return await GetAsync(stepId, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// The cycle that declaring <paramref name="folder"/> with these dependencies would close (as step folders,
        /// from the new step back to it), or null. Walks the dependencies' specs depth-first, reading each once.
        /// </summary>
        private async Task<List<string>?> FindCycleAsync(string folder, IReadOnlyList<string> dependsOn, CancellationToken cancellationToken)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            async Task<List<string>?> Visit(string step, List<string> path)
            {
                string current = ProjectLayout.StepFolder(step);
                if (current == folder) return path.Append(current).ToList();
                if (!seen.Add(current)) return null;
                StepSpec? spec;
                try { spec = await ReadSpecAsync(step, cancellationToken).ConfigureAwait(false); }
                catch (TcException e) when (e.Code == TcErrorCode.CorruptObject) { _session.Warn($"Skipped step spec of '{step}': {e.Message}"); return null; }
                if (spec is null) return null;
                var next = path.Append(current).ToList();
                foreach (var d in spec.DependsOn)
                    if (await Visit(d, next).ConfigureAwait(false) is List<string> found) return found;
                return null;
            }
            foreach (var d in dependsOn)
                if (await Visit(d, new List<string> { folder }).ConfigureAwait(false) is List<string> cycle)
                    return cycle.Count == 2 && cycle[0] == cycle[1] ? new List<string> { folder } : cycle;
            return null;
        }

        /// <summary>
        /// Declared steps that nobody holds (or whose holder's lease ran out), that are not finished or failed, and whose
        /// dependencies are all complete.
        /// </summary>
        public async Task<IReadOnlyList<Step>> GetReadyAsync(CancellationToken cancellationToken = default)
        {
            var listed = await ReadAllAsync(cancellationToken).ConfigureAwait(false);
            // A dependency with no object at all is a step nobody declared or claimed yet: pending, so not complete.
            var byFolder = listed.ToDictionary(s => s.Folder, s => s.Step, StringComparer.Ordinal);
            // A holder whose lease ran out holds nothing any more: its step is ready for a takeover. Lease times are the
            // store's (one Date header read per session).
            await _session.Clock.SyncAsync(_session.Store, cancellationToken).ConfigureAwait(false);
            var now = _session.Clock.Now;
            return listed.Where(s => s.Declared).Select(s => s.Step)
                .Where(s => (s.Status == StepStatus.Pending && s.ClaimedBy is null)
                    || (s.Status == StepStatus.InProgress && s.LeaseExpiresAt is DateTimeOffset expires && expires <= now))
                .Where(s => s.DependsOn.All(d => byFolder.TryGetValue(ProjectLayout.StepFolder(d), out var dep) && dep.IsComplete))
                .ToList();
        }

        internal async Task<StepSpec?> ReadSpecAsync(string stepId, CancellationToken cancellationToken)
        {
            string key = _session.Layout.SpecKey(stepId);
            var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
            return read.Found ? StepWire.ReadSpec(key, read.Body!) : null;
        }

        internal static Step Compose(string stepId, StatusRecord? status, StepClaim? claim, StepSpec? spec)
        {
            var state = StepState.Derive(status, claim);
            return new Step
            {
                Id = spec?.Id ?? stepId,
                Status = state.Status,
                Agent = state.Agent,
                StartedAt = state.StartedAt,
                CompletedAt = state.CompletedAt,
                ClaimedBy = claim is { IsReleased: false } ? claim.Agent : null,
                Token = claim?.Token,
                LeaseExpiresAt = claim is { IsFinal: false, IsReleased: false } ? claim.ExpiresAt : null,
                DependsOn = spec?.DependsOn.ToArray() ?? Array.Empty<string>(),
                Description = spec?.Description,
                Priority = spec?.Priority ?? 0,
                MaxAttempts = spec?.MaxAttempts,
                DefaultLeaseSeconds = spec?.LeaseSeconds,
                Failures = claim?.Failures ?? 0,
            };
        }
    }
}
