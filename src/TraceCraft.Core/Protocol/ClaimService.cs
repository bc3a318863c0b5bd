using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Json;
using TraceCraft.Keys;
using TraceCraft.Storage;

namespace TraceCraft.Protocol
{
    /// <summary>
    /// Claims on steps. A claim is one conditional create of <c>steps/&lt;sid&gt;/claim.json</c>: of many agents
    /// claiming at once exactly one wins. We add to the original's <c>{"agent", "claimed_at"}</c> a fencing token
    /// that grows with every new holder and an optional lease; once a lease has expired, another agent may take
    /// the step over with a compare-and-set on the claim (again exactly one wins). Every later write of the holder
    /// (renew, complete) is a compare-and-set on the claim it read, so a holder that was taken over changes nothing.
    /// Lease times come from the store's clock where it can be read (S3's Date header), so agents whose clocks
    /// disagree by more than 2 s still agree on expiry; without it, a lease tolerates only the real skew.
    /// </summary>
    public sealed class ClaimService
    {
        private readonly TcSession _session;
        private readonly ConcurrentDictionary<string, double> _leasesHeldHere = new ConcurrentDictionary<string, double>(StringComparer.Ordinal);

        internal ClaimService(TcSession session) => _session = session;

        /// <summary>
        /// Claims a step. Throws <see cref="TcErrorCode.StepAlreadyClaimed"/> (with the holder's claim as Detail) when
        /// another agent holds it, or when this agent already does, as the original reports.
        /// </summary>
        public async Task<StepClaim> ClaimAsync(string stepId, double? leaseSeconds = null, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Step, stepId);
            if (leaseSeconds is double s && (s <= 0 || double.IsNaN(s) || s > 366 * 86400))
                throw new TcException(TcErrorCode.InvalidArgument, $"A lease of {s} seconds is not possible: give a number of seconds greater than 0.", stepId);
            if (leaseSeconds.HasValue) await _session.Clock.SyncAsync(_session.Store, cancellationToken).ConfigureAwait(false);

            var now = _session.Clock.Now;
            var claim = new StepClaim
            {
                StepId = stepId,
                Agent = _session.AgentId,
                ClaimedAt = now,
                Token = 1,
                LeaseSeconds = leaseSeconds,
                ExpiresAt = leaseSeconds is double lease ? now.AddSeconds(lease) : null,
            };
            string key = _session.Layout.ClaimKey(stepId);
            var created = await _session.Store.PutAsync(key, Serialize(claim, null), WriteCondition.IfAbsent, "application/json", cancellationToken).ConfigureAwait(false);
            if (created.Written)
                return Held(claim, created.ETag);

            for (int attempt = 0; attempt < 5; attempt++)
            {
                var existing = await ReadAsync(stepId, cancellationToken).ConfigureAwait(false);
                if (existing is null)
                {
                    // Deleted between our create and our read: try the create again.
                    created = await _session.Store.PutAsync(key, Serialize(claim, null), WriteCondition.IfAbsent, "application/json", cancellationToken).ConfigureAwait(false);
                    if (created.Written) return Held(claim, created.ETag);
                    continue;
                }
                if (existing.LeaseSeconds is null || existing.IsFinal)
                    throw AlreadyClaimed(stepId, existing);
                await _session.Clock.SyncAsync(_session.Store, cancellationToken).ConfigureAwait(false);
                now = _session.Clock.Now;
                if (!existing.IsExpiredAt(now))
                    throw AlreadyClaimed(stepId, existing);

                var takeover = new StepClaim
                {
                    StepId = stepId,
                    Agent = _session.AgentId,
                    ClaimedAt = now,
                    Token = existing.Token + 1,
                    LeaseSeconds = leaseSeconds ?? existing.LeaseSeconds,
                    ExpiresAt = now.AddSeconds(leaseSeconds ?? existing.LeaseSeconds!.Value),
                    TakenOverFrom = existing.Agent,
                };
                var swapped = await _session.Store.PutAsync(key, Serialize(takeover, null), WriteCondition.IfMatch(existing.Version!), "application/json", cancellationToken).ConfigureAwait(false);
                if (swapped.Written) return Held(takeover, swapped.ETag);
                // Another agent changed the claim first: read again and report or retry.
            }
            var winner = await ReadAsync(stepId, cancellationToken).ConfigureAwait(false);
            throw AlreadyClaimed(stepId, winner);
        }

        /// <summary>The claim on a step, or null when nobody claimed it.</summary>
        public async Task<StepClaim?> ReadAsync(string stepId, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Step, stepId);
            string key = _session.Layout.ClaimKey(stepId);
            var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
            return read.Found ? Parse(stepId, key, read.Body!, read.ETag) : null;
        }

        /// <summary>Extends the lease of a claim this agent holds (compare-and-set on the claim).</summary>
        public async Task<StepClaim> RenewAsync(string stepId, double? leaseSeconds = null, CancellationToken cancellationToken = default)
        {
            var held = await RequireHeldAsync(stepId, cancellationToken).ConfigureAwait(false);
            if (held.IsFinal)
                throw new TcException(TcErrorCode.InvalidArgument, $"Step {stepId} is finished ({held.State}): there is no lease left to renew.", stepId);
            double lease = leaseSeconds ?? held.LeaseSeconds
                ?? throw new TcException(TcErrorCode.InvalidArgument, $"The claim on step {stepId} has no lease to renew: give -LeaseSeconds to add one.", stepId);
            await _session.Clock.SyncAsync(_session.Store, cancellationToken).ConfigureAwait(false);
            var now = _session.Clock.Now;
            var renewed = Copy(held, leaseSeconds: lease, expiresAt: now.AddSeconds(lease));
            return await SwapAsync(stepId, held, renewed, now, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Renews every leased claim this session made whose lease is past half its length (called while waiting).</summary>
        public async Task RenewHeldLeasesAsync(CancellationToken cancellationToken = default)
        {
            foreach (var pair in _leasesHeldHere)
            {
                var claim = await ReadAsync(pair.Key, cancellationToken).ConfigureAwait(false);
                if (claim is null || claim.Agent != _session.AgentId || claim.IsFinal || claim.ExpiresAt is null)
                {
                    _leasesHeldHere.TryRemove(pair.Key, out _);
                    continue;
                }
                if (claim.ExpiresAt.Value - _session.Clock.Now < TimeSpan.FromSeconds(pair.Value / 2))
                    await RenewAsync(pair.Key, pair.Value, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Marks the claim final with the step's new state, conditional on the claim read: the gate every write of
        /// a finishing holder passes. Throws ClaimLost when the claim was taken over meanwhile.
        /// </summary>
        internal async Task<StepClaim> SealAsync(string stepId, StepClaim held, string state, CancellationToken cancellationToken)
        {
            var now = _session.Clock.Now;
            var sealedClaim = Copy(held, state: state);
            var result = await SwapAsync(stepId, held, sealedClaim, now, cancellationToken).ConfigureAwait(false);
            _leasesHeldHere.TryRemove(stepId, out _);
            return result;
        }

        private async Task<StepClaim> SwapAsync(string stepId, StepClaim held, StepClaim next, DateTimeOffset now, CancellationToken cancellationToken)
        {
            string key = _session.Layout.ClaimKey(stepId);
            var result = await _session.Store.PutAsync(key, Serialize(next, now), WriteCondition.IfMatch(held.Version!), "application/json", cancellationToken).ConfigureAwait(false);
            if (result.Written) return Copy(next, version: result.ETag);
            var current = await ReadAsync(stepId, cancellationToken).ConfigureAwait(false);
            throw Lost(stepId, held, current);
        }

        private async Task<StepClaim> RequireHeldAsync(string stepId, CancellationToken cancellationToken)
        {
            var claim = await ReadAsync(stepId, cancellationToken).ConfigureAwait(false)
                ?? throw new TcException(TcErrorCode.StepNotClaimed, $"Step {stepId} is not claimed: claim it first.", stepId);
            if (claim.Agent != _session.AgentId)
                throw claim.TakenOverFrom == _session.AgentId
                    ? Lost(stepId, null, claim)
                    : new TcException(TcErrorCode.StepNotOwned, $"Step {stepId} is claimed by {claim.Agent}, not by {_session.AgentId}.", stepId) { Detail = claim };
            return claim;
        }

        internal TcException Lost(string stepId, StepClaim? held, StepClaim? current)
        {
            string by = current is null ? "nobody holds it now" : $"it is now held by {current.Agent} (token {current.Token})";
            string mine = held is null ? "" : $" (token {held.Token})";
            return new TcException(TcErrorCode.ClaimLost,
                $"Your claim on step {stepId}{mine} was taken over after its lease expired; {by}. Nothing was written: claim the step again or leave it.",
                stepId) { Detail = current };
        }

        private StepClaim Held(StepClaim claim, string? etag)
        {
            if (claim.LeaseSeconds is double lease) _leasesHeldHere[claim.StepId] = lease;
            return Copy(claim, version: etag);
        }

        private static TcException AlreadyClaimed(string stepId, StepClaim? holder) =>
            new TcException(TcErrorCode.StepAlreadyClaimed, $"Step {stepId} already claimed by {holder?.Agent ?? "another agent"}", stepId) { Detail = holder };

        private static StepClaim Copy(StepClaim c, double? leaseSeconds = null, DateTimeOffset? expiresAt = null, string? state = null, string? version = null) => new StepClaim
        {
            StepId = c.StepId,
            Agent = c.Agent,
            ClaimedAt = c.ClaimedAt,
            Token = c.Token,
            LeaseSeconds = leaseSeconds ?? c.LeaseSeconds,
            ExpiresAt = expiresAt ?? c.ExpiresAt,
            TakenOverFrom = c.TakenOverFrom,
            State = state ?? c.State,
            Version = version ?? c.Version,
        };

        private static byte[] Serialize(StepClaim claim, DateTimeOffset? updatedAt) => WireJson.Write(w =>
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
            if (claim.State is not null) w.WriteString("state", claim.State);
            // Every holder write changes the bytes, so the ETag changes and a racing compare-and-set fails.
            if (updatedAt is DateTimeOffset at) w.WriteTime("updated_at", at);
        });

        internal static StepClaim Parse(string stepId, string key, byte[] body, string? etag)
        {
            using var wire = WireJson.Read(key, body);
            return new StepClaim
            {
                StepId = stepId,
                Agent = wire.RequiredString("agent"),
                ClaimedAt = wire.OptionalTime("claimed_at") ?? DateTimeOffset.MinValue,
                Token = wire.OptionalLong("token") ?? 1,
                LeaseSeconds = wire.OptionalDouble("lease_seconds"),
                ExpiresAt = wire.OptionalTime("expires_at"),
                TakenOverFrom = wire.OptionalString("taken_over_from"),
                State = wire.OptionalString("state"),
                Version = etag,
            };
        }
    }
}
