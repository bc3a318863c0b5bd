using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Keys;
using TraceCraft.Storage;
using TraceCraft.Wire;
using TraceCraft.Options;

namespace TraceCraft.Protocol
{
    /// <summary>How to claim.</summary>
    public sealed class ClaimOptions
    {
        /// <summary>Lease length; null for a claim that never expires (the original's kind).</summary>
        public double? LeaseSeconds { get; init; }
        /// <summary>Claim even when a declared dependency is not complete.</summary>
        public bool IgnoreDependencies { get; init; }
        /// <summary>The step's declared lease when the caller has already read the spec (0: none), to save reading it again.</summary>
        internal double? DeclaredLeaseSeconds { get; init; }
    }

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
        /// <summary>Complete a step another agent holds (the original's --force); also repairs an unreadable claim.</summary>
        public bool Force { get; init; }
        /// <summary>
        /// The fencing token of the claim the caller holds. Without it, a claim this session made is fenced by the token
        /// it remembers, and otherwise by the agent name alone (the original's check).
        /// </summary>
        public long? Token { get; init; }
    }

    /// <summary>
    /// The claim protocol: who may write what to a step. Everything a holder writes goes through this file.
    /// <list type="bullet">
    /// <item><b>Claim</b>: one conditional create of <c>steps/&lt;sid&gt;/claim.json</c>; of many agents claiming at once
    /// exactly one wins. We add to the original's <c>{"agent", "claimed_at"}</c> a fencing token and an optional lease.</item>
    /// <item><b>Takeover</b>: once a lease has expired, another agent replaces the claim with a compare-and-set (If-Match);
    /// again exactly one wins, and the token grows by one.</item>
    /// <item><b>Renew</b> and <b>finish</b>: compare-and-set on the claim the holder read, after checking that it is the
    /// holder's claim: same agent and, when the caller knows it (the cmdlets remember it; the command line takes
    /// <c>--token</c>), the same token. A holder that was taken over is refused with ClaimLost and writes nothing, even
    /// when the new holder has the same agent name.</item>
    /// <item><b>Seal</b>: finishing writes the step's final record (state, who, when, the handoff) into the claim itself,
    /// with that compare-and-set. The seal is the single commit point: every reader here derives a step's state from it
    /// (<see cref="StepState"/>), so no crash leaves a step that reads one way and waits another, and a sealed complete or
    /// blocked step cannot be claimed again. <c>handoff.json</c> and then <c>status.json</c> are written after the seal as
    /// copies for the original's readers; a crash before them is repaired by the holder's next complete and by any
    /// waiter, from the seal.</item>
    /// </list>
    /// Lease times come from the store's clock where it can be read (S3's Date header), so agents whose clocks disagree
    /// by more than 2 s still agree on expiry; without it, a lease tolerates only the real skew.
    /// </summary>
    public sealed class ClaimService
    {
        private const int MaxAttempts = 5;
        private readonly TcSession _session;
        // Claims this session made, by step folder: a later write of this session is fenced by the token remembered here.
        private readonly ConcurrentDictionary<string, HeldHere> _heldHere = new ConcurrentDictionary<string, HeldHere>(StringComparer.Ordinal);

        private sealed class HeldHere
        {
            public HeldHere(long token, double? leaseSeconds) { Token = token; LeaseSeconds = leaseSeconds; }
            public long Token { get; }
            public double? LeaseSeconds { get; }
        }

        internal ClaimService(TcSession session) => _session = session;

        /// <summary>
        /// Claims a step. Throws <see cref="TcErrorCode.StepAlreadyClaimed"/> (with the holder's claim as Detail) when
        /// another agent holds it, or when this agent already does, as the original reports; <see cref="TcErrorCode.StepFinished"/>
        /// when the step is complete, blocked, failed or waiting for review; <see cref="TcErrorCode.StepNotReady"/> when
        /// a declared dependency is not complete.
        /// </summary>
        public Task<StepClaim> ClaimAsync(string stepId, double? leaseSeconds = null, CancellationToken cancellationToken = default) =>
            ClaimAsync(stepId, new ClaimOptions { LeaseSeconds = leaseSeconds }, cancellationToken);

        public async Task<StepClaim> ClaimAsync(string stepId, ClaimOptions options, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Step, stepId);
            double? leaseSeconds = options.LeaseSeconds;
            TcOptions.CheckLeaseSeconds(leaseSeconds, stepId);
            // The spec (one GET) says whether the step waits for others and what lease its claims get by default.
            StepSpec? spec = null;
            // An unreadable spec stops a claim that must check dependencies; one that ignores them goes on with a warning.
            if (!options.IgnoreDependencies)
                spec = await _session.Steps.ReadSpecAsync(stepId, cancellationToken).ConfigureAwait(false);
            else if (options.DeclaredLeaseSeconds is null)
                spec = await ReadSpecOrNullAsync(stepId, cancellationToken).ConfigureAwait(false);
            // Dependencies bind: a declared step runs only after every step it depends on is complete.
            if (!options.IgnoreDependencies && spec is { DependsOn.Count: > 0 })
                await RequireDependenciesCompleteAsync(stepId, spec, cancellationToken).ConfigureAwait(false);
            // A step declared with a lease gives every claim one: a holder killed mid-step is replaced after it.
            leaseSeconds ??= options.DeclaredLeaseSeconds is double declared ? (declared > 0 ? declared : null) : spec?.LeaseSeconds;
            if (leaseSeconds.HasValue) await _session.Clock.SyncAsync(_session.Store, cancellationToken).ConfigureAwait(false);

            var now = _session.Clock.Now;
            var claim = HolderClaim(stepId, now, token: 1, leaseSeconds);
            string key = _session.Layout.ClaimKey(stepId);
            // Read in parallel with the create (no extra round trip): a step the original completed without claiming it
            // has a final status.json and no claim, and must not run again.
            var statusTask = _session.Steps.ReadStatusAsync(stepId, cancellationToken);
            var created = await _session.Store.PutAsync(key, StepWire.WriteClaim(claim, null), WriteCondition.IfAbsent, "application/json", cancellationToken).ConfigureAwait(false);
            var status = await ReadStatusOrNullAsync(statusTask).ConfigureAwait(false);
            if (created.Written)
            {
                if (status is not null && StepState.IsClosed(status.Status))
                {
                    // Record the original's completion in the claim, so that every later claimer is refused at its create.
                    var seal = Seal(claim, status.Status, status.Agent ?? claim.Agent, status.CompletedAt ?? now, handoff: null);
                    await _session.Store.PutAsync(key, StepWire.WriteClaim(seal, now), WriteCondition.IfMatch(created.ETag!), "application/json", cancellationToken).ConfigureAwait(false);
                    throw Finished(stepId, seal);
                }
                return await HeldAsync(claim, created.ETag, cancellationToken).ConfigureAwait(false);
            }

            for (int attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var existing = await ReadAsync(stepId, cancellationToken).ConfigureAwait(false);
                if (existing is null)
                {
                    // Deleted between our create and our read: try the create again.
                    created = await _session.Store.PutAsync(key, StepWire.WriteClaim(claim, null), WriteCondition.IfAbsent, "application/json", cancellationToken).ConfigureAwait(false);
                    if (created.Written) return await HeldAsync(claim, created.ETag, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (existing.IsFinal) throw Finished(stepId, existing);
                // A claim whose step the original completed (its complete writes only status.json): done, not free.
                if (status is not null && StepState.IsClosed(status.Status))
                    throw Finished(stepId, Seal(existing, status.Status, status.Agent ?? existing.Agent, status.CompletedAt ?? now, handoff: null));
                StepClaim takeover;
                if (existing.IsReleased)
                {
                    // Handed back (release or reopen): free for the next claimer; the token keeps growing, so a holder of
                    // an earlier claim stays fenced out.
                    now = _session.Clock.Now;
                    takeover = HolderClaim(stepId, now, existing.Token + 1, leaseSeconds, existing.Failures);
                }
                else
                {
                    if (existing.LeaseSeconds is null) throw AlreadyClaimed(stepId, existing);
                    await _session.Clock.SyncAsync(_session.Store, cancellationToken).ConfigureAwait(false);
                    now = _session.Clock.Now;
                    if (!existing.IsExpiredAt(now)) throw AlreadyClaimed(stepId, existing);
                    // The holder's lease ran out: that attempt failed. Past the step's budget, the step fails instead.
                    int failures = existing.Failures + 1;
                    spec ??= await ReadSpecOrNullAsync(stepId, cancellationToken).ConfigureAwait(false);
                    if (spec?.MaxAttempts is int max && failures >= max)
                    {
                        var failed = WithFailures(Seal(existing, StepStatus.Failed, _session.AgentId, now, handoff: null), failures);
                        if (await SwapAsync(existing, failed, now, cancellationToken).ConfigureAwait(false) is StepClaim sealedFailed)
                        {
                            await WriteCopiesAsync(sealedFailed, cancellationToken).ConfigureAwait(false);
                            throw Finished(stepId, sealedFailed);
                        }
                        continue;
                    }
                    takeover = HolderClaim(stepId, now, existing.Token + 1, leaseSeconds ?? existing.LeaseSeconds, failures, takenOverFrom: existing.Agent);
                }
                var swapped = await _session.Store.PutAsync(key, StepWire.WriteClaim(takeover, null), WriteCondition.IfMatch(existing.Version!), "application/json", cancellationToken).ConfigureAwait(false);
                if (swapped.Written)
                {
                    await ArchiveAttemptAsync(existing, now, cancellationToken).ConfigureAwait(false);
                    return await HeldAsync(takeover, swapped.ETag, cancellationToken).ConfigureAwait(false);
                }
                // Another agent changed the claim first: read again and report or retry.
            }
            var winner = await ReadAsync(stepId, cancellationToken).ConfigureAwait(false);
            throw AlreadyClaimed(stepId, winner);
        }

        /// <summary>The claim on a step, or null when nobody claimed it. Throws CorruptObject when it cannot be read.</summary>
        public async Task<StepClaim?> ReadAsync(string stepId, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Step, stepId);
            string key = _session.Layout.ClaimKey(stepId);
            var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
            return read.Found ? StepWire.ReadClaim(stepId, key, read.Body!, read.ETag) : null;
        }

        /// <summary>Extends the lease of a claim this agent holds (compare-and-set on the claim).</summary>
        public async Task<StepClaim> RenewAsync(string stepId, double? leaseSeconds = null, long? token = null, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Step, stepId);
            TcOptions.CheckLeaseSeconds(leaseSeconds, stepId);
            var held = await ReadAsync(stepId, cancellationToken).ConfigureAwait(false)
                ?? throw new TcException(TcErrorCode.StepNotClaimed, $"Step {stepId} is not claimed: claim it first.", stepId);
            if (held.IsFinal)
                throw new TcException(TcErrorCode.StepFinished, $"Step {stepId} is finished ({held.State}): there is no lease left to renew.", stepId) { Detail = held };
            RequireHolder(held, token ?? RememberedToken(stepId), force: false);
            double lease = leaseSeconds ?? held.LeaseSeconds
                ?? throw new TcException(TcErrorCode.InvalidArgument, $"The claim on step {stepId} has no lease to renew: give -LeaseSeconds to add one.", stepId);
            await _session.Clock.SyncAsync(_session.Store, cancellationToken).ConfigureAwait(false);
            var now = _session.Clock.Now;
            var renewed = held with { LeaseSeconds = lease, ExpiresAt = now.AddSeconds(lease) };
            var result = await SwapAsync(held, renewed, now, cancellationToken).ConfigureAwait(false)
                ?? throw Lost(stepId, held, await ReadAsync(stepId, cancellationToken).ConfigureAwait(false));
            _heldHere[ProjectLayout.StepFolder(stepId)] = new HeldHere(result.Token, lease);
            return result;
        }

        /// <summary>Renews every leased claim this session made whose lease is past half its length (called while waiting).</summary>
        public async Task RenewHeldLeasesAsync(CancellationToken cancellationToken = default)
        {
            foreach (var pair in _heldHere)
            {
                if (pair.Value.LeaseSeconds is not double lease) continue;
                var claim = await ReadAsync(pair.Key, cancellationToken).ConfigureAwait(false);
                if (claim is null || claim.Agent != _session.AgentId || claim.Token != pair.Value.Token || claim.IsFinal || claim.ExpiresAt is null)
                {
                    _heldHere.TryRemove(pair.Key, out _);
                    continue;
                }
                if (claim.ExpiresAt.Value - _session.Clock.Now < TimeSpan.FromSeconds(lease / 2))
                    await RenewAsync(pair.Key, lease, pair.Value.Token, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Finishes a step: seals the claim with the final state and handoff (the commit point, conditional on the claim
        /// the holder read), then writes handoff.json and status.json for the original's readers. A holder that was
        /// taken over gets ClaimLost and writes nothing. Completing a step nobody claimed creates a sealed claim (the
        /// original creates none, and so lets the step be claimed and run again). Completing again what this agent
        /// already finished in the same state re-writes the copies from the seal (the repair after a crash).
        /// </summary>
        public async Task<Step> FinishAsync(string stepId, CompletionRequest request, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Step, stepId);
            if (request.To is not null) IdValidator.Validate(IdKind.Agent, request.To);
            if (!StepState.IsFinal(request.State))
                throw new TcException(TcErrorCode.InvalidArgument, $"'{request.State}' is not a final state: use complete, blocked or needs_review.", request.State);
            string key = _session.Layout.ClaimKey(stepId);
            long? token = request.Token ?? RememberedToken(stepId);

            StepClaim? seal = null;
            for (int attempt = 0; seal is null; attempt++)
            {
                if (attempt == MaxAttempts)
                    throw new TcException(TcErrorCode.StoreFailed, $"The claim on step {stepId} kept changing while it was being completed; try again.", stepId);
                var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
                var now = _session.Clock.Now;
                StepClaim? current;
                try
                {
                    current = read.Found ? StepWire.ReadClaim(stepId, key, read.Body!, read.ETag) : null;
                }
                catch (TcException e) when (e.Code == TcErrorCode.CorruptObject)
                {
                    if (!request.Force)
                        throw new TcException(TcErrorCode.CorruptObject,
                            $"The claim of step {stepId} ({key}) cannot be read: {e.Message} Complete the step with --force (-Force) to replace it.", key, e);
                    // Repair: replace the unreadable claim with our seal, conditional on the bytes we saw.
                    var repaired = Seal(HolderClaim(stepId, now, token: 1, leaseSeconds: null), request, now);
                    seal = await PutSealAsync(key, repaired, WriteCondition.IfMatch(read.ETag!), now, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (current is null)
                {
                    var status = await _session.Steps.ReadStatusAsync(stepId, cancellationToken).ConfigureAwait(false);
                    var fresh = Seal(HolderClaim(stepId, status?.StartedAt ?? now, token: 1, leaseSeconds: null), request, now);
                    seal = await PutSealAsync(key, fresh, WriteCondition.IfAbsent, now, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (current.IsFinal && !request.Force)
                {
                    bool mine = (current.FinishedBy ?? current.Agent) == _session.AgentId && (token is null || token == current.Token);
                    if (mine && current.State == request.State)
                    {
                        // Finished already (a retry after a crash or a lost response): the seal stands; repair its copies.
                        await WriteCopiesAsync(current, cancellationToken).ConfigureAwait(false);
                        return ToStep(current);
                    }
                    if (!(mine && current.State == StepStatus.NeedsReview)) throw Finished(stepId, current);
                }
                else if (!current.IsFinal)
                {
                    RequireHolder(current, token, request.Force);
                }
                seal = await SwapAsync(current, Seal(current, request, now), now, cancellationToken).ConfigureAwait(false);
                if (seal is null && !request.Force)
                    throw Lost(stepId, current, await ReadAsync(stepId, cancellationToken).ConfigureAwait(false));
                // A forced completion does not care who holds the claim: read it again and seal that one.
            }

            _heldHere.TryRemove(ProjectLayout.StepFolder(stepId), out _);
            await WriteCopiesAsync(seal, cancellationToken).ConfigureAwait(false);
            await _session.Agents.ReleaseStepAsync(stepId, cancellationToken).ConfigureAwait(false);
            return ToStep(seal);
        }

        /// <summary>
        /// Hands a held step back (fenced like every holder write): the claim becomes "released" and the step pending, and
        /// the next claim replaces it. With <paramref name="failed"/> the attempt counts against the step's -MaxAttempts;
        /// the last allowed one makes the step failed.
        /// </summary>
        public async Task<Step> ReleaseAsync(string stepId, bool failed = false, long? token = null, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Step, stepId);
            var held = await ReadAsync(stepId, cancellationToken).ConfigureAwait(false);
            if (held is null || held.IsReleased)
                throw new TcException(TcErrorCode.StepNotClaimed, $"Step {stepId} is not claimed: there is nothing to release.", stepId);
            if (held.IsFinal) throw Finished(stepId, held);
            RequireHolder(held, token ?? RememberedToken(stepId), force: false);
            int failures = held.Failures + (failed ? 1 : 0);
            var spec = failed ? await ReadSpecOrNullAsync(stepId, cancellationToken).ConfigureAwait(false) : null;
            string state = spec?.MaxAttempts is int max && failures >= max ? StepStatus.Failed : StepClaim.Released;
            var now = _session.Clock.Now;
            var released = await SwapAsync(held, WithFailures(Seal(held, state, _session.AgentId, now, handoff: null), failures), now, cancellationToken).ConfigureAwait(false)
                ?? throw Lost(stepId, held, await ReadAsync(stepId, cancellationToken).ConfigureAwait(false));
            _heldHere.TryRemove(ProjectLayout.StepFolder(stepId), out _);
            if (released.IsFinal) await WriteCopiesAsync(released, cancellationToken).ConfigureAwait(false);
            else await _session.Store.DeleteAsync(_session.Layout.StatusKey(stepId), cancellationToken).ConfigureAwait(false);
            await _session.Agents.ReleaseStepAsync(stepId, cancellationToken).ConfigureAwait(false);
            return await _session.Steps.GetAsync(stepId, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// An operator's action: returns a finished (complete, blocked, failed, needs review) step to pending, with its
        /// attempts reset. Its handoff is kept under <c>steps/&lt;sid&gt;/handoffs/</c> (Get-TcHandoff -History). A step
        /// someone holds is refused unless <paramref name="force"/> (the way out from a holder that died without a lease).
        /// Repairs a step whose claim is unreadable. Order of writes: archive, remove the copies, replace the claim, so
        /// that a crash at any point leaves the step reading as the seal still says, and running reopen again finishes.
        /// </summary>
        public async Task<Step> ReopenAsync(string stepId, bool force = false, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Step, stepId);
            string key = _session.Layout.ClaimKey(stepId);
            for (int attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
                StepClaim? current = null;
                try
                {
                    current = read.Found ? StepWire.ReadClaim(stepId, key, read.Body!, read.ETag) : null;
                }
                catch (TcException e) when (e.Code == TcErrorCode.CorruptObject)
                {
                    _session.Warn($"Replacing the unreadable claim of step {stepId}: {e.Message}");
                }
                if (current is { IsFinal: false, IsReleased: false } && !force)
                    throw new TcException(TcErrorCode.StepAlreadyClaimed,
                        $"Step {stepId} is held by {current.Agent} (token {current.Token}): it is not finished. Use -Force (--force) to take it back anyway.", stepId) { Detail = current };

                var handoff = current?.Handoff ?? await _session.Steps.ReadHandoffCopyAsync(stepId, cancellationToken).ConfigureAwait(false);
                if (handoff is not null)
                    await _session.Store.PutAsync(_session.Layout.HandoffHistoryKey(stepId, WireTime.ToUnixNanoseconds(handoff.CreatedAt)), StepWire.WriteHandoff(handoff),
                        WriteCondition.IfAbsent, "application/json", cancellationToken).ConfigureAwait(false);
                await _session.Store.DeleteAsync(_session.Layout.StatusKey(stepId), cancellationToken).ConfigureAwait(false);
                await _session.Store.DeleteAsync(_session.Layout.HandoffKey(stepId), cancellationToken).ConfigureAwait(false);

                var now = _session.Clock.Now;
                var reopened = Seal(HolderClaim(stepId, now, (current?.Token ?? 0) + 1, leaseSeconds: null), StepClaim.Released, _session.AgentId, now, handoff: null);
                var condition = read.Found ? WriteCondition.IfMatch(read.ETag!) : WriteCondition.IfAbsent;
                if (await PutSealAsync(key, reopened, condition, now, cancellationToken).ConfigureAwait(false) is not null)
                {
                    if (current is not null) await ArchiveAttemptAsync(current, now, cancellationToken).ConfigureAwait(false);
                    return await _session.Steps.GetAsync(stepId, cancellationToken).ConfigureAwait(false);
                }
            }
            throw new TcException(TcErrorCode.StoreFailed, $"The claim on step {stepId} kept changing while it was being reopened; try again.", stepId);
        }

        /// <summary>
        /// Claims one ready step (declared, dependencies complete, nobody holds it, not finished or failed), or returns
        /// null when none is. Higher priorities first; within one priority the order is random, so that many workers
        /// asking at once spread over the ready steps, and a loser of a race simply tries the next step.
        /// </summary>
        public async Task<StepClaim?> ClaimNextAsync(string? filter = null, double? leaseSeconds = null, CancellationToken cancellationToken = default)
        {
            var match = filter is null ? null : StepFilter.Create(filter);
            var ready = await _session.Steps.GetReadyAsync(cancellationToken).ConfigureAwait(false);
            var random = new Random(Guid.NewGuid().GetHashCode());
            var order = ready
                .Where(s => match is null || match(s.Id))
                .Select(s => (Step: s, Shuffle: random.Next()))
                .OrderByDescending(x => x.Step.Priority).ThenBy(x => x.Shuffle)
                .Select(x => x.Step)
                .ToList();
            foreach (var step in order)
            {
                try
                {
                    // Readiness was just checked from the same listing (dependencies only move forward), and the listing
                    // read the spec: no second read of it.
                    return await ClaimAsync(step.Id, new ClaimOptions
                    {
                        LeaseSeconds = leaseSeconds,
                        IgnoreDependencies = true,
                        DeclaredLeaseSeconds = step.DefaultLeaseSeconds ?? 0,
                    }, cancellationToken).ConfigureAwait(false);
                }
                catch (TcException e) when (e.Code is TcErrorCode.StepAlreadyClaimed or TcErrorCode.StepFinished)
                {
                    Interlocked.Increment(ref _collisions);
                }
            }
            return null;
        }

        /// <summary>Claims claim-next lost to another worker in this session (a benchmark figure).</summary>
        public long Collisions => Interlocked.Read(ref _collisions);
        private long _collisions;

        private async Task RequireDependenciesCompleteAsync(string stepId, StepSpec spec, CancellationToken cancellationToken)
        {
            var dependencies = await Parallelism.MapAsync(spec.DependsOn, d => _session.Steps.GetAsync(d, cancellationToken), cancellationToken).ConfigureAwait(false);
            var open = dependencies.Where(d => !d.IsComplete).ToList();
            if (open.Count > 0)
                throw new TcException(TcErrorCode.StepNotReady,
                    $"Step {stepId} is not ready: it depends on {string.Join(", ", open.Select(d => $"{d.Id} ({d.Status})"))}. Claim it once they are complete, or use -IgnoreDependencies (--ignore-dependencies).",
                    stepId) { Detail = open.Select(d => d.Id).ToArray() };
        }

        private async Task<StepSpec?> ReadSpecOrNullAsync(string stepId, CancellationToken cancellationToken)
        {
            try { return await _session.Steps.ReadSpecAsync(stepId, cancellationToken).ConfigureAwait(false); }
            catch (TcException e) when (e.Code == TcErrorCode.CorruptObject) { _session.Warn(e.Message); return null; }
        }

        /// <summary>
        /// Keeps the claim a new holder just replaced (<c>attempts/&lt;token&gt;.json</c>, ours), so that the report can draw
        /// every attempt of a step. Written after the replacing compare-and-set won, so only the winner writes it; create-only,
        /// so a retry changes nothing. History only: a failure here never undoes the claim, it is a warning.
        /// </summary>
        private async Task ArchiveAttemptAsync(StepClaim replaced, DateTimeOffset replacedAt, CancellationToken cancellationToken)
        {
            try
            {
                await _session.Store.PutAsync(_session.Layout.AttemptKey(replaced.StepId, replaced.Token),
                    StepWire.WriteAttempt(replaced, _session.AgentId, replacedAt), WriteCondition.IfAbsent, "application/json", cancellationToken).ConfigureAwait(false);
            }
            catch (TcException e) when (e.Code is TcErrorCode.StoreUnreachable or TcErrorCode.StoreFailed)
            {
                _session.Warn($"The history of step {replaced.StepId} misses attempt {replaced.Token} of {replaced.Agent}: {e.Message}");
            }
        }

        /// <summary>
        /// A waiter saw a seal whose status.json copy is missing or stale (the finisher crashed after sealing): writes the
        /// copies for the original's readers. Conditional on the status it read, so it never overwrites a newer write.
        /// </summary>
        internal async Task RepairCopiesAsync(StepClaim seal, StatusRecord? status, CancellationToken cancellationToken)
        {
            if (seal.Handoff is not null)
                await _session.Store.PutAsync(_session.Layout.HandoffKey(seal.StepId), StepWire.WriteHandoff(seal.Handoff), WriteCondition.IfAbsent, "application/json", cancellationToken).ConfigureAwait(false);
            await _session.Store.PutAsync(_session.Layout.StatusKey(seal.StepId), StatusCopy(seal),
                status?.ETag is string etag ? WriteCondition.IfMatch(etag) : WriteCondition.IfAbsent, "application/json", cancellationToken).ConfigureAwait(false);
        }

        private async Task WriteCopiesAsync(StepClaim seal, CancellationToken cancellationToken)
        {
            // The handoff before the status: an original reader that sees the step complete also finds its handoff.
            if (seal.Handoff is not null)
                await _session.Store.PutAsync(_session.Layout.HandoffKey(seal.StepId), StepWire.WriteHandoff(seal.Handoff), WriteCondition.None, "application/json", cancellationToken).ConfigureAwait(false);
            await _session.Store.PutAsync(_session.Layout.StatusKey(seal.StepId), StatusCopy(seal), WriteCondition.None, "application/json", cancellationToken).ConfigureAwait(false);
        }

        // The original knows no "failed": its waiters see such a step as blocked, which stops them at once, as ours stop.
        private static byte[] StatusCopy(StepClaim seal) =>
            StepWire.WriteStatus(seal.State == StepStatus.Failed ? StepStatus.Blocked : seal.State!, seal.FinishedBy ?? seal.Agent, seal.ClaimedAt,
                seal.State == StepStatus.Complete ? seal.FinishedAt : null);

        private async Task<StepClaim?> PutSealAsync(string key, StepClaim seal, WriteCondition condition, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var result = await _session.Store.PutAsync(key, StepWire.WriteClaim(seal, now), condition, "application/json", cancellationToken).ConfigureAwait(false);
            return result.Written ? seal with { Version = result.ETag } : null;
        }

        /// <summary>Compare-and-set of the claim: the new claim, or null when the claim changed since it was read.</summary>
        private Task<StepClaim?> SwapAsync(StepClaim held, StepClaim next, DateTimeOffset now, CancellationToken cancellationToken) =>
            PutSealAsync(_session.Layout.ClaimKey(held.StepId), next, WriteCondition.IfMatch(held.Version!), now, cancellationToken);

        /// <summary>
        /// Refuses a write by anyone but the holder: another agent (StepNotOwned, unless forced), the agent whose lease was
        /// taken over, or a caller whose token is not the claim's (ClaimLost).
        /// </summary>
        private void RequireHolder(StepClaim claim, long? token, bool force)
        {
            string me = _session.AgentId;
            if (force) return;
            if (claim.Agent == me && (token is null || token == claim.Token)) return;
            if ((claim.Agent == me && token is not null) || claim.TakenOverFrom == me)
                throw Lost(claim.StepId, token is long t ? new StepClaim { StepId = claim.StepId, Token = t } : null, claim);
            throw new TcException(TcErrorCode.StepNotOwned,
                $"Step {claim.StepId} is claimed by {claim.Agent}, not by {me}: use --force (-Force) to complete it anyway.", claim.StepId) { Detail = claim };
        }

        private long? RememberedToken(string stepId) =>
            _heldHere.TryGetValue(ProjectLayout.StepFolder(stepId), out var held) ? held.Token : null;

        private async Task<StepClaim> HeldAsync(StepClaim claim, string? etag, CancellationToken cancellationToken)
        {
            _heldHere[ProjectLayout.StepFolder(claim.StepId)] = new HeldHere(claim.Token, claim.LeaseSeconds);
            await _session.Agents.TouchAsync(claim.StepId, cancellationToken: cancellationToken).ConfigureAwait(false);
            return claim with { Version = etag };
        }

        private static async Task<StatusRecord?> ReadStatusOrNullAsync(Task<StatusRecord?> read)
        {
            try { return await read.ConfigureAwait(false); }
            catch (TcException e) when (e.Code == TcErrorCode.CorruptObject) { return null; }
        }

        private StepClaim Seal(StepClaim claim, CompletionRequest request, DateTimeOffset now) =>
            Seal(claim, request.State, _session.AgentId, now, new Handoff
            {
                StepId = claim.StepId,
                FromAgent = _session.AgentId,
                FromStep = claim.StepId,
                NextAgent = request.To,
                State = request.State,
                NextAction = request.NextAction,
                Note = request.Note,
                CreatedAt = now,
                ChangedFiles = request.ChangedFiles,
            });

        private static StepClaim Seal(StepClaim claim, string state, string finishedBy, DateTimeOffset finishedAt, Handoff? handoff) =>
            claim with { State = state, FinishedBy = finishedBy, FinishedAt = finishedAt, Handoff = handoff };

        private static StepClaim WithFailures(StepClaim claim, int failures) => claim with { Failures = failures };

        /// <summary>
        /// A claim held by this agent from <paramref name="claimedAt"/>: token 1 for a first claim, the previous token plus
        /// one when it replaces a released, expired or reopened claim.
        /// </summary>
        private StepClaim HolderClaim(string stepId, DateTimeOffset claimedAt, long token, double? leaseSeconds, int failures = 0, string? takenOverFrom = null) => new StepClaim
        {
            StepId = stepId,
            Agent = _session.AgentId,
            ClaimedAt = claimedAt,
            Token = token,
            LeaseSeconds = leaseSeconds,
            ExpiresAt = leaseSeconds is double lease ? claimedAt.AddSeconds(lease) : null,
            TakenOverFrom = takenOverFrom,
            Failures = failures,
        };

        private static Step ToStep(StepClaim seal)
        {
            var state = StepState.Derive(null, seal);
            return new Step
            {
                Id = seal.StepId,
                Status = state.Status,
                Agent = state.Agent,
                StartedAt = state.StartedAt,
                CompletedAt = state.CompletedAt,
                ClaimedBy = seal.Agent,
                Token = seal.Token,
                Handoff = seal.Handoff,
            };
        }

        internal static TcException Lost(string stepId, StepClaim? held, StepClaim? current)
        {
            string by = current is null ? "nobody holds it now" : $"it is now held by {current.Agent} (token {current.Token})";
            string mine = held is null ? "" : $" (token {held.Token})";
            return new TcException(TcErrorCode.ClaimLost,
                $"Your claim on step {stepId}{mine} was taken over after its lease expired; {by}. Nothing was written: claim the step again or leave it.",
                stepId) { Detail = current };
        }

        private static TcException AlreadyClaimed(string stepId, StepClaim? holder) =>
            new TcException(TcErrorCode.StepAlreadyClaimed, $"Step {stepId} already claimed by {holder?.Agent ?? "another agent"}", stepId) { Detail = holder };

        private static TcException Finished(string stepId, StepClaim seal)
        {
            string what = seal.State switch
            {
                StepStatus.Blocked => "is blocked",
                StepStatus.NeedsReview => "is waiting for review",
                StepStatus.Failed => $"failed after {seal.Failures} attempt(s)",
                _ => "is already complete",
            };
            return new TcException(TcErrorCode.StepFinished,
                $"Step {stepId} {what} (agent: {seal.FinishedBy ?? seal.Agent}): it cannot be claimed or completed again until it is reopened.", stepId) { Detail = seal };
        }
    }

    /// <summary>
    /// A step's state from its two records, the same for every reader (Get-TcStep, ready, wait-for, claim): a sealed
    /// claim wins (it is the fenced commit point); else status.json (the original's record); else a claim means in
    /// progress by its holder; else pending.
    /// </summary>
    public readonly struct StepState
    {
        private StepState(string status, string? agent, DateTimeOffset? startedAt, DateTimeOffset? completedAt)
        {
            Status = status;
            Agent = agent;
            StartedAt = startedAt;
            CompletedAt = completedAt;
        }

        public string Status { get; }
        public string? Agent { get; }
        public DateTimeOffset? StartedAt { get; }
        public DateTimeOffset? CompletedAt { get; }

        public static StepState Derive(StatusRecord? status, StepClaim? claim)
        {
            if (claim is { IsReleased: true })
                // Release and reopen remove status.json: one written afterwards (the original completing) is newer.
                return status is not null && IsClosed(status.Status)
                    ? new StepState(status.Status, status.Agent, status.StartedAt, status.CompletedAt)
                    : new StepState(StepStatus.Pending, null, null, null);
            if (claim is { IsFinal: true })
                return new StepState(claim.State!, claim.FinishedBy ?? claim.Agent, claim.ClaimedAt,
                    claim.State == StepStatus.Complete ? claim.FinishedAt ?? status?.CompletedAt : null);
            if (status is not null)
                return new StepState(status.Status, status.Agent ?? claim?.Agent, status.StartedAt ?? claim?.ClaimedAt, status.CompletedAt);
            return claim is null
                ? new StepState(StepStatus.Pending, null, null, null)
                : new StepState(StepStatus.InProgress, claim.Agent, claim.ClaimedAt, null);
        }

        /// <summary>complete, blocked or needs_review: what a holder may finish a step as.</summary>
        public static bool IsFinal(string state) => state is StepStatus.Complete or StepStatus.Blocked or StepStatus.NeedsReview;

        /// <summary>complete or blocked: nobody may claim the step until it is reopened.</summary>
        public static bool IsClosed(string state) => state is StepStatus.Complete or StepStatus.Blocked or StepStatus.Failed;
    }
}
