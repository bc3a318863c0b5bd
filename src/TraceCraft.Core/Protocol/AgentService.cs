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
        public static readonly TimeSpan DefaultStaleAfter = TimeSpan.FromMinutes(5);
        public static readonly TimeSpan HeartbeatEvery = TimeSpan.FromMinutes(1);
        private readonly TcSession _session;

        internal AgentService(TcSession session) => _session = session;

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

        private async Task<Agent> BeatAsync(Marker? marker, string? step, CancellationToken cancellationToken)
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
            var objects = await _session.Store.ListAllAsync(_session.Layout.AgentsPrefix, null, cancellationToken).ConfigureAwait(false);
            var keys = objects.Where(o => o.Key.EndsWith(".json", StringComparison.Ordinal)).Select(o => o.Key).ToList();
            var agents = await _session.ReadEachAsync(keys, async key =>
            {
                var read = await _session.Store.GetAsync(key, null, cancellationToken).ConfigureAwait(false);
                return read.Found ? Parse(key, read.Body!, staleAfter ?? DefaultStaleAfter) : null;
            }, key => $"agent record '{key}'", cancellationToken).ConfigureAwait(false);
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
            byte[] body = WireJson.Write(w =>
            {
                w.WriteString("id", _session.AgentId);
                w.WriteString("status", "active");
                w.WriteStringOrNull("step", step);
                w.WriteTime("started_at", startedAt);
                w.WriteTime("heartbeat", now);
                w.WriteStringOrNull("summary", summary);
            });
            await _session.Store.PutAsync(_session.Layout.AgentKey(_session.AgentId), body, WriteCondition.None, "application/json", cancellationToken).ConfigureAwait(false);
            WriteMarker(new Marker { StartedAt = startedAt, Step = step, Summary = summary, WrittenAt = now });
            return new Agent { Id = _session.AgentId, Status = "active", Step = step, StartedAt = startedAt, Heartbeat = now, Summary = summary, Age = TimeSpan.Zero };
        }

        private Agent Parse(string key, byte[] body, TimeSpan staleAfter)
        {
            using var wire = WireJson.Read(key, body);
            var heartbeat = wire.OptionalTime("heartbeat");
            TimeSpan? age = heartbeat is DateTimeOffset h ? _session.Clock.Now - h : null;
            return new Agent
            {
                Id = wire.OptionalString("id") ?? Path.GetFileNameWithoutExtension(key),
                Status = wire.OptionalString("status") ?? "active",
                Step = wire.OptionalString("step"),
                StartedAt = wire.OptionalTime("started_at"),
                Heartbeat = heartbeat,
                Summary = wire.OptionalString("summary"),
                Age = age,
                IsStale = age is null || age > staleAfter,
            };
        }

        private sealed class Marker
        {
            public DateTimeOffset StartedAt { get; init; }
            public string? Step { get; init; }
            public string? Summary { get; init; }
            public DateTimeOffset WrittenAt { get; init; }
        }

        private string MarkerFile => Path.Combine(_session.PrivateCacheFolder("presence"), "heartbeat.json");

        private Marker? ReadMarker()
        {
            try
            {
                if (!File.Exists(MarkerFile)) return null;
                using var wire = WireJson.Read(MarkerFile, File.ReadAllBytes(MarkerFile));
                return new Marker
                {
                    StartedAt = wire.RequiredTime("started_at"),
                    Step = wire.OptionalString("step"),
                    Summary = wire.OptionalString("summary"),
                    WrittenAt = wire.RequiredTime("written_at"),
                };
            }
            catch (Exception e) when (e is TcException or IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        private void WriteMarker(Marker marker) => LocalFiles.WriteAtomic(MarkerFile, WireJson.Write(w =>
        {
            w.WriteTime("started_at", marker.StartedAt);
            w.WriteStringOrNull("step", marker.Step);
            w.WriteStringOrNull("summary", marker.Summary);
            w.WriteTime("written_at", marker.WrittenAt);
        }));
    }
}
