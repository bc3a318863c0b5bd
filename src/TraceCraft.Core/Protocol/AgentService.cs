using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TraceCraft.Errors;
using TraceCraft.Wire;
using TraceCraft.Keys;
using TraceCraft.Storage;
using TraceCraft.Options;

namespace TraceCraft.Protocol
{
    /// <summary>
    /// The agent registry (<c>agents/&lt;id&gt;.json</c>) and presence. Every command refreshes the agent's heartbeat at
    /// most once a minute (one PUT, rate-limited through a local marker file), a claim records the step held, and
    /// <see cref="StartHeartbeatAsync"/> keeps a long session fresh. An agent whose heartbeat is older than the stale
    /// threshold (default 5 minutes, as the original) is shown as stale.
    /// </summary>
    public sealed class AgentService
    {
        public static readonly TimeSpan DefaultStaleAfter = TimeSpan.FromSeconds(TcOptions.DefaultStaleAfterSeconds);
        public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromMinutes(1);
        private readonly TcSession _session;

        /// <summary>The mirror of every agent record (one listing, reads of the changed ones), also the board's.</summary>
        internal ObjectMirror Records { get; }

        internal AgentService(TcSession session)
        {
            _session = session;
            Records = new ObjectMirror(session, "agents", session.Layout.AgentsPrefix, key => key.EndsWith(".json", StringComparison.Ordinal));
        }

        /// <summary>Registers this agent (what init does): status active, no step, heartbeat now.</summary>
        public Task<Agent> RegisterAsync(string summary = "Initialized", CancellationToken cancellationToken = default) =>
            WriteAsync(_session.Clock.Now, null, summary, cancellationToken);

        /// <summary>
        /// Refreshes the heartbeat unless one was written in the last minute (and the step is unchanged). Failures
        /// are warnings: the presence every command refreshes on the side must never break the command it rides on.
        /// </summary>
        public async Task TouchAsync(string? step = null, bool force = false, CancellationToken cancellationToken = default)
        {
            var marker = ReadMarker();
            bool stepChanged = step is not null && step != marker?.Step;
            if (!force && !stepChanged && marker is not null && _session.Clock.Now - marker.WrittenAt < HeartbeatEvery) return;
            try
            {
                await BeatAsync(marker, step, cancellationToken).ConfigureAwait(false);
            }
            catch (TcException e)
            {
                _session.Warn($"Could not refresh the heartbeat of {_session.AgentId}: {e.Message}");
            }
        }

        /// <summary>
        /// Writes the heartbeat now, keeping the step held (or naming <paramref name="step"/>). A failure is an error:
        /// this is what an explicit heartbeat (the heartbeat verb, Start-TcHeartbeat's first beat) asked for.
        /// </summary>
        public Task<Agent> HeartbeatAsync(string? step = null, CancellationToken cancellationToken = default) =>
            BeatAsync(ReadMarker(), step, cancellationToken);

        private async Task<Agent> BeatAsync(HeartbeatMarker? marker, string? step, CancellationToken cancellationToken)
        {
            var now = _session.Clock.Now;
            DateTimeOffset startedAt = marker?.StartedAt ?? now;
            string? summary = marker?.Summary;
            if (marker is null)
            {
                var existing = await ReadAsync(_session.AgentId, DefaultStaleAfter, cancellationToken).ConfigureAwait(false);
                if (existing is not null)
                {
                    startedAt = existing.StartedAt ?? now;
                    summary = existing.Summary;
                    step ??= existing.Step;
                }
            }
            return await WriteAsync(startedAt, step ?? marker?.Step, summary, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>After a step is finished: the agent record stops naming it as the agent's step (one PUT, only if it did).</summary>
        public async Task ReleaseStepAsync(string stepId, CancellationToken cancellationToken = default)
        {
            var marker = ReadMarker();
            string? current = marker?.Step;
            DateTimeOffset startedAt = marker?.StartedAt ?? _session.Clock.Now;
            string? summary = marker?.Summary;
            try
            {
                if (marker is null && await ReadAsync(_session.AgentId, DefaultStaleAfter, cancellationToken).ConfigureAwait(false) is { } record)
                {
                    current = record.Step;
                    startedAt = record.StartedAt ?? startedAt;
                    summary = record.Summary;
                }
                if (current is not null && ProjectLayout.StepFolder(current) == ProjectLayout.StepFolder(stepId))
                    await WriteAsync(startedAt, null, summary, cancellationToken).ConfigureAwait(false);
            }
            catch (TcException e)
            {
                _session.Warn($"Could not update the agent record of {_session.AgentId}: {e.Message}");
            }
        }

        /// <summary>
        /// Writes a heartbeat now (a failure is thrown: the caller learns at once that the store refuses it), then
        /// refreshes it every <paramref name="interval"/> in the background until disposed; those later beats are
        /// best effort (a warning each).
        /// </summary>
        public async Task<IDisposable> StartHeartbeatAsync(TimeSpan interval, CancellationToken cancellationToken = default)
        {
            if (interval <= TimeSpan.Zero) throw new TcException(TcErrorCode.InvalidArgument, "The heartbeat interval must be positive.");
            await HeartbeatAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return new Timer(_ =>
            {
                try { TouchAsync(force: true).GetAwaiter().GetResult(); }
                catch (Exception e) { _session.Warn($"Heartbeat failed: {e.Message}"); }
            }, null, interval, interval);
        }

        /// <summary>All registered agents, with their age and whether they are stale.</summary>
        public async Task<IReadOnlyList<Agent>> ListAsync(TimeSpan? staleAfter = null, CancellationToken cancellationToken = default)
        {
            // One listing, and reads of only the records that changed since this agent last listed (a heartbeat changes one).
            var snapshot = await Records.RefreshAsync(cancellationToken).ConfigureAwait(false);
            foreach (var unreadable in snapshot.Unreadable) _session.Warn($"Skipped agent record '{unreadable.Key}': {unreadable.Value}");
            var agents = new List<Agent>();
            foreach (var record in snapshot.Objects)
            {
                try { agents.Add(Parse(record.Key, record.Value.Body!, staleAfter ?? DefaultStaleAfter)); }
                catch (TcException e) when (e.Code is TcErrorCode.CorruptObject or TcErrorCode.InvalidIdentifier)
                {
                    _session.Warn($"Skipped agent record '{record.Key}': {e.Message}");
                }
            }
            return agents.OrderBy(a => a.Id, StringComparer.Ordinal).ToList();
        }

        public async Task<Agent?> ReadAsync(string agentId, TimeSpan staleAfter, CancellationToken cancellationToken = default)
        {
            IdValidator.Validate(IdKind.Agent, agentId);
            string key = _session.Layout.AgentKey(agentId);
            var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
            return read.Found ? Parse(key, read.Body!, staleAfter) : null;
        }

        private async Task<Agent> WriteAsync(DateTimeOffset startedAt, string? step, string? summary, CancellationToken cancellationToken)
        {
            var now = _session.Clock.Now;
            var agent = new Agent { Id = _session.AgentId, Status = "active", Step = step, StartedAt = startedAt, Heartbeat = now, Summary = summary, Age = TimeSpan.Zero };
            await _session.Store.PutAsync(_session.Layout.AgentKey(_session.AgentId), AgentWire.Write(agent), WriteCondition.None, "application/json", cancellationToken).ConfigureAwait(false);
            WriteMarker(new HeartbeatMarker { StartedAt = startedAt, Step = step, Summary = summary, WrittenAt = now });
            return agent;
        }

        private Agent Parse(string key, byte[] body, TimeSpan staleAfter) => AgentWire.Read(key, body).AgedAt(_session.Clock.Now, staleAfter);

        private string MarkerFile => Path.Combine(_session.PrivateCacheFolder("presence"), "heartbeat.json");

        private HeartbeatMarker? ReadMarker()
        {
            try
            {
                if (!File.Exists(MarkerFile)) return null;
                return AgentWire.ReadMarker(MarkerFile, File.ReadAllBytes(MarkerFile));
            }
            catch (Exception e) when (e is TcException or IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        private void WriteMarker(HeartbeatMarker marker) => LocalFiles.WriteAtomic(MarkerFile, AgentWire.WriteMarker(marker));
    }

    /// <summary>
    /// What this agent last wrote to its record, and when: a local file (<see cref="AgentWire.WriteMarker"/>), so that a
    /// command refreshes the heartbeat at most once a minute without reading the record first.
    /// </summary>
    internal sealed class HeartbeatMarker
    {
        public DateTimeOffset StartedAt { get; init; }
        public string? Step { get; init; }
        public string? Summary { get; init; }
        public DateTimeOffset WrittenAt { get; init; }
    }
}
